import { encodeFunctionData, type Address, type Hash, type Hex, type LocalAccount } from 'viem'
import type { DevClient } from './clients.js'
import { reasonOf } from './deployContract.js'
import { TimelockOperationError } from './errors.js'
import { hashPrivateOperation } from './hashPrivateOperation.js'
import { privateTimelockAbi } from './privateTimelockAbi.js'
import type { TimelockCall } from './scheduleAndExecuteViaSafe.js'
import { sendAs } from './schedulePrivate.js'

export type ExecutePrivateParameters = {
  timelock: Address
  /** The calls committed to, in order (revealed now). */
  calls: readonly TimelockCall[]
  /** The salt committed to. */
  salt: Hex
  /** Execute through this Safe (which holds EXECUTOR_ROLE); otherwise the client's account executes. */
  safe?: { address: Address; signers: readonly LocalAccount[] } | undefined
}

export type ExecutePrivateReturnType = { commitment: Hex; transactionHash: Hash }

/**
 * Reveals and executes a ready PrivateTimelock operation: its calls must hash to the scheduled commitment.
 *
 * @throws {TimelockOperationError} (BW_GOVERNANCE_FAILED, stage "execute") the transaction reverted:
 * unknown commitment (calls or salt differ from what was scheduled), not ready yet, executed already,
 * caller without EXECUTOR_ROLE, or one of the calls reverted (the reason names it).
 */
export async function executePrivate(client: DevClient, { timelock, calls, salt, safe }: ExecutePrivateParameters): Promise<ExecutePrivateReturnType> {
  const commitment = hashPrivateOperation({ calls, salt })
  const data = encodeFunctionData({
    abi: privateTimelockAbi,
    functionName: 'execute',
    args: [calls.map((call) => call.target), calls.map((call) => call.value ?? 0n), calls.map((call) => call.data), salt],
  })
  const value = calls.reduce((sum, call) => sum + (call.value ?? 0n), 0n)
  try {
    const transactionHash = await sendAs(client, { to: timelock, data, value, safe })
    return { commitment, transactionHash }
  } catch (error) {
    throw new TimelockOperationError({ stage: 'execute', operationId: commitment, timelock, reason: reasonOf(error), cause: error })
  }
}
