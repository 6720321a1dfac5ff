// Prover stage time on the demo patch (target < 60 s), model-checker figures, and differential-fuzzing
// throughput (call sequences per second, unpatched vs patched fork of the demo); never fails on time.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { runModelChecker } from '../src/validate/smt/runModelChecker.js'
import { resolveZ3 } from '../src/validate/smt/z3Solver.js'
import { bulwarkRoot } from '../src/compile/bulwarkRoot.js'
import { differentialFuzz } from '../src/validate/stages/differentialFuzz.js'
import { demoStageContext, startDemoChain } from '../src/validate/stages/dynamicStageFixtures.js'

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
await rm(cacheDir, { recursive: true, force: true })

// Differential fuzzing: the real V2 against V1 on two forks of the demo chain (no divergence, so every sequence runs).
const unchangedFunctions = [
  'function deposit(uint256 assets)',
  'function depositBalanceOf(address account) view returns (uint256)',
  'function totalDeposits() view returns (uint256)',
  'function accrueInterest()',
  'function borrowBalanceOf(address account) view returns (uint256)',
]
const chain = await startDemoChain()
try {
  const settings = (length: number) => ({ sequences: 100, length, seed: 7, senders: chain.demo.depositors.slice(0, 3) })
  for (const length of [1, 6]) {
    const stageStarted = performance.now()
    const output = await differentialFuzz(await demoStageContext(chain, 'LendingPoolV2', { unchangedFunctions, differentialFuzz: settings(length) }))
    const rate = Number(output.data?.sequencesPerSecond ?? 0)
    console.log(
      `differential fuzzing (LendingPool V1 vs V2, ${unchangedFunctions.length} functions, 1..${length} calls/sequence): ${String(output.data?.sequences)} sequences, ${rate.toFixed(1)} sequences/s (~${((rate * (length + 1)) / 2).toFixed(0)} calls/s on each of 2 forks); stage ${((performance.now() - stageStarted) / 1000).toFixed(1)} s incl. starting 2 forks and the upgrade; ${output.findings.length} divergence(s)`,
    )
  }
  const slipStarted = performance.now()
  const slip = await differentialFuzz(await demoStageContext(chain, 'LendingPoolV2RoundingSlip', { unchangedFunctions, differentialFuzz: settings(6) }))
  const minimal = (slip.findings[0]?.details?.sequence as string[] | undefined)?.length ?? 0
  console.log(`differential fuzzing on the deposit-rounding slip: ${slip.findings.length} divergence(s), minimized to ${minimal} call(s) in ${String(slip.data?.shrinkSteps)} shrink steps; stage ${((performance.now() - slipStarted) / 1000).toFixed(1)} s`)
} finally {
  await chain.anvil.stop()
}
