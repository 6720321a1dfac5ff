import { setFlagsFromString } from 'node:v8'
import { Worker, type ResourceLimits } from 'node:worker_threads'

/**
 * The V8 heap the monitor runs in (`bulwark monitor` runs in a worker thread under these limits:
 * src/cli/launch.ts; bench/monitorReal's peer imports the same). The live heap while following is
 * ~40 MB, but each block arrives as megabytes of JSON (header, logs, traces) that are garbage a
 * moment later; with V8's defaults the heap grows to 250–300 MB of that garbage before a major GC
 * (peak RSS ~460–570 MB). A 192 MB old generation caps that. The young generation is 48 MB (16 MB
 * semi-spaces): against 24 MB, in runs interleaved over the same 50,000 transactions, it spent
 * ~17% less CPU (fewer scavenges copying the block in hand) for a 15–30 MB higher peak; 96 MB saved
 * nothing more and raised the peak to ~345 MB (docs/monitor.md, Memory).
 */
export const monitorHeapLimits = { maxOldGenerationSizeMb: 192, maxYoungGenerationSizeMb: 48 } as const satisfies ResourceLimits

/**
 * V8 flags of a process whose work is the monitor. `--liftoff-only`: WebAssembly runs on V8's
 * baseline compiler without tiering up to TurboFan. The embedded store is Postgres compiled to a
 * 9 MB WebAssembly module; tiering its hot functions up kept ~70–90 MB more resident (opening the
 * store: +187–216 MB RSS against +98–124 MB), and over a 50,000-transaction run the monitor's CPU
 * time and throughput did not change measurably (docs/monitor.md, Memory). Process-wide: applied
 * only where the process runs nothing but the monitor (solc, also WebAssembly, would compile
 * slower under it).
 */
export const monitorV8Flags = ['--liftoff-only'] as const

/** Sets `monitorV8Flags` for this process; WebAssembly compiled afterwards (the store's, when it opens) runs under them. */
export function applyMonitorV8Flags(): void {
  for (const flag of monitorV8Flags) setFlagsFromString(flag)
}

/** V8 flags a user may set in NODE_OPTIONS to size the heap themselves. */
const heapFlags = /--max-old-space-size|--max-semi-space-size|--max-heap-size/

/**
 * The limits a monitor's worker gets: none when the user sized the heap in NODE_OPTIONS (the
 * worker then inherits their flags), else `monitorHeapLimits`.
 */
export function monitorResourceLimits(env: NodeJS.ProcessEnv): ResourceLimits | undefined {
  return heapFlags.test(env['NODE_OPTIONS'] ?? '') ? undefined : { ...monitorHeapLimits }
}

/**
 * Starts a module in a worker thread under `monitorResourceLimits(env)`, in a process given
 * `monitorV8Flags`: how `bulwark monitor` runs (src/cli/launch.ts) and how bench/monitorReal runs
 * Bulwark's peer, so the bench measures the product's memory. A `.ts` entry (the code run from
 * source through the tsx loader, as tests and the bench's tsx runner do) registers the loader in
 * the thread first: Node 20 does not pass it on.
 */
export function startMonitorThread(entry: URL, workerData: unknown, env: NodeJS.ProcessEnv = process.env): Worker {
  applyMonitorV8Flags()
  const resourceLimits = monitorResourceLimits(env)
  const options = { workerData, ...(resourceLimits ? { resourceLimits } : {}) }
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options)
  const loader = import.meta.resolve('tsx/esm/api')
  const source = `import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}) })`
  return new Worker(source, { ...options, eval: true })
}
