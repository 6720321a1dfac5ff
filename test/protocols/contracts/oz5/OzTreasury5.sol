// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

/// @title OzTreasury5
/// @notice A treasury behind OpenZeppelin 5.4 BeaconProxies of one UpgradeableBeacon (`beacon.upgradeTo(implementation)`).
contract OzTreasury5 is Initializable, OwnableUpgradeable {
    using SafeERC20 for IERC20;

    /// @notice `amount` of `token` was paid to `to`.
    event Paid(address indexed token, address indexed to, uint256 amount);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @param owner_ May pay out (the timelock).
    function initialize(address owner_) external initializer {
        __Ownable_init(owner_);
    }

    /// @notice Pays `amount` of `token` to `to`; owner only.
    function pay(IERC20 token, address to, uint256 amount) external virtual onlyOwner {
        token.safeTransfer(to, amount);
        emit Paid(address(token), to, amount);
    }

    /// @notice The implementation's version.
    function version() external pure virtual returns (string memory) {
        return "1";
    }
}

/// @title OzTreasury5V2
/// @notice A storage-compatible patch of OzTreasury5 (only `version` changes).
contract OzTreasury5V2 is OzTreasury5 {
    /// @inheritdoc OzTreasury5
    function version() external pure virtual override returns (string memory) {
        return "2";
    }
}
