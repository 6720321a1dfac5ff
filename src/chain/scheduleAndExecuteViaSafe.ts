import { randomBytes } from 'node:crypto'
import { encodeFunctionData, toHex, zeroHash, type Address, type Hash, type Hex, type LocalAccount } from 'viem'
import { TimelockOperationError } from './errors.js'
import { createDevClient, createReadClient, createTestChainClient } from './clients.js'
import { reasonOf } from './deployContract.js'
import { execSafeTransaction } from './execSafeTransaction.js'
import { timelockControllerAbi as timelockAbi } from './timelockControllerAbi.js'


export type TimelockCall = { target: Address; value?: bigint | undefined; data: Hex }

export type ScheduleAndExecuteViaSafeParameters = {
  rpcUrl: string
  chainId: number
  /** The Safe holding the timelock's PROPOSER_ROLE and EXECUTOR_ROLE. */
  safe: Address
  timelock: Address
  /** Executed in order, atomically, as one timelock batch. */
  calls: readonly TimelockCall[]
  /** Safe owners who sign both Safe transactions: at least the Safe's threshold of them. */
  signers: readonly LocalAccount[]
  /** Distinguishes otherwise identical batches; random by default, so the same calls can be run twice. */
  salt?: Hex | undefined
  /** Account paying gas for the two Safe transactions (default: the first signer). */
  submitter?: LocalAccount | undefined
}

export type ScheduleAndExecuteViaSafeReturnType = {
  operationId: Hex
  salt: Hex
  scheduleTransactionHash: Hash
  executeTransactionHash: Hash
  /** Timestamp from which the batch was executable (schedule time + delay). */
  readyAt: number
}

/**
 * Runs a batch of calls through the real governance path of a local devnet: the Safe (owner
 * signatures) calls `scheduleBatch` on the timelock, anvil's clock moves past the delay, and the
 * Safe calls `executeBatch`. What the timelock executes is exactly what was scheduled.
 *
 * @throws {TimelockOperationError} scheduling or execution failed (the reason names the revert).
 */
export async function scheduleAndExecuteViaSafe({
  rpcUrl,
  chainId,
  safe,
  timelock,
  calls,
  signers,
  salt = toHex(randomBytes(32)),
  submitter = signers[0],
}: ScheduleAndExecuteViaSafeParameters): Promise<ScheduleAndExecuteViaSafeReturnType> {
  const reader = createReadClient({ rpcUrl })
  const testClient = createTestChainClient({ rpcUrl, chainId })
  if (!submitter) {
    throw new TimelockOperationError({ stage: 'schedule', operationId: zeroHash, timelock, reason: 'no signer was given' })
  }
  const client = createDevClient({ rpcUrl, chainId, account: submitter })

  const targets = calls.map((call) => call.target)
  const values = calls.map((call) => call.value ?? 0n)
  const payloads = calls.map((call) => call.data)
  const batch = [targets, values, payloads, zeroHash, salt] as const
  const [minDelay, operationId] = await Promise.all([
    reader.readContract({ address: timelock, abi: timelockAbi, functionName: 'getMinDelay' }),
    reader.readContract({ address: timelock, abi: timelockAbi, functionName: 'hashOperationBatch', args: batch }),
  ])

  const runThroughSafe = async (stage: 'schedule' | 'execute', data: Hex, value: bigint) => {
    try {
      // Simulated as the Safe first: once wrapped in execTransaction a failing call only says GS013.
      await reader.call({ account: safe, to: timelock, data, value })
      const { hash, status } = await execSafeTransaction(client, { safe, to: timelock, data, value, signers })
      if (status !== 'success') throw new Error(`transaction ${hash} reverted`)
      return hash
    } catch (error) {
      throw new TimelockOperationError({ stage, operationId, timelock, reason: reasonOf(error), cause: error })
    }
  }

  const scheduleTransactionHash = await runThroughSafe(
    'schedule',
    encodeFunctionData({ abi: timelockAbi, functionName: 'scheduleBatch', args: [...batch, minDelay] }),
    0n,
  )
  const readyAt = await reader.readContract({ address: timelock, abi: timelockAbi, functionName: 'getTimestamp', args: [operationId] })

  await testClient.increaseTime({ seconds: Number(minDelay) })
  await testClient.mine({ blocks: 1 })

  const totalValue = values.reduce((sum, value) => sum + value, 0n)
  const executeTransactionHash = await runThroughSafe(
    'execute',
    encodeFunctionData({ abi: timelockAbi, functionName: 'executeBatch', args: batch }),
    totalValue,
  )
  const done = await reader.readContract({ address: timelock, abi: timelockAbi, functionName: 'isOperationDone', args: [operationId] })
  if (!done) {
    throw new TimelockOperationError({ stage: 'execute', operationId, timelock, reason: `the timelock does not record the operation as done after ${executeTransactionHash}` })
  }
  return { operationId, salt, scheduleTransactionHash, executeTransactionHash, readyAt: Number(readyAt) }
}
