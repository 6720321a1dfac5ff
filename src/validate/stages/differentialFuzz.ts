import fc from 'fast-check'
import {
  decodeErrorResult,
  decodeEventLog,
  decodeFunctionResult,
  encodeFunctionData,
  getAddress,
  parseAbi,
  parseAbiItem,
  toHex,
  zeroAddress,
  type Abi,
  type AbiFunction,
  type AbiParameter,
  type Address,
  type Hex,
} from 'viem'
import { devAccount } from '../../chain/devAccounts.js'
import { reasonOf } from '../../chain/deployContract.js'
import { CheckInvalidError, ForkPreparationError } from '../dynamicStageErrors.js'
import { createFinding } from '../findings.js'
import { differentialFuzzSchema, type DifferentialFuzz } from '../manifest.js'
import type { StageContext, StageOutput } from '../stage.js'
import { withForks } from './forkPool.js'
import { waitForForkReceipt, type ValidationFork } from './validationFork.js'

/** One call of a fuzzed sequence. */
export type FuzzCall = { from: Address; function: AbiFunction; args: readonly unknown[] }

/** What one call did on one fork: returned (decoded result and emitted events) or reverted (decoded error). */
type Outcome = { ok: boolean; data: string; events: readonly string[] }

type Divergence = { index: number; before: Outcome; after: Outcome }

/** Seconds between the fuzzed transactions: both forks mine each call at the same timestamp. */
const secondsPerCall = 12n
const callGas = 3_000_000n
/** Token events, so a divergence shows transfers by name. */
const tokenEvents = parseAbi(['event Transfer(address indexed from, address indexed to, uint256 value)', 'event Approval(address indexed owner, address indexed spender, uint256 value)'])

/**
 * Differential fuzzing of the functions the patch did not mean to change (`unchangedFunctions`):
 * random call sequences (fast-check, seeded) from the senders, with integer arguments drawn from
 * `values` and small numbers, run on an unpatched and a patched fork of the chain, each sequence
 * from the same snapshot and with the same block timestamps on both. A call whose return data,
 * revert data or emitted events differ is a divergence; fast-check then shrinks the sequence
 * (fewer calls, smaller arguments) to a minimal one that still diverges, reported as
 * `fuzz-divergence`. Each call runs once per fork: views by `eth_call`, the rest as a transaction
 * whose output is read from its trace. This is testing, not proof.
 *
 * @throws {CheckInvalidError} an unparsable signature, an argument type it cannot generate, or an unknown target.
 * @throws {ForkPreparationError} a fork could not be started, patched or driven.
 */
