import { BaseError as ViemBaseError, decodeErrorResult, encodeFunctionData, getAddress, parseAbi, type Abi, type Address, type Hash, type Hex } from 'viem'
import type { ChainReader } from '../authorize/readSafeState.js'
import { verifySafeSignature } from '../authorize/verifySafeSignature.js'
import type { DevClient } from '../chain/clients.js'
import { execTransactionArgs } from '../chain/execSafeTransaction.js'
import { privateTimelockAbi } from '../chain/privateTimelockAbi.js'
import { releaseGateAbi } from '../chain/releaseGateAbi.js'
import { create2DeployerAbi, safeAbi, timelockControllerAbi } from './abis.js'
import { ReleaseAlreadyExecutedError, ReleaseNonceConflictError, ReleaseNotReadyError, ReleaseRevertedError, ReleaseSignaturesMissingError } from './errors.js'
import type { PlannedSafeTransaction, SignedReleasePlan } from './plan.js'
import { toSafeTransaction } from './safeTransactions.js'

export type ExecuteReleaseStepParameters = {
  plan: SignedReleasePlan
  /** Index into `plan.safeTransactions`. */
  step: number
  /** Owner confirmations of that Safe transaction (from signers, or part B's stored confirmations). */
  signatures: readonly { signer: Address; signature: Hex }[]
  /**
   * Runtime of `contracts/release/ReleaseSimulator.sol`: when given, a MultiSend batch that fails in
   * simulation is run again through it to name the failing call's error (MultiSendCallOnly drops it).
   */
  simulatorRuntime?: Hex | undefined
}

export type ExecuteReleaseStepReturnType = { purpose: PlannedSafeTransaction['purpose']; transactionHash: Hash; blockNumber: bigint; safeTxHash: Hex }

/**
 * Submits one Safe transaction of a release plan from the client's account, once it is safe to:
 * the release has not executed yet, the Safe is at the planned nonce, the signatures come from at
 * least `threshold` current owners, the timelock delay has passed (execute steps), and the call
 * succeeds in simulation as the Safe (so a revert is named and nothing is sent). A failure leaves
 * the chain unchanged; the step can be retried.
 *
 * @throws {ReleaseAlreadyExecutedError} the gate already released this patch (or the timelock ran the operation).
 * @throws {ReleaseNonceConflictError} the Safe is at another nonce than the transaction was signed for.
 * @throws {ReleaseSignaturesMissingError} fewer valid owner signatures than the threshold.
 * @throws {ReleaseNotReadyError} the operation is not scheduled, or its delay has not passed.
 * @throws {ReleaseRevertedError} the call reverts (the decoded reason, e.g. ReleaseGateCodehashMismatch).
 */
export async function executeReleaseStep(client: DevClient, { plan, step, signatures, simulatorRuntime }: ExecuteReleaseStepParameters): Promise<ExecuteReleaseStepReturnType> {
  const transaction = plan.safeTransactions[step]
  if (!transaction) throw new RangeError(`plan ${plan.hash} has no step ${step}`)
  const label = `${plan.route.name} ${transaction.purpose}`
  const safe = transaction.safe

  if (await isReleased(client, plan)) throw new ReleaseAlreadyExecutedError({ patchId: plan.patchId, where: `the gate ${plan.gate} recorded gate patch ${plan.gatePatchId} as released` })
  if (transaction.purpose === 'schedule' && (await readyTime(client, plan)) > 0n) {
    throw new ReleaseAlreadyExecutedError({ patchId: plan.patchId, where: 'its timelock operation is already scheduled' })
  }
  const [nonce, threshold, owners] = await Promise.all([
    client.readContract({ address: safe, abi: safeAbi, functionName: 'nonce' }),
    client.readContract({ address: safe, abi: safeAbi, functionName: 'getThreshold' }),
    client.readContract({ address: safe, abi: safeAbi, functionName: 'getOwners' }),
  ])
  if (nonce !== BigInt(transaction.nonce)) throw new ReleaseNonceConflictError({ step: label, planned: BigInt(transaction.nonce), current: nonce })

  // Every signature type the Safe itself accepts and `bulwark sign` records: EIP-712 (v 27/28),
  // eth_sign (v 31/32) and a hash approved on chain (v 1); invalid ones are left out, not fatal.
  const valid = new Map<Address, { signer: Address; signature: Hex }>()
  for (const entry of signatures) {
    const verified = await verifySafeSignature(client as unknown as ChainReader, { safe, safeTxHash: transaction.safeTxHash, signature: entry.signature, state: { owners: [...owners] } }).catch(() => undefined)
    if (verified && getAddress(entry.signer) === verified.owner) valid.set(verified.owner, { signer: verified.owner, signature: entry.signature })
  }
  if (BigInt(valid.size) < threshold) throw new ReleaseSignaturesMissingError({ step: label, have: valid.size, threshold: Number(threshold) })

  if (transaction.purpose === 'execute') {
    const readyAt = await readyTime(client, plan)
    const { timestamp } = await client.getBlock({ blockTag: 'latest' })
    // The next block is at least one second later than the latest.
    if (readyAt === 0n || readyAt > timestamp + 1n) {
      throw new ReleaseNotReadyError({ operationId: operationIdOf(plan), readyAt: Number(readyAt), now: Number(timestamp) })
    }
  }

  await simulateAsSafe(client, transaction, label, simulatorRuntime ? { runtime: simulatorRuntime, calls: plan.calls } : undefined)
  const safeTransaction = toSafeTransaction(transaction)
  let hash: Hash
  try {
    hash = await client.writeContract({
      address: safe,
      abi: safeAbi,
      functionName: 'execTransaction',
      args: execTransactionArgs(safeTransaction, [...valid.values()].slice(0, Number(threshold))),
      value: safeTransaction.value,
      chain: client.chain,
      account: client.account,
    })
  } catch (error) {
    throw new ReleaseRevertedError({ step: label, reason: namedRevert(error) ?? shortReason(error), cause: error })
  }
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  if (receipt.status !== 'success') throw new ReleaseRevertedError({ step: label, reason: `transaction ${hash} reverted on chain` })
  return { purpose: transaction.purpose, transactionHash: hash, blockNumber: receipt.blockNumber, safeTxHash: transaction.safeTxHash }
}

