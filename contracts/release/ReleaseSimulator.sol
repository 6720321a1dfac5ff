// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title ReleaseSimulator
 * @notice Never deployed: its runtime is placed at a Safe's address in `eth_call` (state override)
 * to run a release batch as the Safe and get the failing call's revert data back, which Safe 1.4.1's
 * MultiSendCallOnly drops.
 */
contract ReleaseSimulator {
    function run(address[] calldata targets, uint256[] calldata values, bytes[] calldata payloads) external payable {
        for (uint256 i = 0; i < targets.length; ++i) {
            (bool success, bytes memory returndata) = targets[i].call{value: values[i]}(payloads[i]);
            if (!success) {
                assembly ("memory-safe") {
                    revert(add(returndata, 0x20), mload(returndata))
                }
            }
        }
    }
}
