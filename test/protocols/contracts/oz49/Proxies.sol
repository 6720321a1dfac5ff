// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

// The OpenZeppelin Contracts 4.9 proxies the OZ 4.9 kit deploys, compiled in the same build.
import {ERC1967Proxy} from "oz-contracts-4-9/proxy/ERC1967/ERC1967Proxy.sol";
import {ProxyAdmin} from "oz-contracts-4-9/proxy/transparent/ProxyAdmin.sol";
import {TransparentUpgradeableProxy} from "oz-contracts-4-9/proxy/transparent/TransparentUpgradeableProxy.sol";
import {BeaconProxy} from "oz-contracts-4-9/proxy/beacon/BeaconProxy.sol";
import {UpgradeableBeacon} from "oz-contracts-4-9/proxy/beacon/UpgradeableBeacon.sol";
