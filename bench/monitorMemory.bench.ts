/**
 * Memory of the monitor: where its resident memory goes, idle and under load. The monitor runs in
 * its own process (`monitorMemoryProcess.ts`: store on disk, every detector, blocks with traces
 * and the mempool) and reports `process.memoryUsage()` at each stage; this process builds the
 * traffic (token transfers, AMM swaps on a watched pair, ETH transfers) and reads the monitor's
 * peak RSS (VmHWM) from /proc when it has caught up. BENCH_MONITOR_TXS sets the load (default
 * 50,000); BULWARK_LOAD_CLI=1 also loads every CLI module, as `bulwark monitor` does.
 * Prints figures; the target (≤ 350 MB peak) is a figure to compare with, not a gate.
 */
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { encodeFunctionData, keccak256, maxUint256, parseEther, toHex, type Abi } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { createDevClient, createReadClient } from '../src/chain/clients.js'
import { deployContract } from '../src/chain/deployContract.js'
import { devAccount } from '../src/chain/devAccounts.js'
import { startAnvil } from '../src/chain/startAnvil.js'
import { compileProject } from '../src/compile/compileProject.js'
import { getArtifact } from '../src/compile/getArtifact.js'
import { sendBulk, type BulkCall } from '../src/monitor/sources/sendBulk.js'

