// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {OutflowWindow} from "../OutflowWindow.sol";
import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IPausableUntil} from "../interfaces/IPausableUntil.sol";
import {PartialPausableUpgradeable} from "../PartialPausableUpgradeable.sol";

/**
 * @title OutflowWindowHarness
 * @notice Test harness: runs {CircuitBreaker}'s state machine over a whole sequence in one call, so the
 * property tests can check thousands of sequences against a reference model.
 */
contract OutflowWindowHarness {
    /**
     * @notice Replays outflows at non-decreasing `times` against one rule, as the breaker would: each
     * allowed outflow is recorded; the first refused one trips the rule and every later one is refused.
     * @param limit The rule's limit.
     * @param window The rule's window in seconds.
     * @param start When the rule was set.
     * @param times Timestamp of each outflow (non-decreasing, not before `start`).
     * @param amounts Each outflow.
     * @return allowed Whether each outflow was allowed.
     * @return usage The recorded usage after each outflow (unchanged when refused).
     */
    function replay(uint256 limit, uint256 window, uint256 start, uint256[] calldata times, uint256[] calldata amounts)
        external
        pure
        returns (bool[] memory allowed, uint256[] memory usage)
    {
        allowed = new bool[](times.length);
        usage = new uint256[](times.length);
        // [used, updatedAt, tripped] in memory keeps the loop within the stack limit.
        uint256[3] memory state = [uint256(0), start, 0];
        for (uint256 i = 0; i < times.length; ++i) {
            if (state[2] == 0) {
                (uint256 next, bool ok) = OutflowWindow.record(state[0], state[1], limit, window, times[i], amounts[i]);
                if (ok) {
                    state[0] = next;
                    state[1] = times[i];
                    allowed[i] = true;
                } else {
                    state[2] = 1;
                }
            }
            usage[i] = state[0];
        }
    }

    /**
     * @notice {OutflowWindow-usageAt}, exposed.
     * @param used Usage recorded at `updatedAt`.
     * @param updatedAt When it was recorded.
     * @param limit The limit.
     * @param window The window in seconds.
     * @param timestamp The time asked about.
     * @return The usage then.
     */
    function usageAt(uint256 used, uint256 updatedAt, uint256 limit, uint256 window, uint256 timestamp)
        external
        pure
        returns (uint256)
    {
        return OutflowWindow.usageAt(used, updatedAt, limit, window, timestamp);
    }
}

/**
 * @title GuardedVaultHarness
 * @notice Test and benchmark harness: sends tokens out with or without asking a circuit breaker, so
 * the difference in gas is the breaker's overhead per outflow.
 */
contract GuardedVaultHarness {
    ICircuitBreaker private immutable _breaker;

    /// @notice The breaker refused the outflow (and tripped).
    error GuardedVaultHarnessRefused();

    /// @param breaker The breaker asked by {sendGuarded}.
    constructor(ICircuitBreaker breaker) {
        _breaker = breaker;
    }

    /**
     * @notice Sends `amount` of `token` to `to` after asking the breaker; a refusal returns without sending.
     * @param token The token.
     * @param to The recipient.
     * @param amount The amount.
     * @return sent Whether the tokens left.
     */
    function sendGuarded(IERC20 token, address to, uint256 amount) external returns (bool sent) {
        if (!_breaker.onOutflow(address(token), amount)) return false;
        token.transfer(to, amount);
        return true;
    }

    /**
     * @notice Sends `amount` of `token` to `to` without asking anyone (the baseline).
     * @param token The token.
     * @param to The recipient.
     * @param amount The amount.
     */
    function sendUnguarded(IERC20 token, address to, uint256 amount) external {
        token.transfer(to, amount);
    }
}

/**
 * @title PausableTargetHarness
 * @notice Test harness: a minimal protocol contract with partial lockdown, pausable by one pauser.
 */
contract PausableTargetHarness is PartialPausableUpgradeable, IPausableUntil {
    address private immutable _pauser;

    /// @notice The caller may not pause.
    /// @param caller The caller.
    error PausableTargetHarnessUnauthorized(address caller);

    /// @notice Emitted by {act} when it ran.
    /// @param asset The asset it moved.
    event Acted(address asset);

    /// @param pauser The only account allowed to pause.
    constructor(address pauser) {
        _pauser = pauser;
    }

    /// @inheritdoc IPausableUntil
    function pauseFor(uint256 duration) external {
        if (msg.sender != _pauser) revert PausableTargetHarnessUnauthorized(msg.sender);
        _pauseFor(duration);
    }

    /// @inheritdoc IPausableUntil
    function pausedUntil() public view override(IPausableUntil, PartialPausableUpgradeable) returns (uint256) {
        return super.pausedUntil();
    }

    /**
     * @notice Pauses or resumes a function.
     * @param selector The function.
     * @param paused Whether to pause.
     */
    function setSelectorPaused(bytes4 selector, bool paused) external {
        if (msg.sender != _pauser) revert PausableTargetHarnessUnauthorized(msg.sender);
        _setSelectorPaused(selector, paused);
    }

    /**
     * @notice Pauses or resumes an asset.
     * @param asset The asset.
     * @param paused Whether to pause.
     */
    function setAssetPaused(address asset, bool paused) external {
        if (msg.sender != _pauser) revert PausableTargetHarnessUnauthorized(msg.sender);
        _setAssetPaused(asset, paused);
    }

    /**
     * @notice A guarded operation on `asset`.
     * @param asset The asset.
     */
    function act(address asset) external whenNotLockedDown(asset) {
        emit Acted(asset);
    }

    /**
     * @notice Another guarded operation, to show a selector pause is per function.
     * @param asset The asset.
     */
    function actOther(address asset) external whenNotLockedDown(asset) {
        emit Acted(asset);
    }
}
