/**
 * One monitor over a range of an existing chain, in its own process so its peak RSS is its own:
 * `bulwark` (Bulwark's live monitor: block follower with traces, every detector, the armed policy in
 * dry run, detectors warmed up on the market's history) or `forta` (the Forta bot SDK's block pipeline
 * with the equivalent handlers of fortaBots.ts). Reads its job as JSON from argv[2]; prints one JSON line.
 * Bulwark's monitor runs in a worker thread under the heap limits `bulwark monitor` runs with.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { isMainThread, parentPort, workerData } from 'node:worker_threads'
import type { MarketAddresses } from '../../test/attacks/realMarket.js'

type Job = {
  mode: 'bulwark' | 'forta'
  rpcUrl: string
  chainId: number
  addresses: MarketAddresses
  fromBlock: number
  toBlock: number
  transactions: number
  /** Bulwark's thread without the product's heap cap (V8's defaults), to measure what the cap costs. */
  uncapped?: boolean
}
export type PeerResult = {
  mode: Job['mode']
  seconds: number
  /** CPU seconds this process spent over the range (user + system): what the monitor itself costs, whatever the machine's load. */
  cpuSeconds: number
  transactions: number
  peakRssMb: number
  idleRssMb: number
  /** What the RSS held at idle and at the peak sample: V8's heap (total, live part), memory outside it (PGlite's WASM memory, buffers). MB. */
  memory: { idle: MemoryParts; peak: MemoryParts }
  findings: { id: string; tx: string | null; block: number | null; decision: string }[]
}

const job = (isMainThread ? JSON.parse(readFileSync(process.argv[2]!, 'utf8')) : workerData) as Job
const print = (line: string) => process.stdout.write(`${line}\n`)
export type MemoryParts = { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number }
const partsOf = (usage: NodeJS.MemoryUsage): MemoryParts => ({
  rss: Math.round(usage.rss / 2 ** 20),
  heapTotal: Math.round(usage.heapTotal / 2 ** 20),
  heapUsed: Math.round(usage.heapUsed / 2 ** 20),
  external: Math.round(usage.external / 2 ** 20),
  arrayBuffers: Math.round(usage.arrayBuffers / 2 ** 20),
})
let peak = 0
let atPeak: MemoryParts | undefined
const sample = () => {
  const usage = process.memoryUsage()
  if (usage.rss > peak) {
    peak = usage.rss
    atPeak = partsOf(usage)
  }
}
const sampler = setInterval(sample, 50)
const cpuSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1e6
}

