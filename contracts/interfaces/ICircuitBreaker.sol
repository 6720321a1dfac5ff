// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title ICircuitBreaker
 * @notice The hook a protected contract calls before each outflow of an asset (ERC-7265 style).
 */
interface ICircuitBreaker {
    /**
     * @notice Records an outflow of `amount` of `asset` from the caller and says whether it may leave.
     * @dev Returns false exactly once, for the outflow that crosses the limit: the breaker trips and
     * stays tripped (the caller must then skip that outflow and return without reverting, so that the
     * trip is kept). Every later outflow of the asset from the caller reverts until an admin resets it.
     * Outflows of an asset without a rule are allowed and not recorded.
     * @param asset The token leaving the caller.
     * @param amount Amount leaving, in the token's smallest unit.
     * @return allowed True when the outflow may proceed.
     */
    function onOutflow(address asset, uint256 amount) external returns (bool allowed);
}
