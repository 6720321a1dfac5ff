// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IPausableUntil
 * @notice A contract that can be paused for a bounded time, after which it resumes by itself.
 * @dev What {EmergencyPauseSeal} calls on each of its targets (Lido's GateSeal calls the same shape,
 * `pauseFor(uint256)`, on its "sealables").
 */
interface IPausableUntil {
    /**
     * @notice Pauses the contract's guarded functions for `duration` seconds from now.
     * @param duration Seconds the pause lasts; it ends by itself afterwards.
     */
    function pauseFor(uint256 duration) external;

    /**
     * @notice When the current whole-contract pause ends.
     * @return until The timestamp from which the contract runs again; 0 when it is not paused this way.
     */
    function pausedUntil() external view returns (uint256 until);
}
