// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {LendingPoolV2} from "../../examples/LendingPoolV2.sol";

/**
 * @title LendingPoolV2RoundingSlip
 * @notice TEST FIXTURE (issue 10, differential fuzzing): the real reentrancy fix of {LendingPoolV2}
 * plus a change the patch was NOT meant to make: {deposit} rounds the credited deposit units UP
 * instead of down, so every deposit is credited slightly more than it paid (and a deposit too small
 * to be worth one unit, which V1 rejects, now succeeds). `withdraw` is the intended change; `deposit`
 * is declared unchanged in the manifest, and differential fuzzing must catch the slip.
 * @custom:oz-upgrades-from LendingPool
 */
contract LendingPoolV2RoundingSlip is LendingPoolV2 {
    using SafeERC20 for IERC20;

    // The pool's ERC-7201 namespace (LendingPoolV2's constant is private).
    bytes32 private constant SLIP_STORAGE_LOCATION = 0x0ec67079d3f391d563b477fd07f67c8669d486df079fa1e1162453f0b8435700;

    /// @inheritdoc LendingPoolV2
    function deposit(uint256 assets) external override whenNotPaused whenNotLockedDown(address(_slipStorage()._asset)) nonReentrant {
        if (assets == 0) revert LendingPoolZeroAmount();
        accrueInterest();
        LendingPoolStorage storage $ = _slipStorage();
        // The slip: Ceil instead of the floor division of V1/V2.
        uint256 scaledAmount = Math.mulDiv(assets, 1e18, $._supplyIndex, Math.Rounding.Ceil);
        $._scaledDeposits[msg.sender] += scaledAmount;
        $._totalScaledDeposits += scaledAmount;
        emit Deposited(msg.sender, assets, scaledAmount);
        $._asset.safeTransferFrom(msg.sender, address(this), assets);
    }

    function _slipStorage() private pure returns (LendingPoolStorage storage $) {
        assembly {
            $.slot := SLIP_STORAGE_LOCATION
        }
    }
}
