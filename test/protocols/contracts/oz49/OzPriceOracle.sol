// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {OwnableUpgradeable} from "oz-upgradeable-4-9/access/OwnableUpgradeable.sol";
import {Initializable} from "oz-upgradeable-4-9/proxy/utils/Initializable.sol";

/// @title OzPriceOracle
/// @notice A price registry behind an OpenZeppelin 4.9 TransparentUpgradeableProxy (upgraded through
/// `ProxyAdmin.upgrade(proxy, implementation)`); the owner sets prices.
contract OzPriceOracle is Initializable, OwnableUpgradeable {
    /// @notice The price of `asset` became `price` (8 decimals).
    event PriceSet(address indexed asset, uint256 price);

    mapping(address => uint256) private _prices;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @param owner_ May set prices (the timelock).
    function initialize(address owner_) external initializer {
        __Ownable_init();
        _transferOwnership(owner_);
    }

    /// @notice Sets the price of `asset`; owner only.
    function setPrice(address asset, uint256 price) external virtual onlyOwner {
        _prices[asset] = price;
        emit PriceSet(asset, price);
    }

    /// @notice The price of `asset`, 8 decimals.
    function priceOf(address asset) external view virtual returns (uint256) {
        return _prices[asset];
    }

    /// @notice The implementation's version.
    function version() external pure virtual returns (string memory) {
        return "1";
    }
}

/// @title OzPriceOracleV2
/// @notice A storage-compatible patch of OzPriceOracle (only `version` changes).
contract OzPriceOracleV2 is OzPriceOracle {
    /// @inheritdoc OzPriceOracle
    function version() external pure virtual override returns (string memory) {
        return "2";
    }
}
