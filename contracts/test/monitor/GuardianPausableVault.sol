// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/**
 * @title GuardianPausableVault
 * @notice A protocol whose emergency stop is OpenZeppelin 5's `Pausable` behind a `PAUSER_ROLE`,
 * the shape most protocols ship: the monitor answers an attack with the protocol's own `pause()`,
 * sent by the guardian key or by a guardian Safe holding the role.
 */
contract GuardianPausableVault is AccessControl, Pausable {
    /// @notice The role allowed to pause (the guardian); unpausing stays with the admin.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    mapping(address account => uint256 amount) private _deposits;

    /// @notice Emitted after `account` deposited `amount` wei.
    event Deposited(address indexed account, uint256 amount);
    /// @notice Emitted after `account` withdrew `amount` wei.
    event Withdrawn(address indexed account, uint256 amount);

    /// @notice `account` asked for more than it deposited.
    error GuardianPausableVaultInsufficientDeposit(address account, uint256 deposited, uint256 requested);
    /// @notice The ether transfer to `account` failed.
    error GuardianPausableVaultTransferFailed(address account);

    /// @param admin Holder of DEFAULT_ADMIN_ROLE (governance). @param pauser Holder of PAUSER_ROLE (the guardian).
    constructor(address admin, address pauser) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, pauser);
    }

    /// @notice Deposits the ether sent.
    function deposit() external payable virtual whenNotPaused {
        _deposits[msg.sender] += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    /// @notice Withdraws `amount` wei of the caller's deposit.
    function withdraw(uint256 amount) external virtual whenNotPaused {
        uint256 deposited = _deposits[msg.sender];
        if (amount > deposited) revert GuardianPausableVaultInsufficientDeposit(msg.sender, deposited, amount);
        // amount <= deposited, checked above
        unchecked {
            _deposits[msg.sender] = deposited - amount;
        }
        emit Withdrawn(msg.sender, amount);
        (bool sent, ) = msg.sender.call{value: amount}("");
        if (!sent) revert GuardianPausableVaultTransferFailed(msg.sender);
    }

    /// @notice The deposit of `account`, in wei.
    function depositOf(address account) external view virtual returns (uint256) {
        return _deposits[account];
    }

    /// @notice Stops deposits and withdrawals (the guardian's emergency stop).
    function pause() external virtual onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes deposits and withdrawals (governance only).
    function unpause() external virtual onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }
}
