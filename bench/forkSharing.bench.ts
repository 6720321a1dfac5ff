/**
 * Per-case wall time of validation on the demo protocol, warm (compile cache filled by a first run),
 * for one target (the pool) and for three targets of the three proxy kinds in one patch:
 * - the whole pipeline (every stage), as `bulwark validate` runs it;
 * - the dynamic stages alone (fork rehearsal, initializer safety, exploit replay, regression,
 *   differential replay, differential fuzz), concurrently as the pipeline runs them, with forks
 *   started by each stage (the old way) and leased from one shared pool (stages/forkPool.ts, at most
 *   1 or 2 forks per kind).
 * `BENCH_RPC_LATENCY_MS=30` puts a proxy adding that much latency to every request in front of the
 * "production" anvil, as a remote RPC endpoint would (each fork then fetches its state over it).
 * 200 historical pool transactions feed the differential replay. Prints figures; never fails on an
 * absolute time.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseAbi, parseEther, type Hex } from 'viem'
import { createDevClient, createReadClient, createTestChainClient } from '../src/chain/clients.js'
import { devAccount, devRoles } from '../src/chain/devAccounts.js'
import { parseManifest } from '../src/validate/loadManifest.js'
import { createReport } from '../src/validate/report.js'
import { runPipeline } from '../src/validate/runPipeline.js'
import type { Stage, StageContext } from '../src/validate/stage.js'
import { differentialFuzz } from '../src/validate/stages/differentialFuzz.js'
import { differentialReplay } from '../src/validate/stages/differentialReplay.js'
import { demoProofsOfConcept, demoRegressions, repoRoot, startDemoChain } from '../src/validate/stages/dynamicStageFixtures.js'
import { exploitReplay } from '../src/validate/stages/exploitReplay.js'
import { createForkPool } from '../src/validate/stages/forkPool.js'
import { stopIdleForks } from '../src/validate/stages/idleForks.js'
import { forkRehearsal } from '../src/validate/stages/forkRehearsal.js'
import { initializerSafety } from '../src/validate/stages/initializerSafety.js'
import { regression } from '../src/validate/stages/regression.js'

const history = Number(process.env.BENCH_HISTORY ?? 200)
const warmRuns = Number(process.env.BENCH_RUNS ?? 3)
const latencyMs = Number(process.env.BENCH_RPC_LATENCY_MS ?? 0)
const dynamicStages: [string, Stage][] = [
  ['fork-rehearsal', forkRehearsal],
  ['initializer-safety', initializerSafety],
  ['exploit-replay', exploitReplay],
  ['regression', regression],
  ['differential-replay', differentialReplay],
  ['differential-fuzz', differentialFuzz],
]
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** A JSON-RPC relay that answers every request `delay` ms late: a stand-in for a remote endpoint. */
async function startLatencyProxy(upstream: string, delay: number) {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      setTimeout(() => {
        fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) })
          .then(async (answer) => {
            response.writeHead(answer.status, { 'content-type': 'application/json' })
            response.end(Buffer.from(await answer.arrayBuffer()))
          })
          .catch(() => {
            response.writeHead(502)
            response.end()
          })
      }, delay)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}
