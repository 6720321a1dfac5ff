import { decodeFunctionResult, encodeFunctionData, parseAbi, type Abi, type AbiFunction } from 'viem'
import { reasonOf } from '../../chain/deployContract.js'
import type { ReadClient } from '../../chain/clients.js'
import { CheckInvalidError } from '../dynamicStageErrors.js'
import { createFinding } from '../findings.js'
import type { InvariantCall, RegressionCheck, Invariant } from '../manifest.js'
import type { Finding, JsonObject, Stage, StageContext } from '../stage.js'
import { coerceArguments, loadScript, runFoundrySelection, scriptContext } from './dynamicChecks.js'
import { withForks } from './forkPool.js'
import type { ValidationFork } from './validationFork.js'

/** One check's verdict on one fork: the failing test names and reasons, or nothing. */
type CheckRun = { passed: boolean; failures: { test: string; reason: string }[] }

/**
 * Regression: the protocol's own Foundry suites and TypeScript checks run on an unpatched and a
 * patched fork side by side (a check that fails only after the patch is a regression; one that
 * fails on both is reported as broken before the patch), and view-call invariants are evaluated on
 * the chain at the pinned block and again after the upgrade.
 */
export const regression: Stage = async (context) => {
  const checks = context.manifest.regressions
  const suiteInvariants = context.manifest.invariants.filter((invariant) => invariant.foundry)
  const callInvariants = context.manifest.invariants.filter((invariant): invariant is Invariant & { call: InvariantCall } => invariant.call !== undefined)
  if (checks.length + context.manifest.invariants.length === 0) return { findings: [], skipped: 'the manifest lists no regression checks or invariants' }

  const runners = await Promise.all([...checks, ...suiteInvariants].map(async (check) => ({ check, run: await prepareCheck(context, check) })))
  const calls = callInvariants.map((invariant) => ({ invariant, call: prepareInvariantCall(invariant.name, invariant.call) }))

  return withForks(context, ['unpatched', 'patched'], async ([unpatched, patched]) => {
    // "Before" is the production chain itself at the pinned block: exactly what users see today.
    const invariantsBefore = await Promise.all(calls.map(({ call }) => call(context.client, context.blockNumber)))
    context.progress('patch applied on the fork; running checks')
    const invariantsAfter = await Promise.all(calls.map(({ call }) => call(patched!.client as unknown as ReadClient, undefined)))

    const runAll = async (fork: ValidationFork, isPatched: boolean) => {
      const results: CheckRun[] = []
      for (const { run } of runners) results.push(await run(fork, isPatched))
      return results
    }
    const [before, after] = await Promise.all([runAll(unpatched!, false), runAll(patched!, true)])

    const findings: Finding[] = []
    const checkData: JsonObject[] = []
    runners.forEach(({ check }, index) => {
      const unpatchedRun = before[index]!
      const patchedRun = after[index]!
      checkData.push({ check: check.name, unpatched: unpatchedRun.passed, patched: patchedRun.passed })
      const preExisting = new Set(unpatchedRun.failures.map((failure) => failure.test))
      for (const failure of patchedRun.failures) {
        const kind = preExisting.has(failure.test) ? 'regression-failing-before-patch' : 'regression-failed'
        findings.push(createFinding('regression', kind, {
          message: `${check.name}: ${failure.test} fails ${kind === 'regression-failed' ? 'after the patch (passes before it)' : 'before and after the patch'}: ${failure.reason}`,
          details: { check: check.name, test: failure.test, reason: failure.reason },
        }))
      }
    })

    const invariantData: JsonObject[] = []
    calls.forEach(({ invariant }, index) => {
      const before = invariantsBefore[index]!
      const after = invariantsAfter[index]!
      invariantData.push({ invariant: invariant.name, before: before.value, after: after.value, holdsBefore: before.holds, holdsAfter: after.holds })
      const details = { invariant: invariant.name, before: before.value, after: after.value }
      if (!before.holds) {
        findings.push(createFinding('regression', 'invariant-violated-before-patch', { message: `Invariant "${invariant.name}" does not hold at block ${context.blockNumber}: ${before.explanation}`, details }))
      } else if (!after.holds) {
        findings.push(createFinding('regression', 'invariant-violated', { message: `Invariant "${invariant.name}" holds before the patch but not after it: ${after.explanation}`, details }))
      }
      if (invariant.call.unchanged && before.value !== after.value) {
        findings.push(createFinding('regression', 'invariant-changed', { message: `Invariant "${invariant.name}": ${before.value} before the upgrade, ${after.value} right after it`, details }))
      }
    })

    const failing = findings.filter((finding) => finding.kind === 'regression-failed' || finding.kind === 'invariant-violated' || finding.kind === 'invariant-changed').length
    return {
      findings,
      summary: `${runners.length} check(s) and ${calls.length} invariant(s) run on both forks: ${failing} broken by the patch`,
      data: { checks: checkData, invariants: invariantData },
    }
  })
}

