// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

/// @title OzPriceOracle5
/// @notice A price registry behind an OpenZeppelin 5.4 TransparentUpgradeableProxy, whose own ProxyAdmin
/// (created by the proxy) upgrades it with `upgradeAndCall(proxy, implementation, data)`.
contract OzPriceOracle5 is Initializable, OwnableUpgradeable {
    /// @notice The price of `asset` became `price` (8 decimals).
    event PriceSet(address indexed asset, uint256 price);

    mapping(address => uint256) private _prices;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @param owner_ May set prices (the timelock).
    function initialize(address owner_) external initializer {
        __Ownable_init(owner_);
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

/// @title OzPriceOracle5V2
/// @notice A storage-compatible patch of OzPriceOracle5 (only `version` changes).
contract OzPriceOracle5V2 is OzPriceOracle5 {
    /// @inheritdoc OzPriceOracle5
    function version() external pure virtual override returns (string memory) {
        return "2";
    }
}
