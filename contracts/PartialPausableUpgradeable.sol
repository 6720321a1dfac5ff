// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

/**
 * @title PartialPausableUpgradeable
 * @notice Partial lockdown for upgradeable protocol contracts: pause single functions (by selector) or
 * single assets instead of everything, plus a whole-contract pause that ends by itself at a set time
 * (what {EmergencyPauseSeal} uses).
 * @dev A module in the style of OpenZeppelin's PausableUpgradeable, meant to sit beside it: Pausable
 * stays the "stop everything until governance says otherwise" switch, this module adds the finer and
 * the self-expiring ones. Who may pause and unpause is the inheriting contract's decision: it exposes
 * the internal setters behind its own access control. Guarded functions call {_requireNotLockedDown}
 * (or use {whenNotLockedDown}) with the asset they move.
 *
 * Aave v3 (per-reserve pause/freeze) and Compound (per-market, per-action `_setMintPaused`,
 * `_setBorrowPaused` guardians) are the models: in an incident the affected market or action stops
 * while repayments and unaffected markets keep working.
 */
abstract contract PartialPausableUpgradeable is Initializable {
    /// @custom:storage-location erc7201:bulwark.PartialPausable
    struct PartialPausableStorage {
        // Whole-contract pause end; 0 or a past time means not paused this way.
        uint64 _pausedUntil;
        mapping(bytes4 selector => bool) _selectorPaused;
        mapping(address asset => bool) _assetPaused;
    }

    // keccak256(abi.encode(uint256(keccak256("bulwark.PartialPausable")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant PARTIAL_PAUSABLE_STORAGE_LOCATION =
        0x02274e5d0f1c92f8f5f5c17439d4876af67043d293611ff183b3417cf21e7000;

    /**
     * @notice Emitted when a whole-contract pause started that ends by itself at `until`.
     * @param account Who paused.
     * @param until Timestamp from which the contract runs again.
     */
    event TimedPauseStarted(address indexed account, uint256 until);

    /**
     * @notice Emitted when a whole-contract timed pause was lifted before its end.
     * @param account Who lifted it.
     */
    event TimedPauseLifted(address indexed account);

    /**
     * @notice Emitted when the function with `selector` was paused or resumed.
     * @param selector The function's 4-byte selector.
     * @param paused True when it is now paused.
     * @param account Who changed it.
     */
    event SelectorPauseChanged(bytes4 indexed selector, bool paused, address indexed account);

    /**
     * @notice Emitted when operations moving `asset` were paused or resumed.
     * @param asset The asset.
     * @param paused True when it is now paused.
     * @param account Who changed it.
     */
    event AssetPauseChanged(address indexed asset, bool paused, address indexed account);

    /**
     * @notice The contract is under a timed pause.
     * @param until Timestamp from which it runs again.
     */
    error PartialPausableTimedPause(uint256 until);

    /**
     * @notice The called function is paused.
     * @param selector Its selector.
     */
    error PartialPausableSelectorPaused(bytes4 selector);

    /**
     * @notice Operations moving this asset are paused.
     * @param asset The asset.
     */
    error PartialPausableAssetPaused(address asset);

    /**
     * @notice A timed pause of zero seconds, or one ending past the 64-bit timestamp range.
     * @param duration The rejected duration in seconds.
     */
    error PartialPausableInvalidDuration(uint256 duration);

    /// @dev Reverts when the called function (`msg.sig`) or `asset` is locked down, or a timed pause runs.
    modifier whenNotLockedDown(address asset) {
        _requireNotLockedDown(msg.sig, asset);
        _;
    }

    // solhint-disable-next-line func-name-mixedcase
    function __PartialPausable_init() internal onlyInitializing {}

    // solhint-disable-next-line func-name-mixedcase
    function __PartialPausable_init_unchained() internal onlyInitializing {}

    /**
     * @notice When the current timed pause ends.
     * @return until The timestamp from which the contract runs again; 0 when no timed pause runs.
     */
    function pausedUntil() public view virtual returns (uint256 until) {
        uint256 end = _getPartialPausableStorage()._pausedUntil;
        return end > block.timestamp ? end : 0;
    }

    /**
     * @notice Whether the function with `selector` is paused.
     * @param selector The function's selector.
     * @return paused True when paused.
     */
    function isSelectorPaused(bytes4 selector) public view virtual returns (bool paused) {
        return _getPartialPausableStorage()._selectorPaused[selector];
    }

    /**
     * @notice Whether operations moving `asset` are paused.
     * @param asset The asset.
     * @return paused True when paused.
     */
    function isAssetPaused(address asset) public view virtual returns (bool paused) {
        return _getPartialPausableStorage()._assetPaused[asset];
    }

    /**
     * @dev Reverts with the most specific reason when `selector` may not run now for `asset`: a timed
     * pause first (it covers everything), then the function, then the asset.
     */
    function _requireNotLockedDown(bytes4 selector, address asset) internal view virtual {
        PartialPausableStorage storage $ = _getPartialPausableStorage();
        uint256 end = $._pausedUntil;
        if (end > block.timestamp) revert PartialPausableTimedPause(end);
        if ($._selectorPaused[selector]) revert PartialPausableSelectorPaused(selector);
        if ($._assetPaused[asset]) revert PartialPausableAssetPaused(asset);
    }

    /**
     * @dev Pauses every guarded function for `duration` seconds from now. A later call replaces the end
     * time, so a caller allowed to pause may also shorten a running timed pause; restrict accordingly.
     */
    function _pauseFor(uint256 duration) internal virtual {
        if (duration == 0 || duration > type(uint64).max - block.timestamp) revert PartialPausableInvalidDuration(duration);
        // Cannot overflow: checked against type(uint64).max - block.timestamp just above.
        uint64 end;
        unchecked {
            end = uint64(block.timestamp + duration);
        }
        _getPartialPausableStorage()._pausedUntil = end;
        emit TimedPauseStarted(msg.sender, end);
    }

    /// @dev Ends a running timed pause now.
    function _liftTimedPause() internal virtual {
        _getPartialPausableStorage()._pausedUntil = 0;
        emit TimedPauseLifted(msg.sender);
    }

    /// @dev Pauses (`paused` true) or resumes the function with `selector`.
    function _setSelectorPaused(bytes4 selector, bool paused) internal virtual {
        _getPartialPausableStorage()._selectorPaused[selector] = paused;
        emit SelectorPauseChanged(selector, paused, msg.sender);
    }

    /// @dev Pauses (`paused` true) or resumes operations moving `asset`.
    function _setAssetPaused(address asset, bool paused) internal virtual {
        _getPartialPausableStorage()._assetPaused[asset] = paused;
        emit AssetPauseChanged(asset, paused, msg.sender);
    }

    function _getPartialPausableStorage() private pure returns (PartialPausableStorage storage $) {
        assembly {
            $.slot := PARTIAL_PAUSABLE_STORAGE_LOCATION
        }
    }
}