/** True when the gate records the plan's patch as released. */
export async function isReleased(client: Pick<DevClient, 'readContract'>, plan: Pick<SignedReleasePlan, 'gate' | 'gatePatchId'>): Promise<boolean> {
  const patch = await client.readContract({ address: plan.gate, abi: releaseGateAbi, functionName: 'patchOf', args: [plan.gatePatchId] })
  return patch.releasedAt > 0n
}

function operationIdOf(plan: SignedReleasePlan): Hex {
  return plan.operation.kind === 'timelockBatch' ? plan.operation.operationId : plan.operation.kind === 'private' ? plan.operation.commitment : plan.gatePatchId
}

/** When the plan's timelock operation is ready (0: not scheduled). Emergency plans are always ready. */
async function readyTime(client: DevClient, plan: SignedReleasePlan): Promise<bigint> {
  const { operation } = plan
  if (operation.kind === 'timelockBatch') return client.readContract({ address: operation.timelock, abi: timelockControllerAbi, functionName: 'getTimestamp', args: [operation.operationId] })
  if (operation.kind === 'private') return client.readContract({ address: operation.timelock, abi: privateTimelockAbi, functionName: 'getTimestamp', args: [operation.commitment] })
  return 1n
}

/**
 * Runs the Safe's inner call in eth_call as the Safe, so a revert keeps its reason (inside
 * execTransaction it would only say GS013). A DELEGATECALL (MultiSendCallOnly) is simulated by
 * giving the Safe's address the target's code for the call.
 */
async function simulateAsSafe(client: DevClient, transaction: PlannedSafeTransaction, label: string, simulator?: { runtime: Hex; calls: SignedReleasePlan['calls'] }): Promise<void> {
  try {
    if (transaction.operation === 1) {
      const code = await client.getCode({ address: transaction.to })
      await client.call({ account: client.account, to: transaction.safe, data: transaction.data, value: BigInt(transaction.value), stateOverride: [{ address: transaction.safe, code: code ?? '0x' }], gas: 30_000_000n })
    } else {
      await client.call({ account: transaction.safe, to: transaction.to, data: transaction.data, value: BigInt(transaction.value), gas: 30_000_000n })
    }
  } catch (error) {
    let reason = namedRevert(error)
    if (reason === undefined && transaction.operation === 1 && simulator) {
      const data = encodeFunctionData({ abi: simulatorAbi, functionName: 'run', args: [simulator.calls.map((call) => call.target), simulator.calls.map((call) => BigInt(call.value)), simulator.calls.map((call) => call.data)] })
      reason = await client
        .call({ account: client.account, to: transaction.safe, data, stateOverride: [{ address: transaction.safe, code: simulator.runtime }], gas: 30_000_000n })
        .then(() => undefined, (inner: unknown) => namedRevert(inner))
    }
    throw new ReleaseRevertedError({ step: label, reason: reason ?? shortReason(error), cause: error })
  }
}

const simulatorAbi = parseAbi(['function run(address[] targets, uint256[] values, bytes[] payloads) payable'])

const knownErrors = [...releaseGateAbi, ...privateTimelockAbi, ...timelockControllerAbi, ...create2DeployerAbi] as Abi

/** `Name(arg, …)` of a custom error from the gate, the timelocks or the deployer, if it is one. */
export function namedRevert(error: unknown): string | undefined {
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

function shortReason(error: unknown): string {
  if (error instanceof ViemBaseError) return error.shortMessage
  return error instanceof Error ? error.message.split('\n')[0]! : String(error)
}