async function prepareCheck(context: StageContext, check: RegressionCheck | Invariant): Promise<(fork: ValidationFork, patched: boolean) => Promise<CheckRun>> {
  if (check.foundry) {
    const selection = check.foundry
    return async (fork) => {
      const results = await runFoundrySelection(context, fork, selection)
      const failures = results.filter((result) => !result.passed).map((result) => ({ test: `${result.suite}:${result.test}`, reason: result.reason ?? 'failed' }))
      return { passed: failures.length === 0, failures }
    }
  }
  if ('script' in check && check.script) {
    const scriptCheck = check.script
    const script = await loadScript(context, check.name, scriptCheck)
    return async (fork, patched) => {
      const snapshot = await fork.client.snapshot()
      try {
        await script(scriptContext(context, fork, patched, scriptCheck))
        return { passed: true, failures: [] }
      } catch (error) {
        return { passed: false, failures: [{ test: check.name, reason: reasonOf(error) }] }
      } finally {
        await fork.client.revert({ id: snapshot })
      }
    }
  }
  throw new CheckInvalidError({ check: check.name, reason: 'gives no runnable format' })
}

type InvariantReading = { value: string; holds: boolean; explanation: string }

/** Parses the invariant's ABI once (so a typo fails before any fork starts) and returns its evaluator. */
function prepareInvariantCall(name: string, invariant: InvariantCall): (client: ReadClient, blockNumber: bigint | undefined) => Promise<InvariantReading> {
  let abiFunction: AbiFunction
  let data: `0x${string}`
  try {
    abiFunction = (parseAbi([invariant.signature]) as Abi)[0] as AbiFunction
    data = encodeFunctionData({ abi: [abiFunction], functionName: abiFunction.name, args: coerceArguments(abiFunction.inputs, invariant.args) } as Parameters<typeof encodeFunctionData>[0])
  } catch (error) {
    throw new CheckInvalidError({ check: name, reason: `cannot encode ${invariant.signature}: ${reasonOf(error)}`, cause: error })
  }
  return async (client, blockNumber) => {
    let value: string
    try {
      const result = await client.call({ to: invariant.address as `0x${string}`, data, ...(blockNumber === undefined ? {} : { blockNumber }) })
      const decoded = decodeFunctionResult({ abi: [abiFunction], functionName: abiFunction.name, data: result.data ?? '0x' } as Parameters<typeof decodeFunctionResult>[0]) as unknown
      value = Array.isArray(decoded) ? decoded.map(String).join(',') : String(decoded)
    } catch (error) {
      return { value: 'reverted', holds: false, explanation: `the call reverted: ${reasonOf(error)}` }
    }
    if (!invariant.op) return { value, holds: true, explanation: 'the call succeeded' }
    const holds = compare(value, invariant.op, invariant.value ?? '')
    return { value, holds, explanation: `${value} ${invariant.op} ${invariant.value} is ${holds}` }
  }
}

function compare(actual: string, op: NonNullable<InvariantCall['op']>, expected: string): boolean {
  const numeric = /^-?\d+$/.test(actual) && /^-?\d+$/.test(expected)
  const order = numeric ? (BigInt(actual) === BigInt(expected) ? 0 : BigInt(actual) < BigInt(expected) ? -1 : 1) : actual.toLowerCase() === expected.toLowerCase() ? 0 : NaN
  switch (op) {
    case 'eq': return order === 0
    case 'ne': return order !== 0
    case 'gt': return order === 1
    case 'gte': return order === 0 || order === 1
    case 'lt': return order === -1
    case 'lte': return order === 0 || order === -1
  }
}