const total = Number(process.env['BENCH_MONITOR_TXS'] ?? 50_000)
const perBlock = 250
const root = path.resolve(import.meta.dirname, '..')
const build = await compileProject({ root })
const abiOf = (name: string): Abi => getArtifact(build, name).abi
const anvil = await startAnvil({ extraArgs: ['--gas-limit', '10000000000'] })
const dir = await mkdtemp(path.join(tmpdir(), 'bulwark-memory-'))
try {
  const reader = createReadClient({ rpcUrl: anvil.rpcUrl, timeoutMs: 120_000 })
  const owner = devAccount(0)
  const ownerClient = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: owner })
  const deploy = async (name: string, args: readonly unknown[] = []) => (await deployContract(ownerClient, { name, abi: abiOf(name), bytecode: getArtifact(build, name).bytecode, args })).address
  const call = (abiName: string, functionName: string, args: readonly unknown[]) => encodeFunctionData({ abi: abiOf(abiName), functionName, args } as Parameters<typeof encodeFunctionData>[0])
  const t0 = await deploy('AttackToken', ['COL'])
  const t1 = await deploy('AttackToken', ['USD'])
  const pair = await deploy('SpotPair', [t0, t1])
  const senders = Array.from({ length: 200 }, (_, i) => privateKeyToAccount(keccak256(toHex(`memory bench sender ${i}`))))
  await Promise.all(senders.map((s) => reader.request({ method: 'anvil_setBalance', params: [s.address, toHex(parseEther('100'))] } as never)))

  // `tsx` (default) runs the TypeScript through the loader, as tests do; `bundle` runs plain JavaScript
  // (one esbuild bundle, packages external), as the built CLI does, without the loader's own memory
  const runner = process.env['BENCH_MONITOR_RUNNER'] ?? 'tsx'
  const bundle = path.join(root, 'node_modules', '.cache', 'bulwark-bench', 'monitorMemoryProcess.mjs')
  if (runner === 'bundle') {
    const built = spawnSync('npx', ['esbuild', path.join(import.meta.dirname, 'monitorMemoryProcess.ts'), '--bundle', '--platform=node', '--format=esm', '--packages=external', `--outfile=${bundle}`, '--log-level=warning'], { stdio: 'inherit', cwd: root })
    if (built.status !== 0) throw new Error('esbuild failed to bundle the monitor process')
  }
  const nodeFlags = (process.env['BENCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean)
  const entry = runner === 'bundle' ? [bundle] : ['--import', 'tsx', path.join(import.meta.dirname, 'monitorMemoryProcess.ts')]
  const child = spawn(process.execPath, [...nodeFlags, ...entry], {
    env: {
      ...process.env,
      BULWARK_RPC_URL: anvil.rpcUrl,
      BULWARK_DATA_DIR: path.join(dir, 'db'),
      BULWARK_SCOPE: JSON.stringify({ contracts: [pair, t0, t1], releaseGates: [], authorities: [owner.address] }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const stages: Record<string, Record<string, number>> = {}
  let processedTo = 0n
  let peakSample = 0
  const lines = createInterface({ input: child.stdout! })
  const started = new Promise<void>((resolve) => {
    lines.on('line', (line) => {
      const report = JSON.parse(line) as { stage: string; rss: number; processedTo?: string | null }
      if (report.stage === 'sample') {
        peakSample = Math.max(peakSample, report.rss)
        if (report.processedTo) processedTo = BigInt(report.processedTo)
      } else {
        stages[report.stage] = report as unknown as Record<string, number>
      }
      if (report.stage === 'monitor started') resolve()
    })
  })
  await started
  await new Promise((resolve) => setTimeout(resolve, 5000))
  const idle = vmHwm(child.pid!)
  const idleRss = vmRss(child.pid!)

  await reader.request({ method: 'evm_setAutomine', params: [false] } as never)
  const setup: BulkCall[] = [
    { from: owner, to: t0, data: call('AttackToken', 'mint', [owner.address, parseEther('10000000')]), gas: 100_000n },
    { from: owner, to: t1, data: call('AttackToken', 'mint', [owner.address, parseEther('10000000')]), gas: 100_000n },
    { from: owner, to: t0, data: call('AttackToken', 'approve', [pair, maxUint256]), gas: 100_000n },
    { from: owner, to: t1, data: call('AttackToken', 'approve', [pair, maxUint256]), gas: 100_000n },
    { from: owner, to: pair, data: call('SpotPair', 'addLiquidity', [parseEther('10000000'), parseEther('10000000')]), gas: 300_000n },
    ...senders.flatMap((s): BulkCall[] => [
      { from: owner, to: t0, data: call('AttackToken', 'mint', [s.address, parseEther('100000')]), gas: 100_000n },
      { from: owner, to: t1, data: call('AttackToken', 'mint', [s.address, parseEther('100000')]), gas: 100_000n },
      { from: s, to: t0, data: call('AttackToken', 'approve', [pair, maxUint256]), gas: 100_000n },
      { from: s, to: t1, data: call('AttackToken', 'approve', [pair, maxUint256]), gas: 100_000n },
    ]),
  ]
  const traffic: BulkCall[] = []
  for (let i = 0; traffic.length + setup.length < total; i++) {
    const from = senders[i % senders.length]!
    const to = senders[(i * 7 + 3) % senders.length]!.address
    const kind = i % 5
    if (kind === 0) traffic.push({ from, to: pair, data: call('SpotPair', 'swap', [i % 2 ? t0 : t1, parseEther('10')]), gas: 200_000n })
    else if (kind === 1 || kind === 2) traffic.push({ from, to: kind === 1 ? t0 : t1, data: call('AttackToken', 'transfer', [to, parseEther('1')]), gas: 100_000n })
    else traffic.push({ from, to, value: 1_000n, gas: 21_000n })
  }
  const loadStart = performance.now()
  const nonces = new Map<string, number>()
  await sendBulk(reader as never, { chainId: anvil.chainId, calls: setup, perBlock, nonces })
  await sendBulk(reader as never, { chainId: anvil.chainId, calls: traffic, perBlock, nonces })
  const head = await reader.getBlockNumber({ cacheTime: 0 })
  while (processedTo < head) await new Promise((resolve) => setTimeout(resolve, 200))
  const seconds = (performance.now() - loadStart) / 1000
  const peak = vmHwm(child.pid!)
  const afterRss = vmRss(child.pid!)
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  await exited
  clearTimeout(killer)

  console.log(`monitor memory (MB; rss / heapUsed / external / arrayBuffers at each stage; runner ${runner}${nodeFlags.length > 0 ? `, node ${nodeFlags.join(' ')}` : ''}):`)
  for (const [stage, usage] of Object.entries(stages)) console.log(`  ${stage.padEnd(24)} rss ${usage['rss']}  heap ${usage['heapUsed']}/${usage['heapTotal']}  external ${usage['external']}  arrayBuffers ${usage['arrayBuffers']}`)
  console.log(`idle 5 s after start: rss ${idleRss} MB, peak so far ${idle} MB`)
  console.log(`under load: ${setup.length + traffic.length} transactions (${perBlock}/block, traces on, every detector) followed live in ${seconds.toFixed(1)} s; peak RSS ${peak} MB (target ≤ 350 MB, ratio ${(peak / 350).toFixed(2)}); RSS when caught up ${afterRss} MB; highest 1-s sample ${peakSample} MB`)
} finally {
  await rm(dir, { recursive: true, force: true })
  await anvil.stop()
}

/** Peak resident set (VmHWM) of a process, in MB. */
function vmHwm(pid: number): number {
  return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024)
}
/** Current resident set (VmRSS) of a process, in MB. */
function vmRss(pid: number): number {
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024)
}
