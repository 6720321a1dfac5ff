// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title Create2Deployer
 * @notice Deterministic deployment of patch implementations: the address depends only on this
 * deployer, the salt and the creation code, so a release plan knows every implementation address
 * (and its runtime codehash, which the ReleaseGate checks) before anything is signed.
 *
 * `deploy` is idempotent: when the address already holds code (someone replayed the public creation
 * code first, or a retried release) it returns that address instead of reverting, so a front-run
 * deployment cannot block a release. The ReleaseGate's codehash check is what guarantees the code.
 */
contract Create2Deployer {
    /// @notice Emitted when `deployed` is created from `salt`; `codehash` is its runtime codehash.
    event Create2Deployed(address indexed deployed, bytes32 indexed salt, bytes32 codehash);

    /// @notice The creation code reverted or produced no code.
    error Create2DeployFailed(bytes32 salt);

    /// @notice Deploys `initCode` with CREATE2 under `salt` (or returns the existing contract there).
    function deploy(bytes32 salt, bytes calldata initCode) external payable returns (address deployed) {
        deployed = computeAddress(salt, keccak256(initCode));
        if (deployed.code.length != 0) return deployed;
        deployed = _create2(salt, initCode);
        emit Create2Deployed(deployed, salt, deployed.codehash);
    }

    /**
     * @notice Deploys and returns the runtime code. Meant for `eth_call` only (the state change is
     * discarded): it tells a planner the exact runtime, immutables included, before anything is sent.
     */
    function probe(bytes32 salt, bytes calldata initCode) external payable returns (address deployed, bytes memory code) {
        deployed = computeAddress(salt, keccak256(initCode));
        if (deployed.code.length == 0) deployed = _create2(salt, initCode);
        code = deployed.code;
    }

    /// @notice The address `deploy(salt, initCode)` creates, from `keccak256(initCode)`.
    function computeAddress(bytes32 salt, bytes32 initCodeHash) public view returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, initCodeHash)))));
    }

    function _create2(bytes32 salt, bytes calldata initCode) private returns (address deployed) {
        bytes memory code = initCode;
        assembly ("memory-safe") {
            deployed := create2(callvalue(), add(code, 0x20), mload(code), salt)
        }
        if (deployed == address(0) || deployed.code.length == 0) revert Create2DeployFailed(salt);
    }
}
