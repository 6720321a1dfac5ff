/**
 * The full validation pipeline on the demo patch (LendingPool → LendingPoolV2) on local anvil,
 * with 200 historical pool transactions for the differential replay. Prints wall time, each
 * stage's time, and how much the concurrent stages overlap (sum of stage times / wall time).
 * Target from issue 5: under 30 s wall. Never fails on an absolute time.
 */
import { parseAbi, parseEther, type Hex } from 'viem'
import { createDevClient, createTestChainClient } from '../src/chain/clients.js'
import { devAccount, devRoles } from '../src/chain/devAccounts.js'
import { parseManifest } from '../src/validate/loadManifest.js'
import { createReport } from '../src/validate/report.js'
import { runPipeline } from '../src/validate/runPipeline.js'
import { demoProofsOfConcept, demoRegressions, repoRoot, startDemoChain } from '../src/validate/stages/dynamicStageFixtures.js'

const historyTarget = Number(process.env.BENCH_HISTORY ?? 200)
const chain = await startDemoChain()
try {
  const { anvil, demo } = chain
  // History: depositors deposit and withdraw in turn, so the replay has ordinary traffic to compare.
  // 20 transactions per block, as on a busy chain; it also keeps the history within anvil's in-memory states.
  const poolAbi = parseAbi(['function deposit(uint256)', 'function withdraw(uint256)'])
  const clients = devRoles.depositors.map((index) => createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(index) }))
  const testClient = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
  const historyStarted = performance.now()
  await testClient.setAutomine(false)
  const hashes: Hex[] = []
  for (let i = 0; i < historyTarget; i += 1) {
    const client = clients[i % clients.length]!
    const functionName = Math.floor(i / clients.length) % 2 === 0 ? 'deposit' : 'withdraw'
    hashes.push(await client.writeContract({ address: demo.lendingPool.proxy, abi: poolAbi, functionName, args: [parseEther('10')], gas: 500_000n }))
    if (hashes.length % 20 === 0) await testClient.mine({ blocks: 1 })
  }
  await testClient.mine({ blocks: 1 })
  await testClient.setAutomine(true)
  const receipts = await Promise.all(hashes.map((hash) => clients[0]!.waitForTransactionReceipt({ hash, pollingInterval: 10, timeout: 120_000 })))
  const failed = receipts.filter((receipt) => receipt.status !== 'success').length
  if (failed > 0) console.log(`history: ${failed} of ${historyTarget} transactions reverted`)
  console.log(`history: ${historyTarget} pool transactions sent in ${((performance.now() - historyStarted) / 1000).toFixed(1)} s (set-up, not measured)`)

  const manifest = parseManifest(
    JSON.stringify({
      version: 1,
      advisory: { id: 'BENCH-1', title: 'LendingPool reentrancy', severity: 'critical' },
      targets: [
        {
          name: 'LendingPool',
          proxy: demo.lendingPool.proxy,
          kind: 'uups',
          implementation: { sources: ['contracts/examples/LendingPool.sol', 'contracts/examples/LendingPoolV2.sol'], contract: 'LendingPoolV2' },
        },
      ],
      proofsOfConcept: demoProofsOfConcept(demo),
      ...demoRegressions(demo, demo.depositors[0]!),
      differentialReplay: { transactions: historyTarget },
    }),
    'bench-manifest.json',
  )

  for (const label of ['first run (compile cache may be cold)', 'second run (compile cache warm)']) {
    const started = performance.now()
    const run = await runPipeline({ manifest, manifestDir: repoRoot, rpcUrl: anvil.rpcUrl })
    const wall = performance.now() - started
    const report = createReport(run, { toolVersion: 'bench' })
    const stageSum = run.stages.reduce((sum, stage) => sum + stage.durationMs, 0)
    console.log(`\n${label}: verdict ${report.document.verdict}, wall ${(wall / 1000).toFixed(1)} s (target < 30 s: ${wall < 30_000 ? 'met' : 'missed'})`)
    for (const stage of run.stages) {
      const note = stage.error ? `${stage.error.code}` : (stage.skipped ?? stage.summary ?? '')
      console.log(`  ${stage.stage.padEnd(20)} ${stage.status.padEnd(8)} ${`${(stage.durationMs / 1000).toFixed(1)} s`.padStart(8)}  ${note}`)
    }
    for (const s of run.stages) if (s.error) console.log(`  ${s.stage} error: ${s.error.message}`)
    console.log(`  sum of stage times ${(stageSum / 1000).toFixed(1)} s; concurrency ratio ${(stageSum / wall).toFixed(2)}x`)
  }
} finally {
  await chain.anvil.stop()
}
