// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ICircuitBreaker} from "./interfaces/ICircuitBreaker.sol";
import {OutflowWindow} from "./OutflowWindow.sol";

/**
 * @title CircuitBreaker
 * @notice Per-asset outflow limits over a rolling window for the contracts that call it (ERC-7265
 * style, draft). A protected contract calls {onOutflow} before every transfer out; the outflow that
 * would take the window's usage past the limit trips the breaker, and from then on every outflow of
 * that asset from that contract reverts until the owner resets the breaker. Guardians the owner names
 * (a monitor's responder key, a security council) may trip a breaker at once, before any outflow
 * crosses the limit; only the owner can reset it, so a guardian key can stop outflows but never
 * release them.
 * @dev Trip, then revert (not hold): the crossing outflow gets `false` instead of a revert, so that
 * the trip and its event survive the transaction; the protected contract skips that one transfer
 * without changing its books (the funds stay where they were, owed to the same account), which is
 * what a hold would achieve without the breaker ever taking custody of funds or needing a claim path.
 *
 * Rules are keyed by (protected contract, asset): the caller is the key, so no allow-list lookup is
 * needed and an unknown caller only ever reads an empty rule (allowed, nothing recorded). One storage
 * word per rule keeps the cost of a guarded outflow near one cold read and one write.
 * Timestamps are stored in 32 bits (valid until 2106); limits in 96 bits; windows in 24 bits (~194 days).
 */
