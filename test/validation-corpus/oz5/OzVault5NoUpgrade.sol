// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";

/// @title OzVault5NoUpgrade
/// @notice The OzVault of the OpenZeppelin 4.9 kit on OpenZeppelin Contracts Upgradeable 5.4: a UUPS share
/// vault upgraded with `upgradeToAndCall(implementation, data)` (5.x has no `upgradeTo`). Balances live in
/// an ERC-7201 namespace; the asset and the guardian in plain slots, as many 5.x-era protocols mix them.
// BULWARK-CORPUS: copy of the kit's OzVault5 with UUPSUpgradeable removed (the defect under test)
contract OzVault5NoUpgrade is Initializable, OwnableUpgradeable, PausableUpgradeable {
    using SafeERC20 for IERC20;

    /// @notice The caller is not the guardian.
    error OzVaultUnauthorizedGuardian(address caller);
    /// @notice Withdrawing more than the caller's balance.
    error OzVaultInsufficientBalance(address account, uint256 balance, uint256 amount);

    /// @notice `account` deposited `amount`.
    event Deposited(address indexed account, uint256 amount);
    /// @notice `account` withdrew `amount`.
    event Withdrawn(address indexed account, uint256 amount);

    /// @custom:storage-location erc7201:bulwark.kit.OzVault5
    struct VaultStorage {
        mapping(address => uint256) balances;
        uint256 totalDeposits;
    }

    // keccak256(abi.encode(uint256(keccak256("bulwark.kit.OzVault5")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant VAULT_STORAGE_LOCATION = 0x599ffedf140e9faeb629be0b54dd22cf49c21f10abfeedcd08677a5a97942a00;

    IERC20 private _asset;
    address private _guardian;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @param asset_ The token the vault holds.
    /// @param owner_ Upgrades and administers the vault (the timelock).
    /// @param guardian_ May pause.
    function initialize(IERC20 asset_, address owner_, address guardian_) external initializer {
        __Ownable_init(owner_);
        __Pausable_init();
        _asset = asset_;
        _guardian = guardian_;
    }

    /// @notice Deposits `amount` of the asset (approved to the vault).
    function deposit(uint256 amount) external virtual whenNotPaused {
        VaultStorage storage $ = _vaultStorage();
        $.balances[msg.sender] += amount;
        $.totalDeposits += amount;
        _asset.safeTransferFrom(msg.sender, address(this), amount);
        emit Deposited(msg.sender, amount);
    }

    /// @notice Withdraws `amount` of the caller's deposit.
    function withdraw(uint256 amount) external virtual whenNotPaused {
        VaultStorage storage $ = _vaultStorage();
        uint256 balance = $.balances[msg.sender];
        if (amount > balance) revert OzVaultInsufficientBalance(msg.sender, balance, amount);
        // unchecked: amount <= balance <= totalDeposits, checked just above.
        unchecked {
            $.balances[msg.sender] = balance - amount;
            $.totalDeposits -= amount;
        }
        _asset.safeTransfer(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
    }

    /// @notice Pauses deposits and withdrawals; the guardian or the owner.
    function pause() external virtual {
        if (msg.sender != _guardian && msg.sender != owner()) revert OzVaultUnauthorizedGuardian(msg.sender);
        _pause();
    }

    /// @notice Lifts the pause; the owner only.
    function unpause() external virtual onlyOwner {
        _unpause();
    }

    /// @notice The deposit of `account`.
    function balanceOf(address account) external view returns (uint256) {
        return _vaultStorage().balances[account];
    }

    /// @notice The sum of all deposits.
    function totalDeposits() external view returns (uint256) {
        return _vaultStorage().totalDeposits;
    }

    /// @notice The vault's asset.
    function asset() external view returns (address) {
        return address(_asset);
    }

    /// @notice The account that may pause.
    function guardian() external view returns (address) {
        return _guardian;
    }

    /// @notice The implementation's version.
    function version() external pure virtual returns (string memory) {
        return "1";
    }

    function _vaultStorage() private pure returns (VaultStorage storage $) {
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := VAULT_STORAGE_LOCATION
        }
    }
}
