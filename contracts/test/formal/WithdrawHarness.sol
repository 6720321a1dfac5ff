// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The asset as the model checker sees it: an unknown contract that may call back (ERC-777-style hooks).
interface IHarnessAsset {
    /// @notice Sends `amount` to `to`; an unknown implementation, so it may re-enter the caller.
    function transfer(address to, uint256 amount) external returns (bool);
}

/**
 * @title WithdrawHarnessV1
 * @notice Formal harness for the demo invariant "withdraw never pays more than was deposited", reduced
 * from {LendingPool} V1's withdraw bookkeeping: it reads the deposit, pays (the token transfer, modelled
 * as a call to an unknown contract that may re-enter), and only then writes the deposit back.
 * @dev `_deposited` and `_paid` are ghost counters for the property; the SMTChecker's CHC engine
 * explores re-entry through the unknown asset and finds the violation.
 */
contract WithdrawHarnessV1 {
    IHarnessAsset internal immutable _asset;
    uint256 internal _deposit;
    uint256 internal _deposited;
    uint256 internal _paid;

    /// @param asset_ The untrusted token (Bulwark's counterexample replay passes its replayer here).
    constructor(IHarnessAsset asset_) {
        _asset = asset_;
    }

    /// @notice Credits `assets` to the depositor.
    /// @param assets Amount deposited.
    function deposit(uint256 assets) external {
        _deposit += assets;
        _deposited += assets;
    }

    /// @notice V1's order: transfer first, write the balance read before the transfer afterwards.
    /// @param assets Amount withdrawn.
    function withdraw(uint256 assets) external {
        uint256 balance = _deposit;
        require(assets <= balance);
        _paid += assets;
        _asset.transfer(msg.sender, assets);
        _deposit = balance - assets;
        assert(_paid <= _deposited);
    }
}

/**
 * @title WithdrawHarnessV2
 * @notice The same harness reduced from {LendingPoolV2}: books written before the transfer and a
 * re-entry lock, as in the patch. The CHC engine proves the invariant.
 */
contract WithdrawHarnessV2 {
    IHarnessAsset internal immutable _asset;
    uint256 internal _deposit;
    uint256 internal _deposited;
    uint256 internal _paid;
    bool internal _entered;

    /// @param asset_ The untrusted token.
    constructor(IHarnessAsset asset_) {
        _asset = asset_;
    }

    /// @notice Credits `assets` to the depositor (locked like V2's deposit).
    /// @param assets Amount deposited.
    function deposit(uint256 assets) external {
        require(!_entered);
        _deposit += assets;
        _deposited += assets;
    }

    /// @notice V2's order: lock, books first, transfer last.
    /// @param assets Amount withdrawn.
    function withdraw(uint256 assets) external {
        require(!_entered);
        _entered = true;
        uint256 balance = _deposit;
        require(assets <= balance);
        _deposit = balance - assets;
        _paid += assets;
        _asset.transfer(msg.sender, assets);
        _entered = false;
        assert(_paid <= _deposited);
    }
}