async function runBulwark(): Promise<PeerResult> {
  const { readCheckpoint } = await import('../../src/monitor/sources/checkpoint.js')
  const { startMonitorOn } = await import('../../test/attacks/realMarket.js')
  // a store in a data dir, as `bulwark monitor` keeps it (a memory:// store runs initdb in-process: +300 MB RSS)
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bulwark-bench-peer-'))
  const handle = await startMonitorOn({ rpcUrl: job.rpcUrl, chainId: job.chainId }, job.addresses, { dryRun: true, pending: false, startBlock: BigInt(job.fromBlock), dataDir, log: (line) => process.stderr.write(`${line}\n`) })
  sample()
  const idleParts = partsOf(process.memoryUsage())
  const idle = process.memoryUsage().rss
  const started = performance.now()
  const cpu = process.cpuUsage()
  for (;;) {
    const checkpoint = await readCheckpoint(handle.store, job.chainId)
    if (checkpoint && checkpoint.blockNumber >= BigInt(job.toBlock)) break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const seconds = (performance.now() - started) / 1000
  const cpuSeconds = cpuSince(cpu)
  await handle.stop()
  await handle.close()
  rmSync(dataDir, { recursive: true, force: true })
  return {
    mode: 'bulwark',
    seconds,
    cpuSeconds,
    transactions: job.transactions,
    peakRssMb: peak / 2 ** 20,
    idleRssMb: idle / 2 ** 20,
    memory: { idle: idleParts, peak: atPeak ?? idleParts },
    findings: handle.alerts.map((a) => ({ id: a.detector, tx: a.tx, block: a.block ? Number(a.block.number) : null, decision: a.response.detail ?? a.response.kind })),
  }
}

async function runForta(): Promise<PeerResult> {
  // the SDK logs every block and transaction on stdout outside production: keep stdout for the result line
  console.log = () => undefined
  const { configureContainer } = await import('@fortanetwork/forta-bot')
  const { createFortaBots } = await import('./fortaBots.js')
  const container = configureContainer()
  const getProvider = container.resolve<(options: { rpcUrl: string }) => Promise<import('@fortanetwork/forta-bot').ethers.JsonRpcProvider>>('getProvider')
  type RunHandlersOnBlock = (block: number, options: object, provider: unknown, chainId: number) => Promise<unknown[]>
  const runHandlersOnBlock = container.resolve<RunHandlersOnBlock>('runHandlersOnBlock')
  const bots = createFortaBots(job.addresses)
  const findings: PeerResult['findings'] = []
  const options = {
    rpcUrl: job.rpcUrl,
    useTraceData: true,
    handleTransaction: async (txEvent: import('@fortanetwork/forta-bot').TransactionEvent, provider: import('@fortanetwork/forta-bot').ethers.JsonRpcProvider) => {
      const found = await bots.handleTransaction(txEvent, provider)
      for (const f of found) findings.push({ id: f.alertId, tx: txEvent.hash, block: txEvent.blockNumber, decision: 'alert' })
      return found
    },
    handleBlock: async (blockEvent: import('@fortanetwork/forta-bot').BlockEvent, provider: import('@fortanetwork/forta-bot').ethers.JsonRpcProvider) => {
      const found = await bots.handleBlock(blockEvent, provider)
      for (const f of found) findings.push({ id: f.alertId, tx: null, block: blockEvent.blockNumber, decision: 'alert' })
      return found
    },
  }
  const provider = await getProvider({ rpcUrl: job.rpcUrl })
  sample()
  const idleParts = partsOf(process.memoryUsage())
  const idle = process.memoryUsage().rss
  const started = performance.now()
  const cpu = process.cpuUsage()
  for (let block = job.fromBlock; block <= job.toBlock; block++) await runHandlersOnBlock(block, options, provider, job.chainId)
  const seconds = (performance.now() - started) / 1000
  const cpuSeconds = cpuSince(cpu)
  provider.destroy()
  return { mode: 'forta', seconds, cpuSeconds, transactions: job.transactions, peakRssMb: peak / 2 ** 20, idleRssMb: idle / 2 ** 20, memory: { idle: idleParts, peak: atPeak ?? idleParts }, findings }
}

/**
 * Bulwark's peer runs as `bulwark monitor` does (src/cli/launch.ts): in a worker thread of this
 * process under the monitor's heap limits (`startMonitorThread`, the same function and constant), so
 * its RSS is the product's; the worker samples the RSS (the whole process's) and its own heap.
 */
async function inMonitorThread(): Promise<PeerResult> {
  const { startMonitorThread } = await import('../../src/monitor/heapLimits.js')
  // a heap flag in NODE_OPTIONS is how a user lifts the cap: the thread then gets V8's defaults
  const env = job.uncapped ? { ...process.env, NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --max-old-space-size=4096` } : process.env
  const worker = startMonitorThread(new URL(import.meta.url), job, env)
  return new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`the monitor's thread exited (${code}) without a result`)))
  })
}

try {
  if (job.mode === 'bulwark' && isMainThread) {
    clearInterval(sampler)
    print(JSON.stringify(await inMonitorThread()))
  } else {
    const result = job.mode === 'bulwark' ? await runBulwark() : await runForta()
    clearInterval(sampler)
    if (isMainThread) print(JSON.stringify(result))
    else parentPort!.postMessage(result)
  }
} catch (error) {
  clearInterval(sampler)
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exitCode = 1
}
