// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "oz-upgradeable-4-3-1/proxy/utils/Initializable.sol";
import "oz-upgradeable-4-3-1/proxy/utils/UUPSUpgradeable.sol";
import "oz-upgradeable-4-3-1/access/OwnableUpgradeable.sol";

/// @notice A UUPS vault built on @openzeppelin/contracts-upgradeable 4.3.1 (intel scan fixture).
contract UupsVault431 is Initializable, OwnableUpgradeable, UUPSUpgradeable {
    uint256 private _deposits;

    function initialize() external initializer {
        __Ownable_init();
        __UUPSUpgradeable_init();
    }

    function deposit() external payable {
        _deposits += msg.value;
    }

    function deposits() external view returns (uint256) {
        return _deposits;
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}
