// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {OwnableUpgradeable} from "oz-upgradeable-4-9/access/OwnableUpgradeable.sol";
import {Initializable} from "oz-upgradeable-4-9/proxy/utils/Initializable.sol";
import {IERC20Upgradeable} from "oz-upgradeable-4-9/token/ERC20/IERC20Upgradeable.sol";
import {SafeERC20Upgradeable} from "oz-upgradeable-4-9/token/ERC20/utils/SafeERC20Upgradeable.sol";

/// @title OzTreasury
/// @notice A treasury behind OpenZeppelin 4.9 BeaconProxies of one UpgradeableBeacon (upgraded through
/// `beacon.upgradeTo(implementation)`); the owner pays out.
contract OzTreasury is Initializable, OwnableUpgradeable {
    using SafeERC20Upgradeable for IERC20Upgradeable;

    /// @notice `amount` of `token` was paid to `to`.
    event Paid(address indexed token, address indexed to, uint256 amount);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @param owner_ May pay out (the timelock).
    function initialize(address owner_) external initializer {
        __Ownable_init();
        _transferOwnership(owner_);
    }

    /// @notice Pays `amount` of `token` to `to`; owner only.
    function pay(IERC20Upgradeable token, address to, uint256 amount) external virtual onlyOwner {
        token.safeTransfer(to, amount);
        emit Paid(address(token), to, amount);
    }

    /// @notice The implementation's version.
    function version() external pure virtual returns (string memory) {
        return "1";
    }
}

/// @title OzTreasuryV2
/// @notice A storage-compatible patch of OzTreasury (only `version` changes).
contract OzTreasuryV2 is OzTreasury {
    /// @inheritdoc OzTreasury
    function version() external pure virtual override returns (string memory) {
        return "2";
    }
}
