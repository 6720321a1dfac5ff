// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title CounterexampleReplayer
 * @notice Replays a model-checker counterexample on a fork. It is both the caller of the harness and
 * the "unknown contract" the harness calls out to: every external call it receives (any selector,
 * e.g. the asset's `transfer`) makes the next queued re-entrant call into the target, as the
 * counterexample's "untrusted external call" did, and answers `true`.
 */
contract CounterexampleReplayer {
    address private _target;
    bytes[] private _reentrant;
    uint256 private _next;

    /**
     * @notice Calls `target` with `data`; re-entrant calls are made, in order, from inside the target's external calls.
     * @param target The harness.
     * @param data The outer call.
     * @param reentrant The calls made back into `target` when it calls this contract.
     * @return result The outer call's return data (reverts bubble up unchanged).
     */
    function replay(address target, bytes calldata data, bytes[] calldata reentrant) external returns (bytes memory result) {
        _target = target;
        delete _reentrant;
        for (uint256 i = 0; i < reentrant.length; ++i) _reentrant.push(reentrant[i]);
        _next = 0;
        result = _forward(data);
    }

    /// @notice Any call from the harness: make the next queued re-entrant call, then answer `true`.
    fallback(bytes calldata) external returns (bytes memory) {
        if (_next < _reentrant.length) {
            bytes memory data = _reentrant[_next];
            ++_next;
            _forward(data);
        }
        return abi.encode(true);
    }

    function _forward(bytes memory data) private returns (bytes memory) {
        (bool ok, bytes memory returned) = _target.call(data);
        if (!ok) {
            assembly {
                revert(add(returned, 32), mload(returned))
            }
        }
        return returned;
    }
}
