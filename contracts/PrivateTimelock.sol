// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";

/**
 * @title PrivateTimelock
 * @notice A timelock that publishes only a commitment while an operation waits: scheduling stores
 * `keccak256(abi.encode(targets, values, payloads, salt))` and its ready time, nothing else; execute
 * reveals the calls, which must hash to a scheduled, ready commitment. With {deploy} as one of the
 * calls, the fix's implementation is created by CREATE2 inside the very transaction that activates
 * it, so neither its bytecode nor the upgrade calldata is on chain before the fix is live.
 * @dev Roles, delay and cancellation follow OpenZeppelin's TimelockController: PROPOSER_ROLE
 * schedules, EXECUTOR_ROLE executes (open to anyone when the zero address holds it), CANCELLER_ROLE
 * cancels, and the delay changes only through the timelock itself. The trade-off: during the delay
 * nobody outside the proposers can review what will run (they see that something will run, and
 * when) — see docs/onchain.md for when a team should accept that.
 */
contract PrivateTimelock is AccessControl {
    /// @notice May schedule commitments.
    bytes32 public constant PROPOSER_ROLE = keccak256("PROPOSER_ROLE");
    /// @notice May execute ready operations (anyone when the zero address holds it).
    bytes32 public constant EXECUTOR_ROLE = keccak256("EXECUTOR_ROLE");
    /// @notice May cancel pending operations.
    bytes32 public constant CANCELLER_ROLE = keccak256("CANCELLER_ROLE");

    // Marks an executed operation in `_timestamps` (a ready time is always later than 1).
    uint256 private constant DONE_TIMESTAMP = 1;

    mapping(bytes32 commitment => uint256) private _timestamps;
    uint256 private _minDelay;

    /**
     * @notice Emitted when a commitment was scheduled. Nothing about the calls is published.
     * @param commitment The operation's commitment (its id).
     * @param delay Seconds it must wait.
     * @param readyAt Timestamp from which it may execute.
     */
    event PrivateCallScheduled(bytes32 indexed commitment, uint256 delay, uint256 readyAt);

    /**
     * @notice Emitted when an operation was executed (its calls are in the transaction input).
     * @param commitment The operation's commitment.
     * @param callCount How many calls it made.
     */
    event PrivateCallExecuted(bytes32 indexed commitment, uint256 callCount);

    /**
     * @notice Emitted when a pending operation was cancelled.
     * @param commitment The operation's commitment.
     */
    event PrivateCallCancelled(bytes32 indexed commitment);

    /**
     * @notice Emitted when an operation deployed a contract with CREATE2.
     * @param deployed The new contract.
     * @param salt The CREATE2 salt.
     * @param codehash Its runtime codehash.
     */
    event PrivateContractDeployed(address indexed deployed, bytes32 salt, bytes32 codehash);

    /**
     * @notice Emitted when the minimum delay changed.
     * @param previousDelay The old delay in seconds.
     * @param newDelay The new delay in seconds.
     */
    event MinDelayChanged(uint256 previousDelay, uint256 newDelay);

    /**
     * @notice The commitment is scheduled (or was executed) already.
     * @param commitment The commitment.
     */
    error PrivateTimelockOperationExists(bytes32 commitment);

    /**
     * @notice The revealed calls hash to a commitment that was never scheduled (or was cancelled).
     * @param commitment The hash of the revealed calls.
     */
    error PrivateTimelockUnknownCommitment(bytes32 commitment);

    /**
     * @notice The operation's delay has not passed yet.
     * @param commitment The commitment.
     * @param readyAt Timestamp from which it may execute.
     */
    error PrivateTimelockNotReady(bytes32 commitment, uint256 readyAt);

    /**
     * @notice The operation was executed already.
     * @param commitment The commitment.
     */
    error PrivateTimelockAlreadyExecuted(bytes32 commitment);

    /**
     * @notice A delay below the minimum.
     * @param delay The requested delay.
     * @param minDelay The minimum.
     */
    error PrivateTimelockInsufficientDelay(uint256 delay, uint256 minDelay);

    /**
     * @notice Targets, values and payloads of different lengths, or none at all.
     * @param targets Number of targets.
     * @param values Number of values.
     * @param payloads Number of payloads.
     */
    error PrivateTimelockInvalidOperationLength(uint256 targets, uint256 values, uint256 payloads);

    /**
     * @notice A function only the timelock itself may call (through an executed operation).
     * @param caller The caller.
     */
    error PrivateTimelockUnauthorizedCaller(address caller);

    /**
     * @notice Sets the delay and the roles; the timelock administers itself, plus `admin` when non-zero.
     * @param minDelay_ Seconds every operation waits at least.
     * @param proposers Receive PROPOSER_ROLE and CANCELLER_ROLE.
     * @param executors Receive EXECUTOR_ROLE (include the zero address to let anyone execute).
     * @param admin Optional extra admin for setting up; should renounce afterwards. Zero for none.
     */
    constructor(uint256 minDelay_, address[] memory proposers, address[] memory executors, address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, address(this));
        if (admin != address(0)) _grantRole(DEFAULT_ADMIN_ROLE, admin);
        for (uint256 i = 0; i < proposers.length; ++i) {
            _grantRole(PROPOSER_ROLE, proposers[i]);
            _grantRole(CANCELLER_ROLE, proposers[i]);
        }
        for (uint256 i = 0; i < executors.length; ++i) {
            _grantRole(EXECUTOR_ROLE, executors[i]);
        }
        _minDelay = minDelay_;
        emit MinDelayChanged(0, minDelay_);
    }

    /// @notice Accepts ether for operations that send value.
    receive() external payable virtual {}

    /**
     * @notice Schedules a commitment to run after `delay` seconds. PROPOSER_ROLE only.
     * @param commitment {hashOperation} of the calls, computed off chain; nothing else is published.
     * @param delay Seconds to wait, at least {getMinDelay}.
     */
    function schedule(bytes32 commitment, uint256 delay) external virtual onlyRole(PROPOSER_ROLE) {
        if (_timestamps[commitment] != 0) revert PrivateTimelockOperationExists(commitment);
        uint256 minDelay = _minDelay;
        if (delay < minDelay) revert PrivateTimelockInsufficientDelay(delay, minDelay);
        uint256 readyAt = block.timestamp + delay;
        _timestamps[commitment] = readyAt;
        emit PrivateCallScheduled(commitment, delay, readyAt);
    }

    /**
     * @notice Reveals and runs a ready operation's calls, in order, all or none. EXECUTOR_ROLE only
     * (anyone when the zero address holds it).
     * @param targets The called contracts (the timelock itself for {deploy} and {updateDelay}).
     * @param values Wei sent with each call.
     * @param payloads Calldata of each call.
     * @param salt The salt committed to.
     */
    function execute(address[] calldata targets, uint256[] calldata values, bytes[] calldata payloads, bytes32 salt)
        external
        payable
        virtual
    {
        if (!hasRole(EXECUTOR_ROLE, address(0))) _checkRole(EXECUTOR_ROLE);
        if (targets.length == 0 || targets.length != values.length || targets.length != payloads.length) {
            revert PrivateTimelockInvalidOperationLength(targets.length, values.length, payloads.length);
        }
        bytes32 commitment = hashOperation(targets, values, payloads, salt);
        uint256 readyAt = _timestamps[commitment];
        if (readyAt == 0) revert PrivateTimelockUnknownCommitment(commitment);
        if (readyAt == DONE_TIMESTAMP) revert PrivateTimelockAlreadyExecuted(commitment);
        if (readyAt > block.timestamp) revert PrivateTimelockNotReady(commitment, readyAt);
        // Marked done before the calls, so a call re-entering execute with the same operation fails.
        _timestamps[commitment] = DONE_TIMESTAMP;

        for (uint256 i = 0; i < targets.length; ++i) {
            (bool success, bytes memory returndata) = targets[i].call{value: values[i]}(payloads[i]);
            Address.verifyCallResult(success, returndata);
        }
        emit PrivateCallExecuted(commitment, targets.length);
    }

    /**
     * @notice Cancels a pending operation. CANCELLER_ROLE only.
     * @param commitment The commitment.
     */
    function cancel(bytes32 commitment) external virtual onlyRole(CANCELLER_ROLE) {
        uint256 readyAt = _timestamps[commitment];
        if (readyAt == 0) revert PrivateTimelockUnknownCommitment(commitment);
        if (readyAt == DONE_TIMESTAMP) revert PrivateTimelockAlreadyExecuted(commitment);
        delete _timestamps[commitment];
        emit PrivateCallCancelled(commitment);
    }

    /**
     * @notice Deploys `initCode` with CREATE2 from the timelock. Only the timelock itself, i.e. as a
     * call of an executed operation, so the bytecode first appears in the executing transaction.
     * @param salt The CREATE2 salt.
     * @param initCode The creation bytecode (with constructor arguments).
     * @return deployed The new contract's address.
     */
    function deploy(bytes32 salt, bytes calldata initCode) external payable virtual returns (address deployed) {
        if (msg.sender != address(this)) revert PrivateTimelockUnauthorizedCaller(msg.sender);
        deployed = Create2.deploy(msg.value, salt, initCode);
        emit PrivateContractDeployed(deployed, salt, deployed.codehash);
    }

    /**
     * @notice Changes the minimum delay. Only the timelock itself (through an operation that waited the old delay).
     * @param newDelay The new minimum in seconds.
     */
    function updateDelay(uint256 newDelay) external virtual {
        if (msg.sender != address(this)) revert PrivateTimelockUnauthorizedCaller(msg.sender);
        uint256 previous = _minDelay;
        _minDelay = newDelay;
        emit MinDelayChanged(previous, newDelay);
    }

    /**
     * @notice The commitment of an operation: what {schedule} takes and {execute} recomputes.
     * @param targets The called contracts.
     * @param values Wei sent with each call.
     * @param payloads Calldata of each call.
     * @param salt A random 32-byte value that keeps the commitment from being guessed.
     * @return commitment keccak256(abi.encode(targets, values, payloads, salt)).
     */
    function hashOperation(address[] calldata targets, uint256[] calldata values, bytes[] calldata payloads, bytes32 salt)
        public
        pure
        virtual
        returns (bytes32 commitment)
    {
        return keccak256(abi.encode(targets, values, payloads, salt));
    }

    /**
     * @notice The address {deploy} will create `initCode` at with `salt`.
     * @param salt The CREATE2 salt.
     * @param initCodeHash keccak256 of the creation bytecode.
     * @return The address.
     */
    function computeDeployAddress(bytes32 salt, bytes32 initCodeHash) external view virtual returns (address) {
        return Create2.computeAddress(salt, initCodeHash);
    }

    /// @notice Seconds every operation waits at least.
    /// @return The delay.
    function getMinDelay() external view virtual returns (uint256) {
        return _minDelay;
    }

    /**
     * @notice The ready time of an operation: 0 unknown, 1 executed, otherwise when it may execute.
     * @param commitment The commitment.
     * @return The timestamp.
     */
    function getTimestamp(bytes32 commitment) external view virtual returns (uint256) {
        return _timestamps[commitment];
    }

    /**
     * @notice Whether the commitment is scheduled and waiting or ready (not executed, not cancelled).
     * @param commitment The commitment.
     * @return True when pending.
     */
    function isOperationPending(bytes32 commitment) external view virtual returns (bool) {
        return _timestamps[commitment] > DONE_TIMESTAMP;
    }

    /**
     * @notice Whether the commitment was executed.
     * @param commitment The commitment.
     * @return True when done.
     */
    function isOperationDone(bytes32 commitment) external view virtual returns (bool) {
        return _timestamps[commitment] == DONE_TIMESTAMP;
    }
}
