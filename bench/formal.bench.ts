// Prover stage time on the demo patch (target < 60 s) and model-checker figures; never fails on time.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { runModelChecker } from '../src/validate/smt/runModelChecker.js'
import { resolveZ3 } from '../src/validate/smt/z3Solver.js'
import { bulwarkRoot } from '../src/compile/bulwarkRoot.js'

const solver = resolveZ3()
const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'bulwark-formal-bench-'))
const started = performance.now()
for (const contract of ['WithdrawHarnessV1', 'WithdrawHarnessV2']) {
  const run = await runModelChecker({ root: bulwarkRoot(), sources: ['contracts/test/formal/WithdrawHarness.sol'], contract, targets: ['assert'], solver, timeoutMs: 30_000, cacheDir })
  console.log(`${contract}: ${run.results.map((r) => `${r.target}@${r.line}=${r.status}`).join(', ')} — ${run.queries} queries, ${(run.durationMs / 1000).toFixed(1)} s`)
}
const cold = (performance.now() - started) / 1000
const warmStart = performance.now()
await runModelChecker({ root: bulwarkRoot(), sources: ['contracts/test/formal/WithdrawHarness.sol'], contract: 'WithdrawHarnessV2', targets: ['assert'], solver, timeoutMs: 30_000, cacheDir })
const warm = (performance.now() - warmStart) / 1000
console.log(`prover (model checking, demo patch, z3 ${solver.version}): cold ${cold.toFixed(1)} s (target < 60 s: ${(cold / 60).toFixed(2)} of budget), cached ${warm.toFixed(3)} s`)
console.log('differential fuzzing throughput: measured by the differential-fuzz stage (data.sequencesPerSecond in the report)')
await rm(cacheDir, { recursive: true, force: true })