const chain = await startDemoChain()
try {
  const { anvil, demo } = chain
  const poolAbi = parseAbi(['function deposit(uint256)', 'function withdraw(uint256)'])
  const clients = devRoles.depositors.map((index) => createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(index) }))
  const testClient = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
  await testClient.setAutomine(false)
  const hashes: Hex[] = []
  for (let i = 0; i < history; i += 1) {
    const client = clients[i % clients.length]!
    const functionName = Math.floor(i / clients.length) % 2 === 0 ? 'deposit' : 'withdraw'
    hashes.push(await client.writeContract({ address: demo.lendingPool.proxy, abi: poolAbi, functionName, args: [parseEther('10')], gas: 500_000n }))
    if (hashes.length % 20 === 0) await testClient.mine({ blocks: 1 })
  }
  await testClient.mine({ blocks: 1 })
  await testClient.setAutomine(true)
  await Promise.all(hashes.map((hash) => clients[0]!.waitForTransactionReceipt({ hash, pollingInterval: 10, timeout: 120_000 })))

  const pool = { name: 'LendingPool', proxy: demo.lendingPool.proxy, implementation: { sources: ['contracts/examples/LendingPool.sol', 'contracts/examples/LendingPoolV2.sol'], contract: 'LendingPoolV2' } }
  const upgrades = 'test/fixtures/validate-oz5/DemoUpgrades.sol'
  const checks = {
    proofsOfConcept: demoProofsOfConcept(demo),
    ...demoRegressions(demo, demo.depositors[0]!),
    differentialReplay: { transactions: history },
    unchangedFunctions: ['function deposit(uint256 assets)', 'function totalDeposits() view returns (uint256)', 'function accrueInterest()'],
    differentialFuzz: { target: 'LendingPool', sequences: 10, length: 4, seed: 1, senders: demo.depositors.slice(0, 3) },
  }
  const cases = {
    'one proxy (UUPS)': [pool],
    'three proxies (UUPS + Transparent + Beacon)': [
      pool,
      { name: 'InterestRateModel', proxy: demo.interestRateModel.proxy, implementation: { contract: 'InterestRateModelV2', sources: [upgrades] } },
      { name: 'RewardsVault', proxy: demo.rewardsVaults.assetStaking, implementation: { contract: 'RewardsVaultV2', sources: [upgrades] } },
    ],
  }
  const proxy = latencyMs > 0 ? await startLatencyProxy(anvil.rpcUrl, latencyMs) : undefined
  const rpcUrl = proxy?.url ?? anvil.rpcUrl
  console.log(`history: ${history} pool transactions; ${warmRuns} warm run(s) per case and mode after one cold run; RPC latency ${latencyMs} ms`)
  for (const [label, targets] of Object.entries(cases)) {
    const manifest = parseManifest(JSON.stringify({ version: 1, advisory: { id: 'BENCH-FORKS' }, targets, ...checks }), 'bench-manifest.json')
    const walls: number[] = []
    let last: Awaited<ReturnType<typeof runPipeline>> | undefined
    for (let run = 0; run <= warmRuns; run += 1) {
      const started = performance.now()
      last = await runPipeline({ manifest, manifestDir: repoRoot, rpcUrl })
      if (run > 0) walls.push(performance.now() - started)
    }
    const verdict = createReport(last!, { toolVersion: 'bench' }).document.verdict
    console.log(`\n${label}: verdict ${verdict}`)
    console.log(`  whole pipeline (forks shared):   median ${seconds(median(walls))}  (runs ${walls.map(seconds).join(', ')})`)

    const client = createReadClient({ rpcUrl })
    const base: StageContext = {
      manifest,
      manifestDir: repoRoot,
      rpcUrl,
      chainId: anvil.chainId,
      blockNumber: last!.blockNumber,
      client,
      builds: last!.builds,
      progress: () => {},
      signal: new AbortController().signal,
    }
    const modes: [string, number | undefined][] = [['forks per stage (before)', undefined], ['shared, 1 per kind', 1], ['shared, 2 per kind', 2]]
    for (const [mode, perKind] of modes) {
      const times: number[] = []
      let started = 0
      for (let run = 0; run < warmRuns; run += 1) {
        // Each run starts without forks kept from earlier runs (idleForks.ts), so the modes compare sharing
        // within one run; in the per-stage mode a stage may still take a fork another stage handed back.
        await stopIdleForks()
        const pool = perKind === undefined ? undefined : createForkPool(base, { maxPerKind: perKind })
        const context = pool ? { ...base, forks: pool } : base
        const begin = performance.now()
        const outputs = await Promise.all(dynamicStages.map(([, stage]) => stage(context).catch((error: unknown) => ({ findings: [], summary: `errored: ${String(error)}` }))))
        times.push(performance.now() - begin)
        started = pool?.forksStarted ?? 0
        await pool?.stop()
        const errored = outputs.map((output, index) => [dynamicStages[index]![0], output.summary ?? ''] as const).filter(([, summary]) => summary.startsWith('errored'))
        if (errored.length > 0) console.log(`    ${errored.map(([stage, summary]) => `${stage}: ${summary}`).join('; ')}`)
      }
      console.log(`  dynamic stages, ${mode.padEnd(24)} median ${seconds(median(times))}  (runs ${times.map(seconds).join(', ')})${perKind === undefined ? '' : `; ${started} fork(s) started`}`)
    }
  }
  await proxy?.close()
} finally {
  await chain.anvil.stop()
}
