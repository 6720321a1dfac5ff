/**
 * The monitor on real protocols (Aave V3 core 1.19.3 + Uniswap V2 core + Balancer V2 vault, compiled
 * from their npm sources with their own solc), beside the peer a team would pick instead: the Forta
 * bot SDK (`@fortanetwork/forta-bot` 0.2.3, self-hosted) with equivalent handlers, on the same chain
 * in the same run. Prints figures and ratios, never fails on them.
 *
 * 1. A mixed benign chain (test/attacks/benignTraffic.ts: supply, withdraw, borrow, repay,
 *    liquidations, pair swaps, Balancer deposits and withdrawals, honest flash loans, mints, transfers,
 *    Safe → timelock admin work) of BENCH_REAL_TXS transactions (default 50,000) after 2,000 of history.
 * 2. Each monitor in its own process (BENCH_REAL_RUNNER: bundle, the default, or tsx) over that range, with traces: Bulwark's live block follower
 *    (detectors warmed up on the history, policy armed in dry run) and the Forta SDK's block pipeline.
 *    tx/s, peak RSS, alerts per 1,000, pause decisions.
 * 3. BENCH_REAL_ATTACKS mempool attacks (default 50; oracle manipulation and Balancer flash-loan
 *    manipulation in turn, each on a fresh snapshot, interval mining): the share where the protocols'
 *    own pause was mined ahead of the attack, and reaction (attack sent → pause broadcast) p50/p95.
 * 4. Every attack class once without a monitor, judged afterwards by the Forta handlers: its detections.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Hex } from 'viem'
import { monitorResourceLimits } from '../src/monitor/heapLimits.js'
import { listResponses } from '../src/monitor/responders/responseLedger.js'
import { attackClasses, flashLoanManipulation, oracleManipulation } from '../test/attacks/attacks.js'
import { createBenignTraffic } from '../test/attacks/benignTraffic.js'
import { deployRealMarket, marketAddresses, setMining, startMarketMonitor } from '../test/attacks/realMarket.js'
import type { PeerResult } from './monitorReal/runPeer.js'
import { processCpuSeconds } from './processCpu.js'

const total = Number(process.env['BENCH_REAL_TXS'] ?? 50_000)
const attackRuns = Number(process.env['BENCH_REAL_ATTACKS'] ?? 50)
const perBlock = Number(process.env['BENCH_REAL_PER_BLOCK'] ?? 250)
/**
 * How each peer's process runs: `bundle` (default) is plain JavaScript (one esbuild bundle, packages
 * external), as the built CLI runs and as the Forta SDK ships; `tsx` runs the TypeScript through the
 * loader, as tests do, which adds the loader's own ~60-100 MB to each peer's RSS.
 */
const runner = process.env['BENCH_REAL_RUNNER'] ?? 'bundle'
if (runner !== 'bundle' && runner !== 'tsx') throw new Error(`BENCH_REAL_RUNNER must be bundle or tsx, not ${runner}`)
const peerBundle = path.resolve(import.meta.dirname, '..', 'node_modules', '.cache', 'bulwark-bench', 'monitorRealPeer.mjs')
if (runner === 'bundle') {
  const esbuild = ['esbuild', path.join(import.meta.dirname, 'monitorReal', 'runPeer.ts'), '--bundle', '--platform=node', '--format=esm', '--packages=external', `--outfile=${peerBundle}`, '--log-level=warning']
  if (spawnSync('npx', esbuild, { stdio: 'inherit', cwd: path.resolve(import.meta.dirname, '..') }).status !== 0) throw new Error('esbuild failed to bundle the peer process')
}
const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-bench-real-'))
const market = await deployRealMarket()
const log = (line: string) => console.log(line)

/**
 * Runs one peer in its own process. Asynchronously: the anvil child of this process logs every
 * transaction on its stdout, which only this event loop drains; a blocking spawnSync left anvil
 * stuck writing to a full pipe (and the peer waiting on anvil) after a few thousand transactions.
 * `nodeCpuSeconds`: what the chain's anvil, sharing the machine's cores with the peer, spent serving it.
 */
async function runPeer(job: object): Promise<PeerResult & { nodeCpuSeconds: number | undefined }> {
  const nodeCpu = processCpuSeconds(market.anvil.pid)
  const file = path.join(dir, `job-${Date.now()}.json`)
  writeFileSync(file, JSON.stringify(job))
  const entry = runner === 'bundle' ? [peerBundle] : ['--import', 'tsx', path.join(import.meta.dirname, 'monitorReal', 'runPeer.ts')]
  const child = spawn(process.execPath, [...entry, file], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)))
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve))
  const line = stdout.trim().split('\n').at(-1) ?? ''
  if (status !== 0 || !line.startsWith('{')) throw new Error(`peer ${JSON.stringify(job).slice(0, 60)} failed (${status}): ${stderr.slice(-2000)}`)
  const after = processCpuSeconds(market.anvil.pid)
  return { ...(JSON.parse(line) as PeerResult), nodeCpuSeconds: nodeCpu === undefined || after === undefined ? undefined : after - nodeCpu }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!
}

