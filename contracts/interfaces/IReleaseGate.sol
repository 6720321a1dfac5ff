// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IReleaseGate
 * @notice The shapes a release through {ReleaseGate} is described with.
 */
interface IReleaseGate {
    /**
     * @notice How the gate changes the implementation behind a proxy.
     * @dev Uups: the gate calls `upgradeToAndCall` on the proxy (it holds the upgrade role or owns it).
     * Transparent: the gate owns the proxy's ProxyAdmin and calls `upgradeAndCall` on it.
     * Beacon: the gate owns the UpgradeableBeacon and calls `upgradeTo` on it; `proxy` is the beacon.
     */
    enum UpgradeKind {
        Uups,
        Transparent,
        Beacon
    }

    /**
     * @notice One step of a release.
     * @param kind How the upgrade is performed.
     * @param proxy The proxy (Uups, Transparent) or the beacon (Beacon).
     * @param admin The ProxyAdmin for Transparent; ignored otherwise.
     * @param implementation The new implementation; its codehash must be the approved one.
     * @param data Initializer calldata run through the proxy after the upgrade; empty for none (must be empty for Beacon).
     */
    struct Upgrade {
        UpgradeKind kind;
        address proxy;
        address admin;
        address implementation;
        bytes data;
    }
}
