// SPDX-License-Identifier: MIT
// Fixtures of the initializer-safety stage (src/validate/stages/initializerSafety.test.ts): one
// UUPS vault (OpenZeppelin 5.x) and V2 candidates, each with one property under test.
pragma solidity ^0.8.24;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
// Deployed in the tests in front of InitVaultV1.
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

/**
 * @title InitVaultBase
 * @notice Test fixture: an ether vault behind a UUPS proxy; the owner upgrades it and may sweep it.
 */
abstract contract InitVaultBase is Initializable, OwnableUpgradeable, UUPSUpgradeable {
    /// @notice The sender asked for more than it deposited.
    error InitVaultInsufficientBalance(address account, uint256 balance, uint256 amount);

    mapping(address account => uint256) internal _balances;

    /// @notice Sets the owner (once, on the proxy).
    function initialize(address owner_) external initializer {
        __Ownable_init(owner_);
    }

    /// @notice Deposits the ether sent.
    function deposit() external payable virtual {
        _balances[msg.sender] += msg.value;
    }

    /// @notice Sends `amount` of the sender's deposit back.
    function withdraw(uint256 amount) external virtual {
        uint256 balance = _balances[msg.sender];
        if (amount > balance) revert InitVaultInsufficientBalance(msg.sender, balance, amount);
        _balances[msg.sender] = balance - amount;
        payable(msg.sender).transfer(amount);
    }

    /// @notice The deposit of `account`.
    function balanceOf(address account) external view virtual returns (uint256) {
        return _balances[account];
    }

    /// @dev Only the owner upgrades.
    function _authorizeUpgrade(address) internal virtual override onlyOwner {}
}

/**
 * @title InitVaultV1
 * @notice Test fixture: the deployed version.
 */
contract InitVaultV1 is InitVaultBase {
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }
}

/**
 * @title InitVaultV2Reinit
 * @notice Test fixture: V2 adds a guardian, set by an unprotected `reinitializer(2)`.
 * @custom:oz-upgrades-from InitVaultV1
 */
contract InitVaultV2Reinit is InitVaultBase {
    address internal _guardian;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Sets the guardian: meant to be called once, with the upgrade.
    function initializeV2(address guardian_) external reinitializer(2) {
        _guardian = guardian_;
    }

    /// @notice The guardian.
    function guardian() external view returns (address) {
        return _guardian;
    }
}

/**
 * @title InitVaultV2Initializable
 * @notice Test fixture: V2 whose constructor does not disable initializers.
 * @custom:oz-upgrades-from InitVaultV1
 */
contract InitVaultV2Initializable is InitVaultBase {
    /// @notice The version of this implementation.
    function version() external pure returns (string memory) {
        return "2";
    }
}

/**
 * @title InitVaultV2Privileged
 * @notice Test fixture: V2 adds an owner setter and a sweep, neither with an access check.
 * @custom:oz-upgrades-from InitVaultV1
 */
contract InitVaultV2Privileged is InitVaultBase {
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Hands the vault to `newOwner`.
    function setOwner(address newOwner) external {
        _transferOwnership(newOwner);
    }

    /// @notice Sends every wei the vault holds to `to`.
    function sweep(address payable to) external {
        to.transfer(address(this).balance);
    }
}

/**
 * @title InitVaultV2Guarded
 * @notice Test fixture: the same new functions as {InitVaultV2Privileged}, restricted to the owner.
 * @custom:oz-upgrades-from InitVaultV1
 */
contract InitVaultV2Guarded is InitVaultBase {
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Hands the vault to `newOwner`. Owner only.
    function setOwner(address newOwner) external onlyOwner {
        _transferOwnership(newOwner);
    }

    /// @notice Sends every wei the vault holds to `to`. Owner only.
    function sweep(address payable to) external onlyOwner {
        to.transfer(address(this).balance);
    }
}
