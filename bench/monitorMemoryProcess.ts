/**
 * The monitor as `bulwark monitor` runs it (store on disk, every detector, block follower and
 * mempool poller), in its own process so its memory is measured alone: the parent
 * (`monitorMemory.bench.ts`) reads this process's peak RSS from /proc. Prints one JSON line per
 * stage (`stage`, `process.memoryUsage()` in MB) and, every second, a `sample` line until killed.
 * BULWARK_RPC_URL, BULWARK_DATA_DIR and BULWARK_SCOPE (JSON) configure it.
 */
import { getHeapStatistics } from 'node:v8'

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024)
function report(stage: string, extra: Record<string, unknown> = {}) {
  const usage = process.memoryUsage()
  const heap = getHeapStatistics()
  process.stdout.write(
    `${JSON.stringify({ stage, rss: mb(usage.rss), heapUsed: mb(usage.heapUsed), heapTotal: mb(usage.heapTotal), external: mb(usage.external), arrayBuffers: mb(usage.arrayBuffers), mallocedMemory: mb(heap.malloced_memory), ...extra })}\n`,
  )
}

report('node started')
const { createReadClient } = await import('../src/chain/clients.js')
const { openStore } = await import('../src/store/openStore.js')
const { createDetectors } = await import('../src/monitor/detectors/createDetectors.js')
const { parsePolicy } = await import('../src/monitor/policy.js')
const { startMonitor } = await import('../src/monitor/runMonitor.js')
const { readCheckpoint } = await import('../src/monitor/sources/checkpoint.js')
report('monitor modules loaded')
if (process.env['BULWARK_LOAD_CLI'] === '1') {
  // what `bulwark monitor` also holds: every other command's modules, loaded by the CLI entry
  await import('../src/cli/main.js')
  report('CLI modules loaded')
}
const rpcUrl = process.env['BULWARK_RPC_URL']!
const store = await openStore({ dataDir: process.env['BULWARK_DATA_DIR']! })
report('store open')
const client = createReadClient({ rpcUrl, timeoutMs: 120_000 })
const scope = JSON.parse(process.env['BULWARK_SCOPE']!) as { contracts: `0x${string}`[]; releaseGates: `0x${string}`[]; authorities: `0x${string}`[] }
const chainId = await client.getChainId()
const monitor = await startMonitor({
  client: client as never,
  store,
  chain: { id: chainId, name: 'anvil' },
  scope,
  detectors: createDetectors(),
  policy: parsePolicy({ rules: [{ minScore: 0, respond: [{ kind: 'notify' }] }] }),
  sinks: [{ name: 'count', send: async () => undefined }],
  blockIntervalMs: 100,
  pendingIntervalMs: 50,
})
report('monitor started')
const sampler = setInterval(() => {
  void readCheckpoint(store, chainId).then((checkpoint) => report('sample', { processedTo: checkpoint?.blockNumber.toString() ?? null }))
}, 1000)
// the parent's SIGTERM: stop, report, close; the process then ends with nothing left to run
process.once('SIGTERM', () => {
  clearInterval(sampler)
  void monitor.stop({ graceMs: 0 }).then(async () => {
    report('stopped')
    // with --expose-gc: what is still live once garbage is collected
    const collect = (globalThis as { gc?: () => void }).gc
    if (collect) {
      collect()
      report('stopped, after a full GC')
    }
    await store.close()
  })
})
