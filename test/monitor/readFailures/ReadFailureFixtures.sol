// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Fixtures of src/monitor/detectors/readFailures.test.ts: a token whose balanceOf can be made to
// revert, and a vault holding it, to show that a read that fails is never taken for a balance of zero.

/// @title MutableBalanceToken
/// @notice A minimal ERC-20 whose `balanceOf` reverts while muted (anyone may mute it: test money).
contract MutableBalanceToken {
    mapping(address => uint256) private _balances;
    bool private _muted;

    event Transfer(address indexed from, address indexed to, uint256 value);

    error MutableBalanceTokenMuted(address account);
    error MutableBalanceTokenInsufficient(address account, uint256 balance, uint256 needed);

    /// @notice Mints `amount` to `to`.
    function mint(address to, uint256 amount) external {
        _balances[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    /// @notice While `muted`, `balanceOf` reverts with MutableBalanceTokenMuted.
    function setMuted(bool muted) external {
        _muted = muted;
    }

    /// @notice The balance of `account`; reverts while muted.
    function balanceOf(address account) external view returns (uint256) {
        if (_muted) revert MutableBalanceTokenMuted(account);
        return _balances[account];
    }

    /// @notice Moves `amount` from the caller to `to`.
    function transfer(address to, uint256 amount) external returns (bool) {
        uint256 balance = _balances[msg.sender];
        if (balance < amount) revert MutableBalanceTokenInsufficient(msg.sender, balance, amount);
        _balances[msg.sender] = balance - amount;
        _balances[to] += amount;
        emit Transfer(msg.sender, to, amount);
        return true;
    }
}

/// @title MutedVault
/// @notice Holds a MutableBalanceToken and pays anyone out; can mute the token in the same transaction.
contract MutedVault {
    MutableBalanceToken private immutable _token;

    constructor(MutableBalanceToken token) {
        _token = token;
    }

    /// @notice Pays `amount` to `to`, then mutes the token's balanceOf when `muteAfter`.
    function payOut(address to, uint256 amount, bool muteAfter) external {
        _token.transfer(to, amount);
        if (muteAfter) _token.setMuted(true);
    }
}
