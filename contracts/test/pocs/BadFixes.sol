// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {LendingPool} from "../../examples/LendingPool.sol";
import {LendingPoolV2} from "../../examples/LendingPoolV2.sol";

/**
 * Bad "fixes" of the demo pool, used by Bulwark's dynamic validation tests. Each inherits the real
 * V1 or V2 so it stays storage-compatible whatever the demo adds, and changes one behaviour.
 */

/**
 * @title LendingPoolV2Unfixed
 * @notice A release that bumps the version but keeps V1's reentrancy: the PoC still drains it.
 * @custom:oz-upgrades-from LendingPool
 */
contract LendingPoolV2Unfixed is LendingPool {
    /// @inheritdoc LendingPool
    function version() external pure virtual override returns (string memory) {
        return "2";
    }
}

/**
 * @title LendingPoolV2WithdrawCapped
 * @notice Fixes the reentrancy (it is V2) but also caps each withdrawal at 25,000 units, a "fix" that
 * stops depositors from getting their money out: regression checks must catch it.
 * @custom:oz-upgrades-from LendingPool
 */
contract LendingPoolV2WithdrawCapped is LendingPoolV2 {
    /// @notice Largest withdrawal accepted per call.
    uint256 public constant WITHDRAWAL_CAP = 25_000e18;

    /**
     * @notice A withdrawal above the cap.
     * @param requested The amount asked for.
     * @param cap The cap.
     */
    error LendingPoolWithdrawalAboveCap(uint256 requested, uint256 cap);

    /// @dev The cap is enforced in the accrual hook, which `withdraw` runs first.
    function accrueInterest() public virtual override {
        if (msg.sig == this.withdraw.selector) {
            uint256 requested = abi.decode(msg.data[4:], (uint256));
            if (requested > WITHDRAWAL_CAP) revert LendingPoolWithdrawalAboveCap(requested, WITHDRAWAL_CAP);
        }
        super.accrueInterest();
    }
}

/**
 * @title LendingPoolV2StrictRepay
 * @notice Fixes the reentrancy but refuses `repay(account, type(uint256).max)` ("repay all"), which
 * history shows users rely on: differential replay must flag that one transaction.
 * @custom:oz-upgrades-from LendingPool
 */
contract LendingPoolV2StrictRepay is LendingPoolV2 {
    /// @notice `repay` was given the "repay all" sentinel.
    error LendingPoolUnboundedRepay();

    /// @dev Checked in the accrual hook, which `repay` runs first.
    function accrueInterest() public virtual override {
        if (msg.sig == this.repay.selector) {
            (, uint256 assets) = abi.decode(msg.data[4:], (address, uint256));
            if (assets == type(uint256).max) revert LendingPoolUnboundedRepay();
        }
        super.accrueInterest();
    }
}