export async function differentialFuzz(context: StageContext): Promise<StageOutput> {
  const signatures = context.manifest.unchangedFunctions
  if (signatures.length === 0) return { findings: [], skipped: 'no unchangedFunctions in the manifest (nothing to fuzz)' }
  const settings: DifferentialFuzz = context.manifest.differentialFuzz ?? differentialFuzzSchema.parse({})
  const targetName = settings.target ?? context.builds[0]?.target
  const build = context.builds.find((entry) => entry.target === targetName)
  if (!build) throw new CheckInvalidError({ check: 'differential-fuzz', reason: `differentialFuzz.target "${targetName}" is not a target of the manifest` })
  const functions = signatures.map((signature, index) => parseSignature(signature, index))
  const senders = (settings.senders ?? [0, 1, 2].map((index) => devAccount(index).address)).map((sender) => getAddress(sender))
  const values = settings.values.map((value) => BigInt(value))
  const callArbitrary = fc.oneof(
    ...functions.map((fn) =>
      fc
        .record({ from: fc.constantFrom(...senders), args: fc.tuple(...fn.inputs.map((input) => argumentArbitrary(input, senders, values, fn))) })
        .map(({ from, args }): FuzzCall => ({ from, function: fn, args })),
    ),
  )
  const abi = [...build.implementation.artifact.abi, ...(build.reference?.artifact.abi ?? []), ...tokenEvents] as Abi

  const started = performance.now()
  context.progress(`starting the unpatched and patched forks of ${build.target}`)
  // Leased from the run's shared forks: the patched one has every target of the release upgraded.
  return withForks(context, ['unpatched', 'patched'], async ([unpatched, patched]) => {
    if (!unpatched || !patched) throw new ForkPreparationError({ step: 'lease the forks', reason: 'the fork pool handed out fewer forks than asked' })
    for (const fork of [unpatched, patched]) for (const sender of senders) await fork.client.setBalance({ address: sender, value: 10n ** 22n })
    // Same timestamps on both forks (the patched one mined its upgrade later), so time-dependent code (interest) agrees.
    const latest = await Promise.all([unpatched, patched].map((fork) => fork.client.getBlock({ blockTag: 'latest' })))
    const baseTimestamp = latest.reduce((max, block) => (block.timestamp > max ? block.timestamp : max), 0n) + 1n
    const run = (sequence: readonly FuzzCall[]) => compare(unpatched, patched, build.proxy, abi, baseTimestamp, sequence)

    const searchStarted = performance.now()
    let searched = 0
    let searchMs: number | undefined
    let failure: unknown
    const property = fc.asyncProperty(fc.array(callArbitrary, { minLength: 1, maxLength: settings.length, size: 'max' }), async (sequence) => {
      if (failure !== undefined) throw failure
      if (context.signal.aborted) throw (failure = new ForkPreparationError({ step: 'differential fuzzing', reason: 'the run was cancelled' }))
      if (searchMs === undefined) searched++
      let divergence: Divergence | undefined
      try {
        divergence = await run(sequence)
      } catch (error) {
        failure = error instanceof ForkPreparationError ? error : new ForkPreparationError({ step: 'run a fuzzed call sequence', reason: reasonOf(error), cause: error })
        throw failure
      }
      if (divergence && searchMs === undefined) {
        searchMs = performance.now() - searchStarted
        context.progress(`divergence after ${searched} sequence(s); shrinking`)
      }
      return divergence === undefined
    })
    context.progress(`fuzzing ${signatures.length} unchanged function(s): ${settings.sequences} sequences of up to ${settings.length} calls, seed ${settings.seed}`)
    const result = await fc.check(property, { seed: settings.seed, numRuns: settings.sequences, endOnFailure: false })
    if (failure !== undefined) throw failure
    const durationMs = performance.now() - started
    const data = {
      method: 'differential fuzzing (testing, not proof)',
      sequences: searched,
      maxCallsPerSequence: settings.length,
      functions: signatures,
      senders: senders.length,
      seed: settings.seed,
      sequencesPerSecond: Number((searched / ((searchMs ?? performance.now() - searchStarted) / 1000)).toFixed(2)),
      durationMs: Math.round(durationMs),
      shrinkSteps: result.failed ? result.numShrinks : 0,
    }
    if (!result.failed || !result.counterexample) {
      return {
        findings: [],
        summary: `ONLY TESTED (not proof): ${searched} random sequences of up to ${settings.length} calls over ${signatures.length} unchanged function(s), no divergence`,
        data,
      }
    }
    const [shrunk] = result.counterexample
    const divergence = await run(shrunk)
    if (!divergence) throw new ForkPreparationError({ step: 'differential fuzzing', reason: 'the minimized diverging sequence did not diverge again (non-deterministic fork?)' })
    const minimal = shrunk.slice(0, divergence.index + 1)
    const diverging = minimal.at(-1)!
    const before = describe(divergence.before)
    const after = describe(divergence.after)
    return {
      findings: [
        createFinding('differential-fuzz', 'fuzz-divergence', {
          target: build.target,
          message: `${build.target}.${diverging.function.name} behaves differently after the patch (found by fuzzing, not proof; minimized to ${minimal.length} call(s): ${minimal.map(renderCall).join('; ')}): before ${before}, after ${after}`,
          location: { function: diverging.function.name },
          details: {
            sequence: minimal.map(renderCall),
            divergingCall: renderCall(diverging),
            before,
            after,
            seed: settings.seed,
            shrinkSteps: result.numShrinks,
            method: 'differential fuzzing (testing, not proof)',
          },
        }),
      ],
      summary: `DIVERGENCE in ${diverging.function.name} after ${searched} sequence(s), minimized to ${minimal.length} call(s) (testing, not proof)`,
      data,
    }
  })
}

