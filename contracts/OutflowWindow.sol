// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title OutflowWindow
 * @notice The window arithmetic of {CircuitBreaker}: a rolling window in which every recorded outflow
 * ages out linearly over `window` seconds.
 * @dev The usage recorded at `updatedAt` falls by `limit / window` per second (rounded down, so in
 * the protocol's favour), and an outflow is allowed while usage plus the outflow stays at or under
 * `limit`. Consequences, checked by the property tests: a single burst never exceeds `limit`; a
 * whole idle window restores the full limit; over any interval of `window` seconds at most
 * `2 * limit` can leave (the usual token-bucket bound), and the long-run rate is `limit` per window.
 * One storage word holds the state, which keeps the breaker's cost per outflow low; an exact
 * sliding sum would need the outflow history (ERC-7265's tick list).
 */
library OutflowWindow {
    /**
     * @notice The usage at `timestamp` of a window whose usage was `used` at `updatedAt`.
     * @param used Usage recorded at `updatedAt`.
     * @param updatedAt When it was recorded; not after `timestamp`.
     * @param limit The window's limit (below 2^128).
     * @param window The window length in seconds (non-zero, below 2^128).
     * @param timestamp The time asked about.
     * @return usage What is still counted against the limit.
     */
    function usageAt(uint256 used, uint256 updatedAt, uint256 limit, uint256 window, uint256 timestamp)
        internal
        pure
        returns (uint256 usage)
    {
        uint256 elapsed = timestamp - updatedAt;
        if (elapsed >= window) return 0;
        // limit < 2^128 and elapsed < window < 2^128, so the product fits in 256 bits.
        uint256 released = limit * elapsed / window;
        return used > released ? used - released : 0;
    }

    /**
     * @notice Records an outflow of `amount` at `timestamp`.
     * @param used Usage recorded at `updatedAt`.
     * @param updatedAt When it was recorded; not after `timestamp`.
     * @param limit The window's limit (below 2^128).
     * @param window The window length in seconds (non-zero, below 2^128).
     * @param timestamp When the outflow happens.
     * @param amount The outflow.
     * @return usage The usage including `amount` (what to record when allowed).
     * @return allowed True when `usage` stays at or under `limit`.
     */
    function record(uint256 used, uint256 updatedAt, uint256 limit, uint256 window, uint256 timestamp, uint256 amount)
        internal
        pure
        returns (uint256 usage, bool allowed)
    {
        uint256 current = usageAt(used, updatedAt, limit, window, timestamp);
        // An amount so large that the sum overflows is over any limit.
        if (amount > type(uint256).max - current) return (type(uint256).max, false);
        // Cannot overflow: checked just above.
        unchecked {
            usage = current + amount;
        }
        return (usage, usage <= limit);
    }
}
