import { BaseError as ViemBaseError, decodeErrorResult, encodeFunctionData, type Abi, type Address, type Hash, type Hex, type LocalAccount } from 'viem'
import type { DevClient } from './clients.js'
import { reasonOf } from './deployContract.js'
import { TimelockOperationError } from './errors.js'
import { execSafeTransaction } from './execSafeTransaction.js'
import { privateTimelockAbi } from './privateTimelockAbi.js'
import { releaseGateAbi } from './releaseGateAbi.js'

export type SchedulePrivateParameters = {
  timelock: Address
  /** `hashPrivateOperation({ calls, salt })`: the only thing published until execute. */
  commitment: Hex
  /** Seconds to wait; the timelock's minimum by default. */
  delay?: bigint | number | undefined
  /** Schedule through this Safe (which holds PROPOSER_ROLE), signed by its owners; otherwise the client's account proposes. */
  safe?: { address: Address; signers: readonly LocalAccount[] } | undefined
}

export type SchedulePrivateReturnType = { commitment: Hex; transactionHash: Hash; readyAt: bigint }

/**
 * Schedules a commitment on a PrivateTimelock. The transaction carries the commitment and the delay,
 * nothing else: no target, no calldata, no bytecode.
 *
 * @throws {TimelockOperationError} (BW_GOVERNANCE_FAILED, stage "schedule") the transaction reverted
 * (caller without PROPOSER_ROLE, delay below the minimum, commitment already used).
 */
export async function schedulePrivate(client: DevClient, { timelock, commitment, delay, safe }: SchedulePrivateParameters): Promise<SchedulePrivateReturnType> {
  try {
    const wait = delay === undefined ? await client.readContract({ address: timelock, abi: privateTimelockAbi, functionName: 'getMinDelay' }) : BigInt(delay)
    const data = encodeFunctionData({ abi: privateTimelockAbi, functionName: 'schedule', args: [commitment, wait] })
    const transactionHash = await sendAs(client, { to: timelock, data, value: 0n, safe })
    const readyAt = await client.readContract({ address: timelock, abi: privateTimelockAbi, functionName: 'getTimestamp', args: [commitment] })
    return { commitment, transactionHash, readyAt }
  } catch (error) {
    if (error instanceof TimelockOperationError) throw error
    throw new TimelockOperationError({ stage: 'schedule', operationId: commitment, timelock, reason: reasonOf(error), cause: error })
  }
}

/** Sends `data` to `to` from the client's account, or through a Safe; simulated first so a revert keeps its reason. */
export async function sendAs(
  client: DevClient,
  { to, data, value, safe }: { to: Address; data: Hex; value: bigint; safe?: { address: Address; signers: readonly LocalAccount[] } | undefined },
): Promise<Hash> {
  const from = safe?.address ?? client.account.address
  // Simulated as the real sender first: once wrapped in a Safe's execTransaction a failing call only says GS013.
  try {
    await client.call({ account: from, to, data, value })
  } catch (error) {
    throw new Error(namedRevert(error) ?? reasonOf(error), { cause: error })
  }
  if (safe) {
    const { hash, status } = await execSafeTransaction(client, { safe: safe.address, to, data, value, signers: safe.signers })
    if (status !== 'success') throw new Error(`transaction ${hash} reverted`)
    return hash
  }
  const hash = await client.sendTransaction({ to, data, value, account: client.account, chain: client.chain })
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`)
  return hash
}

// The errors an operation on a private timelock most often ends in: its own, the gate's, and AccessControl's.
const knownErrors = [...privateTimelockAbi, ...releaseGateAbi] as Abi

/** `Name(arg, …)` of a custom error the timelock or gate reverted with, or undefined when it is not one of theirs. */
function namedRevert(error: unknown): string | undefined {
  const raw = error instanceof ViemBaseError ? error.walk((cause) => typeof (cause as { data?: unknown }).data === 'string') : undefined
  const data = (raw as { data?: unknown } | null | undefined)?.data
  if (typeof data !== 'string' || !data.startsWith('0x') || data.length < 10) return undefined
  try {
    const { errorName, args } = decodeErrorResult({ abi: knownErrors, data: data as Hex })
    return `${errorName}(${(args ?? []).map(String).join(', ')})`
  } catch {
    return undefined
  }
}
