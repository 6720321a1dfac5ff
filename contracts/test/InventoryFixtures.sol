// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Small upgradeable contracts that let the inventory tests build risky and clean configurations
// on a local chain. The OpenZeppelin imports make the build emit proxy and timelock artifacts.
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {TransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";
import {ProxyAdmin} from "@openzeppelin/contracts/proxy/transparent/ProxyAdmin.sol";
import {UpgradeableBeacon} from "@openzeppelin/contracts/proxy/beacon/UpgradeableBeacon.sol";
import {BeaconProxy} from "@openzeppelin/contracts/proxy/beacon/BeaconProxy.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";

/**
 * @title InventoryOwnedBox
 * @notice An Ownable, pausable UUPS implementation (also usable behind Transparent and Beacon proxies).
 * @dev `lockInitializers` chooses whether the implementation itself is sealed with
 * `_disableInitializers()`: false reproduces the uninitialized-implementation class (OZ advisory 2021).
 */
contract InventoryOwnedBox is Initializable, OwnableUpgradeable, PausableUpgradeable, UUPSUpgradeable {
    /// @param lockInitializers Seal the implementation contract against initialization.
    constructor(bool lockInitializers) {
        if (lockInitializers) _disableInitializers();
    }

    /// @notice Sets the owner of the proxy's state.
    /// @param initialOwner Account allowed to pause and upgrade.
    function initialize(address initialOwner) external virtual initializer {
        __Ownable_init(initialOwner);
        __Pausable_init();
    }

    /// @notice Pauses the box.
    function pause() external virtual onlyOwner {
        _pause();
    }

    /// @notice Unpauses the box.
    function unpause() external virtual onlyOwner {
        _unpause();
    }

    /// @dev Only the owner may upgrade.
    function _authorizeUpgrade(address) internal virtual override onlyOwner {}
}

/**
 * @title InventoryRoleBox
 * @notice An AccessControl UUPS implementation whose upgrades need UPGRADER_ROLE.
 */
contract InventoryRoleBox is Initializable, AccessControlUpgradeable, PausableUpgradeable, UUPSUpgradeable {
    /// @notice May upgrade the proxy.
    bytes32 public constant UPGRADER_ROLE = keccak256("UPGRADER_ROLE");
    /// @notice May pause the box.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice A role name the inventory does not know, reported by its hash.
    bytes32 public constant BOX_KEEPER_ROLE = keccak256("BOX_KEEPER_ROLE");

    /// @dev Implementations are always sealed.
    constructor() {
        _disableInitializers();
    }

    /// @notice Grants the initial roles.
    /// @param admin DEFAULT_ADMIN_ROLE holder.
    /// @param upgrader UPGRADER_ROLE holder.
    /// @param pauser PAUSER_ROLE holder.
    function initialize(address admin, address upgrader, address pauser) external virtual initializer {
        __AccessControl_init();
        __Pausable_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(UPGRADER_ROLE, upgrader);
        _grantRole(PAUSER_ROLE, pauser);
    }

    /// @notice Pauses the box.
    function pause() external virtual onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @dev Only UPGRADER_ROLE may upgrade.
    function _authorizeUpgrade(address) internal virtual override onlyRole(UPGRADER_ROLE) {}
}

/**
 * @title InventoryLegacyBox
 * @notice Mimics OpenZeppelin 4.6+ `Initializable` storage: `uint8 _initialized` in the low byte of
 * slot 0, `bool _initializing` in the next byte, and the `Initialized(uint8)` event.
 */
contract InventoryLegacyBox {
    uint8 private _initialized;
    bool private _initializing;
    address private _owner;

    /// @notice Emitted when the box is initialized (OZ 4 event signature).
    /// @param version The initializer version run.
    event Initialized(uint8 version);

    /// @notice The box was already initialized.
    /// @param version The version already run.
    error LegacyBoxAlreadyInitialized(uint8 version);

    /// @notice Claims the box.
    /// @param initialOwner The owner to record.
    function initialize(address initialOwner) external {
        if (_initialized != 0) revert LegacyBoxAlreadyInitialized(_initialized);
        _initialized = 1;
        _owner = initialOwner;
        emit Initialized(1);
    }

    /// @notice The recorded owner.
    function owner() external view returns (address) {
        return _owner;
    }
}
