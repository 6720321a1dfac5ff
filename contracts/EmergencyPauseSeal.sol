// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPausableUntil} from "./interfaces/IPausableUntil.sol";

/**
 * @title EmergencyPauseSeal
 * @notice A one-shot, expiring emergency pause (Lido's GateSeal): a pause committee may pause some or
 * all of a fixed set of targets once, for at most a fixed duration; the seal can be used only once
 * and expires at a set time even if never used.
 * @dev The seal needs the targets' permission to call {IPausableUntil-pauseFor} (e.g. their pauser
 * role). Everything is fixed at construction, so the committee's power is exactly: one pause, of
 * these targets, no longer than `maxPauseDuration`, before `expiresAt`. Unpausing early and
 * replacing a spent seal are governance's (the timelock's) business. The committee may be a Safe
 * or an EOA.
 */
contract EmergencyPauseSeal {
    address private immutable _committee;
    uint256 private immutable _maxPauseDuration;
    uint256 private immutable _expiresAt;
    address[] private _targets;
    uint256 private _usedAt;

    /**
     * @notice Emitted when the committee used the seal.
     * @param committee Who used it.
     * @param targets The targets paused.
     * @param duration Seconds the pause lasts.
     * @param pausedUntil Timestamp from which the targets run again.
     */
    event EmergencyPauseSealUsed(address indexed committee, address[] targets, uint256 duration, uint256 pausedUntil);

    /**
     * @notice The caller is not the pause committee.
     * @param caller The caller.
     */
    error EmergencyPauseSealUnauthorized(address caller);

    /**
     * @notice The seal expired unused.
     * @param expiredAt When it expired.
     */
    error EmergencyPauseSealExpired(uint256 expiredAt);

    /**
     * @notice The seal was used already; it works once.
     * @param usedAt When it was used.
     */
    error EmergencyPauseSealAlreadyUsed(uint256 usedAt);

    /**
     * @notice A requested pause is longer than the seal allows (or zero).
     * @param requested The requested duration in seconds.
     * @param maximum The longest allowed.
     */
    error EmergencyPauseSealInvalidDuration(uint256 requested, uint256 maximum);

    /**
     * @notice An address that is not one of the seal's targets, or a target given twice.
     * @param target The address.
     */
    error EmergencyPauseSealInvalidTarget(address target);

    /// @notice A seal with no targets, or a use that names none.
    error EmergencyPauseSealNoTargets();

    /**
     * @notice A construction parameter is out of range.
     * @param maxPauseDuration The given maximum pause in seconds (must be non-zero).
     * @param expiresAt The given expiry (must be in the future).
     */
    error EmergencyPauseSealInvalidConfiguration(uint256 maxPauseDuration, uint256 expiresAt);

    /**
     * @notice Fixes the committee, the targets, the longest pause and the expiry.
     * @param committee_ The only account that may use the seal (a Safe or an EOA).
     * @param targets_ The contracts the seal may pause (each implements {IPausableUntil}); no duplicates.
     * @param maxPauseDuration_ The longest pause, in seconds.
     * @param expiresAt_ Timestamp after which the seal can no longer be used.
     */
    constructor(address committee_, address[] memory targets_, uint256 maxPauseDuration_, uint256 expiresAt_) {
        if (committee_ == address(0)) revert EmergencyPauseSealUnauthorized(committee_);
        if (targets_.length == 0) revert EmergencyPauseSealNoTargets();
        if (maxPauseDuration_ == 0 || expiresAt_ <= block.timestamp) {
            revert EmergencyPauseSealInvalidConfiguration(maxPauseDuration_, expiresAt_);
        }
        for (uint256 i = 0; i < targets_.length; ++i) {
            if (targets_[i] == address(0)) revert EmergencyPauseSealInvalidTarget(targets_[i]);
            for (uint256 j = 0; j < i; ++j) {
                if (targets_[j] == targets_[i]) revert EmergencyPauseSealInvalidTarget(targets_[i]);
            }
        }
        _committee = committee_;
        _targets = targets_;
        _maxPauseDuration = maxPauseDuration_;
        _expiresAt = expiresAt_;
    }

    /**
     * @notice Pauses `sealTargets` (a non-empty subset of the seal's targets, without repeats) for
     * `duration` seconds, and spends the seal. Committee only, once, before expiry.
     * @param sealTargets The targets to pause.
     * @param duration Seconds the pause lasts (1 to {maxPauseDuration}).
     */
    function seal(address[] calldata sealTargets, uint256 duration) external virtual {
        if (msg.sender != _committee) revert EmergencyPauseSealUnauthorized(msg.sender);
        if (_usedAt != 0) revert EmergencyPauseSealAlreadyUsed(_usedAt);
        if (block.timestamp > _expiresAt) revert EmergencyPauseSealExpired(_expiresAt);
        if (duration == 0 || duration > _maxPauseDuration) {
            revert EmergencyPauseSealInvalidDuration(duration, _maxPauseDuration);
        }
        if (sealTargets.length == 0) revert EmergencyPauseSealNoTargets();
        for (uint256 i = 0; i < sealTargets.length; ++i) {
            if (!_isTarget(sealTargets[i])) revert EmergencyPauseSealInvalidTarget(sealTargets[i]);
            for (uint256 j = 0; j < i; ++j) {
                if (sealTargets[j] == sealTargets[i]) revert EmergencyPauseSealInvalidTarget(sealTargets[i]);
            }
        }

        _usedAt = block.timestamp;
        emit EmergencyPauseSealUsed(msg.sender, sealTargets, duration, block.timestamp + duration);
        for (uint256 i = 0; i < sealTargets.length; ++i) {
            IPausableUntil(sealTargets[i]).pauseFor(duration);
        }
    }

    /// @notice The only account that may use the seal.
    /// @return The committee.
    function committee() external view virtual returns (address) {
        return _committee;
    }

    /// @notice The contracts the seal may pause.
    /// @return The targets.
    function targets() external view virtual returns (address[] memory) {
        return _targets;
    }

    /// @notice The longest pause the seal can impose, in seconds.
    /// @return The duration.
    function maxPauseDuration() external view virtual returns (uint256) {
        return _maxPauseDuration;
    }

    /// @notice Timestamp after which the seal can no longer be used.
    /// @return The expiry.
    function expiresAt() external view virtual returns (uint256) {
        return _expiresAt;
    }

    /// @notice When the seal was used; 0 while unused.
    /// @return The timestamp.
    function usedAt() external view virtual returns (uint256) {
        return _usedAt;
    }

    /// @notice Whether the committee can still use the seal now (unused and not expired).
    /// @return True when usable.
    function isUsable() external view virtual returns (bool) {
        return _usedAt == 0 && block.timestamp <= _expiresAt;
    }

    function _isTarget(address target) private view returns (bool) {
        uint256 count = _targets.length;
        for (uint256 i = 0; i < count; ++i) {
            if (_targets[i] == target) return true;
        }
        return false;
    }
}