contract CircuitBreaker is Ownable, ICircuitBreaker {
    /**
     * @notice A limit and its window state; stored packed in one word.
     * @param limit Most that may leave within the window (0: no rule).
     * @param used Usage recorded at `updatedAt`.
     * @param updatedAt When `used` was recorded.
     * @param window Window length in seconds.
     * @param tripped True once an outflow crossed the limit, until reset.
     */
    struct Rule {
        uint96 limit;
        uint96 used;
        uint32 updatedAt;
        uint24 window;
        bool tripped;
    }

    // Bit 248 of a packed rule: tripped.
    uint256 private constant TRIPPED_BIT = 1 << 248;
    // Bits 96-223 of a packed rule: used and updatedAt.
    uint256 private constant USED_AND_UPDATED_AT_MASK = ((1 << 128) - 1) << 96;

    // Each rule packed in one word (see {_pack}); zero means no rule.
    mapping(address protectedContract => mapping(address asset => uint256)) private _packedRules;

    // Accounts that may trip breakers (not reset them, nor set rules).
    mapping(address account => bool) private _guardians;

    /**
     * @notice Emitted when a rule was set (or replaced); its usage starts at zero.
     * @param protectedContract The contract whose outflows are limited.
     * @param asset The asset limited.
     * @param limit Most that may leave within a window.
     * @param window Window length in seconds.
     */
    event CircuitBreakerRuleSet(address indexed protectedContract, address indexed asset, uint256 limit, uint256 window);

    /**
     * @notice Emitted when a rule was removed: outflows of the asset are no longer limited.
     * @param protectedContract The contract.
     * @param asset The asset.
     */
    event CircuitBreakerRuleRemoved(address indexed protectedContract, address indexed asset);

    /**
     * @notice Emitted when an outflow would have crossed the limit: it was refused and the breaker tripped.
     * @param protectedContract The contract the outflow was leaving.
     * @param asset The asset.
     * @param usage The window's usage before the refused outflow.
     * @param amount The refused outflow.
     * @param limit The limit it would have crossed.
     */
    event CircuitBreakerTripped(
        address indexed protectedContract, address indexed asset, uint256 usage, uint256 amount, uint256 limit
    );

    /**
     * @notice Emitted when the owner or a guardian tripped a breaker by hand: outflows stop until the owner resets it.
     * @param protectedContract The contract.
     * @param asset The asset.
     * @param by Who tripped it.
     */
    event CircuitBreakerTrippedBy(address indexed protectedContract, address indexed asset, address indexed by);

    /**
     * @notice Emitted when the owner named or removed a guardian.
     * @param guardian The account.
     * @param allowed Whether it may now trip breakers.
     */
    event CircuitBreakerGuardianSet(address indexed guardian, bool allowed);

    /**
     * @notice Emitted when the owner reset a breaker: the trip is cleared and the usage is zero.
     * @param protectedContract The contract.
     * @param asset The asset.
     * @param wasTripped Whether the breaker was tripped before the reset.
     */
    event CircuitBreakerReset(address indexed protectedContract, address indexed asset, bool wasTripped);

    /**
     * @notice The breaker for this contract and asset is tripped: outflows stop until the owner resets it.
     * @param protectedContract The contract.
     * @param asset The asset.
     */
    error CircuitBreakerIsTripped(address protectedContract, address asset);

    /**
     * @notice A rule with a zero or too large limit or window.
     * @param limit The rejected limit (1 to 2^96 - 1).
     * @param window The rejected window (1 to 2^24 - 1 seconds).
     */
    error CircuitBreakerInvalidRule(uint256 limit, uint256 window);

    /**
     * @notice No rule exists for this contract and asset.
     * @param protectedContract The contract.
     * @param asset The asset.
     */
    error CircuitBreakerNoRule(address protectedContract, address asset);

    /**
     * @notice The caller is neither the owner nor a guardian, so it may not trip breakers.
     * @param caller The caller.
     */
    error CircuitBreakerUnauthorizedGuardian(address caller);

    /**
     * @notice Sets the owner (the timelock or security council) who sets rules and resets breakers.
     * @param initialOwner The owner.
     */
    constructor(address initialOwner) Ownable(initialOwner) {}

    /// @inheritdoc ICircuitBreaker
    function onOutflow(address asset, uint256 amount) external virtual returns (bool allowed) {
        // The hot path of every guarded outflow: one SLOAD, one SSTORE, fields unpacked on the stack
        // (layout in {_pack}).
        mapping(address asset => uint256) storage rules = _packedRules[msg.sender];
        uint256 packed = rules[asset];
        if (packed == 0) return true;
        if (packed & TRIPPED_BIT != 0) revert CircuitBreakerIsTripped(msg.sender, asset);
        uint256 limit = uint96(packed);
        uint256 used = uint96(packed >> 96);
        uint256 updatedAt = uint32(packed >> 192);
        uint256 window = uint24(packed >> 224);
        (uint256 usage, bool withinLimit) = OutflowWindow.record(used, updatedAt, limit, window, block.timestamp, amount);
        if (!withinLimit) {
            rules[asset] = packed | TRIPPED_BIT;
            emit CircuitBreakerTripped(
                msg.sender, asset, OutflowWindow.usageAt(used, updatedAt, limit, window, block.timestamp), amount, limit
            );
            return false;
        }
        // usage <= limit < 2^96 and block.timestamp < 2^32 until 2106, so both fit their fields.
        rules[asset] = (packed & ~USED_AND_UPDATED_AT_MASK) | (usage << 96) | (block.timestamp << 192);
        return true;
    }

    /**
     * @notice Limits outflows of `asset` from `protectedContract` to `limit` per `window` seconds,
     * replacing any rule; usage starts at zero and the breaker is untripped. Owner only.
     * @param protectedContract The contract whose outflows are limited.
     * @param asset The asset.
     * @param limit Most that may leave within a window (1 to 2^96 - 1).
     * @param window Window length in seconds (1 to 2^24 - 1).
     */
    function setRule(address protectedContract, address asset, uint256 limit, uint256 window) external virtual onlyOwner {
        if (limit == 0 || limit > type(uint96).max || window == 0 || window > type(uint24).max) {
            revert CircuitBreakerInvalidRule(limit, window);
        }
        _packedRules[protectedContract][asset] = _pack(
            Rule({limit: uint96(limit), used: 0, updatedAt: uint32(block.timestamp), window: uint24(window), tripped: false})
        );
        emit CircuitBreakerRuleSet(protectedContract, asset, limit, window);
    }

    /**
     * @notice Removes the rule: outflows of `asset` from `protectedContract` are no longer limited. Owner only.
     * @param protectedContract The contract.
     * @param asset The asset.
     */
    function removeRule(address protectedContract, address asset) external virtual onlyOwner {
        if (_packedRules[protectedContract][asset] == 0) revert CircuitBreakerNoRule(protectedContract, asset);
        delete _packedRules[protectedContract][asset];
        emit CircuitBreakerRuleRemoved(protectedContract, asset);
    }

    /**
     * @notice Trips the breaker for `protectedContract` and `asset` now: every outflow of the asset from
     * the contract reverts until the owner resets it. Owner or guardian; tripping a tripped breaker
     * does nothing (so two responders racing do not revert).
     * @param protectedContract The contract.
     * @param asset The asset.
     */
    function trip(address protectedContract, address asset) external virtual {
        if (msg.sender != owner() && !_guardians[msg.sender]) revert CircuitBreakerUnauthorizedGuardian(msg.sender);
        uint256 packed = _packedRules[protectedContract][asset];
        if (packed == 0) revert CircuitBreakerNoRule(protectedContract, asset);
        if (packed & TRIPPED_BIT != 0) return;
        _packedRules[protectedContract][asset] = packed | TRIPPED_BIT;
        emit CircuitBreakerTrippedBy(protectedContract, asset, msg.sender);
    }

    /**
     * @notice Names or removes a guardian: an account that may trip breakers (not reset them). Owner only.
     * @param guardian The account.
     * @param allowed Whether it may trip breakers.
     */
    function setGuardian(address guardian, bool allowed) external virtual onlyOwner {
        _guardians[guardian] = allowed;
        emit CircuitBreakerGuardianSet(guardian, allowed);
    }

    /**
     * @notice Whether `account` may trip breakers (the owner always may).
     * @param account The account.
     * @return allowed True for the owner and for guardians.
     */
    function isGuardian(address account) external view virtual returns (bool allowed) {
        return account == owner() || _guardians[account];
    }

    /**
     * @notice The admin override: clears a trip and the window's usage, so outflows resume. Owner only.
     * @param protectedContract The contract.
     * @param asset The asset.
     */
    function reset(address protectedContract, address asset) external virtual onlyOwner {
        uint256 packed = _packedRules[protectedContract][asset];
        if (packed == 0) revert CircuitBreakerNoRule(protectedContract, asset);
        Rule memory rule = _unpack(packed);
        bool wasTripped = rule.tripped;
        rule.tripped = false;
        rule.used = 0;
        rule.updatedAt = uint32(block.timestamp);
        _packedRules[protectedContract][asset] = _pack(rule);
        emit CircuitBreakerReset(protectedContract, asset, wasTripped);
    }

    /**
     * @notice The rule for `protectedContract` and `asset`, with its usage as of now.
     * @param protectedContract The contract.
     * @param asset The asset.
     * @return limit Most that may leave within a window (0: no rule).
     * @return window Window length in seconds.
     * @return usage What counts against the limit now.
     * @return tripped Whether outflows are stopped.
     */
    function ruleOf(address protectedContract, address asset)
        external
        view
        virtual
        returns (uint256 limit, uint256 window, uint256 usage, bool tripped)
    {
        Rule memory rule = _unpack(_packedRules[protectedContract][asset]);
        if (rule.limit == 0) return (0, 0, 0, false);
        usage = OutflowWindow.usageAt(rule.used, rule.updatedAt, rule.limit, rule.window, block.timestamp);
        return (rule.limit, rule.window, usage, rule.tripped);
    }

    /**
     * @notice How much of `asset` may leave `protectedContract` right now without tripping the breaker.
     * @param protectedContract The contract.
     * @param asset The asset.
     * @return available The remaining allowance; 0 when tripped; `type(uint256).max` without a rule.
     */
    function availableOutflow(address protectedContract, address asset) external view virtual returns (uint256 available) {
        Rule memory rule = _unpack(_packedRules[protectedContract][asset]);
        if (rule.limit == 0) return type(uint256).max;
        if (rule.tripped) return 0;
        return rule.limit - OutflowWindow.usageAt(rule.used, rule.updatedAt, rule.limit, rule.window, block.timestamp);
    }

    /// @dev Bits 0-95 limit, 96-191 used, 192-223 updatedAt, 224-247 window, 248 tripped. A set rule has a non-zero limit.
    function _pack(Rule memory rule) internal pure returns (uint256 packed) {
        return uint256(rule.limit) | (uint256(rule.used) << 96) | (uint256(rule.updatedAt) << 192)
            | (uint256(rule.window) << 224) | (rule.tripped ? uint256(1) << 248 : 0);
    }

    /// @dev The inverse of {_pack}.
    function _unpack(uint256 packed) internal pure returns (Rule memory rule) {
        rule.limit = uint96(packed);
        rule.used = uint96(packed >> 96);
        rule.updatedAt = uint32(packed >> 192);
        rule.window = uint24(packed >> 224);
        rule.tripped = (packed >> 248) & 1 == 1;
    }
}