function parseSignature(signature: string, index: number): AbiFunction {
  try {
    const item = parseAbiItem(signature)
    if (item.type !== 'function') throw new Error('not a function')
    return item
  } catch (error) {
    throw new CheckInvalidError({ check: 'differential-fuzz', reason: `unchangedFunctions[${index}] "${signature}" is not a human-readable ABI function: ${reasonOf(error)}` })
  }
}

/** Values for one ABI parameter: senders (and zero) for addresses, `values` and small numbers for integers. */
function argumentArbitrary(parameter: AbiParameter, senders: readonly Address[], values: readonly bigint[], fn: AbiFunction): fc.Arbitrary<unknown> {
  const type = parameter.type
  const array = /^(.*)\[(\d*)\]$/.exec(type)
  if (array) {
    const inner = argumentArbitrary({ ...parameter, type: array[1]! }, senders, values, fn)
    return array[2] === '' ? fc.array(inner, { maxLength: 3 }) : fc.array(inner, { minLength: Number(array[2]), maxLength: Number(array[2]) })
  }
  if (type === 'address') return fc.constantFrom(...senders, zeroAddress)
  if (type === 'bool') return fc.boolean()
  if (type === 'string') return fc.string({ maxLength: 16 })
  if (type === 'bytes') return fc.uint8Array({ maxLength: 64 }).map((bytes) => toHex(bytes))
  const fixed = /^bytes(\d+)$/.exec(type)
  if (fixed) return fc.uint8Array({ minLength: Number(fixed[1]), maxLength: Number(fixed[1]) }).map((bytes) => toHex(bytes))
  const integer = /^(u?)int(\d*)$/.exec(type)
  if (integer) {
    const bits = BigInt(integer[2] || '256')
    const max = integer[1] === 'u' ? 2n ** bits - 1n : 2n ** (bits - 1n) - 1n
    const min = integer[1] === 'u' ? 0n : -(2n ** (bits - 1n))
    const small = fc.bigInt({ min: min < -1000n ? -1000n : min, max: max > 1000n ? 1000n : max })
    const listed = values.filter((value) => value <= max)
    return listed.length > 0 ? fc.oneof(fc.constantFrom(...listed), small) : small
  }
  throw new CheckInvalidError({ check: 'differential-fuzz', reason: `${fn.name}: cannot generate arguments of type ${type} (supported: integers, bool, address, bytes, bytesN, string and arrays of them)` })
}

function renderCall(call: FuzzCall): string {
  return `${call.from} → ${call.function.name}(${call.args.map(renderValue).join(', ')})`
}

function renderValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(renderValue).join(', ')}]`
  if (typeof value === 'string' && !value.startsWith('0x')) return JSON.stringify(value)
  return String(value)
}

function describe(outcome: Outcome): string {
  const events = outcome.events.length > 0 ? ` emitting ${outcome.events.join(', ')}` : ''
  return outcome.ok ? `returned ${outcome.data}${events}` : `reverted ${outcome.data}`
}

/** Runs the sequence on both forks; the first call whose outcome differs, if any. */
async function compare(a: ValidationFork, b: ValidationFork, proxy: Address, abi: Abi, baseTimestamp: bigint, sequence: readonly FuzzCall[]): Promise<Divergence | undefined> {
  const [left, right] = await Promise.all([execute(a, proxy, abi, baseTimestamp, sequence), execute(b, proxy, abi, baseTimestamp, sequence)])
  for (let index = 0; index < sequence.length; index++) {
    const before = left[index]!
    const after = right[index]!
    if (before.ok !== after.ok || before.data !== after.data || before.events.join('\n') !== after.events.join('\n')) return { index, before, after }
  }
  return undefined
}

/** Runs the sequence from a snapshot (reverted afterwards); each call executes once. */
async function execute(fork: ValidationFork, proxy: Address, abi: Abi, baseTimestamp: bigint, sequence: readonly FuzzCall[]): Promise<Outcome[]> {
  const snapshot = (await fork.client.request({ method: 'evm_snapshot' as never, params: [] as never })) as Hex
  const outcomes: Outcome[] = []
  try {
    for (const [index, call] of sequence.entries()) {
      const data = encodeFunctionData({ abi: [call.function], functionName: call.function.name, args: call.args } as never)
      if (call.function.stateMutability === 'view' || call.function.stateMutability === 'pure') {
        outcomes.push(await viewCall(fork, proxy, abi, call, data))
        continue
      }
      await fork.client.setNextBlockTimestamp({ timestamp: baseTimestamp + secondsPerCall * BigInt(index + 1) })
      await fork.client.impersonateAccount({ address: call.from })
      const hash = (await fork.client.request({ method: 'eth_sendTransaction', params: [{ from: call.from, to: proxy, data, gas: toHex(callGas) }] } as never)) as Hex
      const receipt = await waitForForkReceipt(fork, hash)
      const events = receipt.logs.map((log) => renderEvent(abi, log))
      if (receipt.status === 'success' && call.function.outputs.length === 0) {
        outcomes.push({ ok: true, data: '()', events })
        continue
      }
      // The transaction's own output (return or revert data), from its trace: no second execution on the fork's state.
      const trace = (await fork.client.request({ method: 'debug_traceTransaction', params: [hash, { tracer: 'callTracer' }] } as never)) as { output?: Hex }
      const output = trace.output ?? '0x'
      outcomes.push(receipt.status === 'success' ? { ok: true, data: decodeResult(call.function, output), events } : { ok: false, data: decodeRevert(abi, output), events: [] })
    }
  } finally {
    await fork.client.request({ method: 'evm_revert' as never, params: [snapshot] as never })
  }
  return outcomes
}

async function viewCall(fork: ValidationFork, proxy: Address, abi: Abi, call: FuzzCall, data: Hex): Promise<Outcome> {
  try {
    const result = (await fork.client.request({ method: 'eth_call', params: [{ from: call.from, to: proxy, data, gas: toHex(callGas) }, 'latest'] } as never)) as Hex
    return { ok: true, data: decodeResult(call.function, result), events: [] }
  } catch (error) {
    const revertData = findRevertData(error)
    if (revertData === undefined) throw error
    return { ok: false, data: decodeRevert(abi, revertData), events: [] }
  }
}

/** The revert data of an `eth_call` that reverted (JSON-RPC error 3 or "execution reverted"); undefined for any other failure. */
function findRevertData(error: unknown): Hex | undefined {
  let reverted = false
  for (let current = error as { code?: unknown; data?: unknown; message?: unknown; cause?: unknown } | undefined; current; current = current.cause as typeof current) {
    if (current.code === 3 || (typeof current.message === 'string' && /revert/i.test(current.message))) reverted = true
    if (typeof current.data === 'string' && /^0x[0-9a-fA-F]*$/.test(current.data)) return current.data as Hex
  }
  return reverted ? '0x' : undefined
}

function decodeResult(fn: AbiFunction, data: Hex): string {
  try {
    return renderValue(decodeFunctionResult({ abi: [fn], functionName: fn.name, data } as never))
  } catch {
    return data
  }
}

function decodeRevert(abi: Abi, data: Hex): string {
  if (data === '0x') return 'without data'
  try {
    const decoded = decodeErrorResult({ abi, data })
    return `${decoded.errorName}(${(decoded.args ?? []).map(renderValue).join(', ')})`
  } catch {
    return data
  }
}

function renderEvent(abi: Abi, log: { address: Address; topics: readonly Hex[]; data: Hex }): string {
  try {
    const decoded = decodeEventLog({ abi, topics: log.topics as [Hex, ...Hex[]], data: log.data })
    const args = Array.isArray(decoded.args) ? decoded.args : Object.entries(decoded.args ?? {}).map(([key, value]) => `${key}: ${renderValue(value)}`)
    return `${decoded.eventName}(${args.map((arg) => (typeof arg === 'string' ? arg : renderValue(arg))).join(', ')})`
  } catch {
    return `${getAddress(log.address)}:${log.topics.join(',')}:${log.data}`
  }
}