try {
  const addresses = marketAddresses(market)
  const chainJob = { rpcUrl: market.anvil.rpcUrl, chainId: market.anvil.chainId, addresses }
  let fresh: Hex = await market.test.snapshot()

  // 1. the benign chain
  await market.test.setAutomine(false)
  const generation = performance.now()
  const traffic = await createBenignTraffic(market, { seed: 2026, perBlock })
  await traffic.send(2_000)
  const fromBlock = Number(await market.test.getBlockNumber({ cacheTime: 0 })) + 1
  let sent = (await traffic.send(Math.floor(total / 2))).length
  sent += (await traffic.adminWork()).length
  sent += (await traffic.send(Math.max(0, total - sent - 3))).length
  sent += (await traffic.adminWork()).length
  const toBlock = Number(await market.test.getBlockNumber({ cacheTime: 0 }))
  await market.test.setAutomine(true)
  log(`benign chain: ${sent} transactions in blocks ${fromBlock}..${toBlock} (${perBlock}/block), generated in ${((performance.now() - generation) / 1000).toFixed(1)} s; mix ${JSON.stringify(traffic.counts)}`)

  // 2. both monitors over the same range, each in its own process
  // Bulwark as `bulwark monitor` runs it (heap capped), then without the cap, then capped again, over
  // the same range: what the cap costs, measured on the same chain with whatever the first pass pays
  // for a cold node on both sides of it (BENCH_REAL_UNCAPPED=0 runs the capped pass alone)
  const bulwark = await runPeer({ ...chainJob, mode: 'bulwark', fromBlock, toBlock, transactions: sent })
  const compare = process.env['BENCH_REAL_UNCAPPED'] !== '0'
  const uncapped = compare ? await runPeer({ ...chainJob, mode: 'bulwark', fromBlock, toBlock, transactions: sent, uncapped: true }) : undefined
  const cappedAgain = compare ? await runPeer({ ...chainJob, mode: 'bulwark', fromBlock, toBlock, transactions: sent }) : undefined
  const forta = await runPeer({ ...chainJob, mode: 'forta', fromBlock, toBlock, transactions: sent })
  const rate = (r: PeerResult) => r.transactions / r.seconds
  const perThousand = (r: PeerResult) => (r.findings.length * 1000) / r.transactions
  const pauses = bulwark.findings.filter((f) => /would (pause|contract-call)/.test(f.decision)).length
  log(`Bulwark: ${Math.round(rate(bulwark))} tx/s (target 2,500; ratio ${(rate(bulwark) / 2500).toFixed(2)}), peak RSS ${Math.round(bulwark.peakRssMb)} MB (idle ${Math.round(bulwark.idleRssMb)} MB; target 350), ${bulwark.findings.length} alerts = ${perThousand(bulwark).toFixed(2)} per 1,000 (target 0.5), ${pauses} pause decisions`)
  // what each peer's RSS holds: V8's heap (mostly garbage between major GCs at the peak), PGlite's WASM memory, code
  const parts = (r: PeerResult, at: 'idle' | 'peak') => {
    const m = r.memory[at]
    return `${m.rss} MB = V8 heap ${m.heapTotal} (live or not yet collected ${m.heapUsed}) + outside the heap ${m.external} (of which array buffers ${m.arrayBuffers}) + code, stacks and the rest ${Math.max(0, m.rss - m.heapTotal - m.external)}`
  }
  if (uncapped && cappedAgain) {
    const capped = (bulwark.transactions + cappedAgain.transactions) / (bulwark.seconds + cappedAgain.seconds)
    const cappedCpu = (bulwark.cpuSeconds + cappedAgain.cpuSeconds) / 2
    const pass = (r: typeof bulwark) => `${Math.round(rate(r))} tx/s (${r.cpuSeconds.toFixed(1)} CPU s${r.nodeCpuSeconds === undefined ? '' : `, anvil ${r.nodeCpuSeconds.toFixed(1)} CPU s`}, peak ${Math.round(r.peakRssMb)} MB)`
    log(`heap cap, same range: capped ${pass(bulwark)}, uncapped ${pass(uncapped)}, capped again ${pass(cappedAgain)}; both capped passes ${Math.round(capped)} tx/s; capped ÷ uncapped: throughput ×${(capped / rate(uncapped)).toFixed(2)}, CPU ×${(cappedCpu / uncapped.cpuSeconds).toFixed(2)}`)
  }
  const limits = monitorResourceLimits(process.env)
  const heap = limits ? `old generation ${limits.maxOldGenerationSizeMb} MB, young ${limits.maxYoungGenerationSizeMb} MB` : 'sized by NODE_OPTIONS'
  log(`RSS parts (${runner}; Bulwark's monitor thread as \`bulwark monitor\` runs it, heap ${heap}; its memory outside the heap is mostly PGlite's WASM memory): Bulwark idle ${parts(bulwark, 'idle')}; at its peak ${parts(bulwark, 'peak')}`)
  // CPU seconds of each peer over the range: its own cost, whatever else the shared machine is running
  log(`CPU over the range: Bulwark ${bulwark.cpuSeconds.toFixed(1)} s (${Math.round(bulwark.transactions / bulwark.cpuSeconds)} tx per CPU-second), Forta SDK ${forta.cpuSeconds.toFixed(1)} s (${Math.round(forta.transactions / forta.cpuSeconds)} tx per CPU-second)`)
  log(`RSS parts (${runner}): Forta SDK idle ${parts(forta, 'idle')}; at its peak ${parts(forta, 'peak')}`)
  log(`Forta SDK: ${Math.round(rate(forta))} tx/s, peak RSS ${Math.round(forta.peakRssMb)} MB (idle ${Math.round(forta.idleRssMb)} MB), ${forta.findings.length} alerts = ${perThousand(forta).toFixed(2)} per 1,000`)
  log(`ratios Bulwark/Forta: throughput ×${(rate(bulwark) / rate(forta)).toFixed(2)}, peak RSS ×${(bulwark.peakRssMb / forta.peakRssMb).toFixed(2)}, false alerts ×${forta.findings.length === 0 ? 'n/a (Forta 0)' : (bulwark.findings.length / forta.findings.length).toFixed(2)}`)
  for (const [name, r] of [['Bulwark', bulwark], ['Forta', forta]] as const) {
    const byId = new Map<string, number>()
    for (const f of r.findings) byId.set(f.id, (byId.get(f.id) ?? 0) + 1)
    if (byId.size > 0) log(`  ${name} alerts by detector: ${JSON.stringify(Object.fromEntries(byId))}`)
  }

  // 3. mempool attacks: the pause ahead of the pending attack
  await market.test.revert({ id: fresh })
  fresh = await market.test.snapshot()
  const reactions: number[] = []
  let beaten = 0
  for (let i = 0; i < attackRuns; i++) {
    await market.test.revert({ id: fresh })
    fresh = await market.test.snapshot()
    const attack = i % 2 === 0 ? oracleManipulation : flashLoanManipulation
    const handle = await startMarketMonitor(market, { pending: true })
    await setMining(market, 'interval')
    try {
      const outcome = await attack.run(market, 'interval')
      const loss = outcome.transactions.find((t) => t.takesValue)!
      const responses = (await listResponses(handle.store, { chainId: market.anvil.chainId })).filter((r) => r.txHashes.length > 0)
      const receipts = await Promise.all(responses.flatMap((r) => r.txHashes).map((hash) => market.test.getTransactionReceipt({ hash }).catch(() => undefined)))
      const ahead = receipts.some((r) => r?.status === 'success' && (r.blockNumber < loss.receipt.blockNumber || (r.blockNumber === loss.receipt.blockNumber && r.transactionIndex < loss.receipt.transactionIndex)))
      if (ahead && loss.receipt.status === 'reverted') beaten++
      const first = responses.map((r) => r.broadcastAt?.getTime()).filter((t): t is number => t !== undefined).sort((a, b) => a - b)[0]
      if (first !== undefined) reactions.push(first - loss.sentAt)
    } finally {
      await handle.stop()
      await handle.close()
      await setMining(market, 'auto')
    }
  }
  log(`mempool attacks: ${beaten} of ${attackRuns} beaten (${((beaten * 100) / Math.max(1, attackRuns)).toFixed(0)}%: pause mined ahead in the same block and the attack reverted); reaction attack sent → pause broadcast p50 ${percentile(reactions, 0.5)} ms, p95 ${percentile(reactions, 0.95)} ms (target < 250)`)

  // 4. the Forta handlers on each attack class (no monitor, no pause: what the peer would have seen)
  const detections: string[] = []
  for (const attack of attackClasses) {
    await market.test.revert({ id: fresh })
    fresh = await market.test.snapshot()
    if (attack.prepare) await attack.prepare(market)
    const outcome = await attack.run(market, 'auto')
    const blocks = outcome.transactions.map((t) => Number(t.receipt.blockNumber))
    const hashes = new Set(outcome.transactions.map((t) => t.hash.toLowerCase()))
    const result = await runPeer({ ...chainJob, mode: 'forta', fromBlock: Math.min(...blocks), toBlock: Math.max(...blocks), transactions: outcome.transactions.length })
    const hits = result.findings.filter((f) => (f.tx && hashes.has(f.tx.toLowerCase())) || (!f.tx && f.block !== null && blocks.includes(f.block)))
    const beforeLoss = hits.some((f) => f.block !== null && f.block < Number(outcome.transactions.find((t) => t.takesValue)!.receipt.blockNumber))
    detections.push(`${attack.id}: ${hits.length > 0 ? `detected (${[...new Set(hits.map((h) => h.id))].join(', ')})${attack.multiTransaction ? (beforeLoss ? ', before the loss' : ', only at or after the loss') : ''}` : 'missed'}`)
  }
  log(`Forta handlers on the attack classes: ${detections.join('; ')}`)
} finally {
  await market.anvil.stop()
  rmSync(dir, { recursive: true, force: true })
}
