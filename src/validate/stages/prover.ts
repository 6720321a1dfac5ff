import path from 'node:path'
import { createFinding } from '../findings.js'
import { replayCounterexample, type ReplayResult } from '../smt/replayCounterexample.js'
import { runModelChecker, type ModelCheckerRun, type PropertyResult } from '../smt/runModelChecker.js'
import { resolveZ3 } from '../smt/z3Solver.js'
import type { Finding, JsonObject, StageContext, StageOutput } from '../stage.js'
import { startValidationFork, type ValidationFork } from './validationFork.js'

/**
 * The prover stage: runs solc's SMTChecker (CHC engine, z3 through the smtlib2 callback) on each
 * property's harness, for the patched code and, when given, the unpatched code. Every target ends
 * proved (info), violated (blocking on the patched side; the counterexample replayed on a fork of
 * the real chain to tell a real bug from an over-approximation) or unknown (blocking: never
 * reported as proved). Without z3 the stage throws `BW_SOLVER_UNAVAILABLE` and the run records it
 * as not run.
 */
export async function prover(context: StageContext): Promise<StageOutput> {
  const specification = context.manifest.specification
  if (!specification || specification.properties.length === 0) return { findings: [], skipped: 'no specification in the manifest' }
  const solver = resolveZ3(specification.solverPath, process.env)
  const findings: Finding[] = []
  const data: Record<string, JsonObject> = {}
  let fork: ValidationFork | undefined
  const counts = { proved: 0, violated: 0, unknown: 0, confirmed: 0 }
  try {
    for (const property of specification.properties) {
      for (const side of ['unpatched', 'patched'] as const) {
        const harness = property.harness[side]
        if (!harness) continue
        context.progress(`${property.name}: model checking ${harness.contract} (${side})`)
        const run = await runModelChecker({
          root: path.resolve(context.manifestDir, harness.root ?? '.'),
          sources: harness.sources,
          contract: harness.contract,
          targets: property.targets,
          solver,
          timeoutMs: specification.timeoutMs,
        })
        const entries: JsonObject[] = []
        if (run.results.length === 0) {
          findings.push(createFinding('prover', 'formal-not-run', { message: `NOT RUN ${property.name}: the model checker reported no ${property.targets.join('/')} target in ${harness.contract} (${side} code)`, details: { property: property.name, side } }))
        }
        for (const result of run.results) {
          let replay: ReplayResult | undefined
          if (result.status === 'violated' && result.counterexample && property.replay) {
            fork ??= await startValidationFork(context)
            context.progress(`${property.name}: replaying the counterexample of ${harness.contract} on a fork`)
            replay = await replayCounterexample(fork, run, result)
            if (replay.confirmed) counts.confirmed++
          }
          counts[result.status]++
          findings.push(findingFor(property.name, side, run, result, replay))
          entries.push(entryOf(result, replay))
        }
        data[`${property.name}:${side}`] = { contract: harness.contract, cached: run.cached, queries: run.queries, timedOutQueries: run.timedOutQueries, durationMs: Math.round(run.durationMs), results: entries }
      }
    }
  } finally {
    await fork?.stop()
  }
  return {
    findings,
    summary: `proved ${counts.proved}, violated ${counts.violated} (${counts.confirmed} confirmed on a fork), unknown ${counts.unknown} — z3 ${solver.version}, CHC engine`,
    data: { solver: `z3 ${solver.version}`, engine: 'chc', timeoutMs: specification.timeoutMs, properties: data },
  }
}

function findingFor(property: string, side: 'patched' | 'unpatched', run: ModelCheckerRun, result: PropertyResult, replay: ReplayResult | undefined): Finding {
  const where = `${run.contract}.${result.function ?? '?'} line ${result.line} (${result.target})`
  const location = { file: result.file, line: result.line, contract: run.contract, ...(result.function ? { function: result.function } : {}) }
  const details: JsonObject = { property, side, ...entryOf(result, replay) }
  if (result.status === 'proved') return createFinding('prover', 'formal-proved', { message: `PROVED ${property}: ${where} holds for every call sequence (${side} code)`, location, details })
  if (result.status === 'unknown') {
    return createFinding('prover', 'formal-unknown', { message: `UNKNOWN ${property}: ${where} neither proved nor refuted (${result.reason ?? 'timeout'}); not a proof`, location, details })
  }
  const confirmation = replay === undefined ? 'not replayed' : replay.confirmed ? 'CONFIRMED on a fork of the chain' : `not confirmed on a fork (${replay.reason ?? 'no failure'}): possibly an over-approximation`
  const kind = side === 'patched' ? 'formal-violated' : 'formal-violated-before-patch'
  return createFinding('prover', kind, { message: `VIOLATED ${property}: ${where} fails (${side} code), ${confirmation}`, location, details })
}

function entryOf(result: PropertyResult, replay: ReplayResult | undefined): JsonObject {
  return {
    target: result.target,
    status: result.status,
    line: result.line,
    code: result.code,
    ...(result.reason ? { reason: result.reason } : {}),
    ...(result.trace ? { counterexample: result.trace } : {}),
    ...(replay ? { replay: { confirmed: replay.confirmed, sequence: replay.sequence, ...(replay.reason ? { reason: replay.reason } : {}), durationMs: Math.round(replay.durationMs) } } : {}),
  }
}
