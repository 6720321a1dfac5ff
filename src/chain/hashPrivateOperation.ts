import { encodeAbiParameters, keccak256, type Hex } from 'viem'
import type { TimelockCall } from './scheduleAndExecuteViaSafe.js'

/**
 * The commitment a PrivateTimelock schedules: keccak256(abi.encode(targets, values, payloads, salt)),
 * the same as its `hashOperation`. Computed locally, so the calls never leave the proposer's machine
 * before execute.
 */
export function hashPrivateOperation({ calls, salt }: { calls: readonly TimelockCall[]; salt: Hex }): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'address[]' }, { type: 'uint256[]' }, { type: 'bytes[]' }, { type: 'bytes32' }],
      [calls.map((call) => call.target), calls.map((call) => call.value ?? 0n), calls.map((call) => call.data), salt],
    ),
  )
}
