import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { keccak256, type Hex } from 'viem'
import type { SolcInput, SolcOutput } from './buildInfo.js'
import { writeFileAtomic } from './cacheFiles.js'
import { buildCacheDir, bundledSolcVersion, fetchSoljson, releaseOf } from './loadCompiler.js'

export type ReproduceBuildParameters = {
  /** The exact Standard JSON input of the build (its settings are kept; only the output selection is narrowed). */
  input: SolcInput
  /** The release that made the build ('0.8.19' or '0.8.19+commit.7dd6d404'). */
  solcVersion: string
  /** The contracts whose code is compared; `sourceName: '*'` selects the name in every file (when the file is not known yet). */
  contracts: readonly { sourceName: string; contractName: string }[]
  signal?: AbortSignal
  /** default `buildCacheDir()` */
  cacheDir?: string
}

export type ReproducedHashes = { runtimeCodeHash: Hex; creationCodeHash: Hex }

export type ReproduceBuildReturnType = {
  /** `sourceName:contractName` → keccak256 of the recompiled code. */
  contracts: Record<string, ReproducedHashes>
  /** True when this exact input was already recompiled with this release (on this machine) and the result was read back. */
  cached: boolean
}

const require = createRequire(import.meta.url)

/**
 * Compiles a build's exact input a second time with the build's own solc release, in a worker
 * thread (the caller keeps running), and returns the code hashes. The result is recorded by
 * (release, input): compilation is deterministic, so a later run on the same input reads the
 * record instead of compiling again.
 */
export async function reproduceBuild(parameters: ReproduceBuildParameters): Promise<ReproduceBuildReturnType> {
  return (await startReproduceBuild(parameters)).result
}

/**
 * `reproduceBuild` in two steps: resolves once the worker thread is compiling (or the record was
 * read), so the caller may block its own thread next — typically with the first compilation of the
 * same input, which then runs beside the second on another core instead of before it.
 */
export async function startReproduceBuild(parameters: ReproduceBuildParameters): Promise<{ result: Promise<ReproduceBuildReturnType> }> {
  const release = releaseOf(parameters.solcVersion)
  const selection: Record<string, Record<string, string[]>> = {}
  for (const { sourceName, contractName } of parameters.contracts) {
    selection[sourceName] ??= {}
    selection[sourceName][contractName] = ['evm.bytecode.object', 'evm.deployedBytecode.object']
  }
  const input: SolcInput = { ...parameters.input, settings: { ...parameters.input.settings, outputSelection: selection } }
  const serialized = JSON.stringify(input)
  // The record is per (release, sources and settings): the output selection changes which contracts
  // are compiled, never their code, so one record gathers every contract recompiled from this input.
  const record = path.join(parameters.cacheDir ?? buildCacheDir(), 'reproduced', `${reproductionKey(parameters.input, release)}.json`)
  const known = await readRecord(record)
  const recorded = (c: { sourceName: string; contractName: string }) =>
    c.sourceName === '*' ? Object.keys(known ?? {}).some((name) => name.endsWith(`:${c.contractName}`)) : `${c.sourceName}:${c.contractName}` in (known ?? {})
  if (known && parameters.contracts.every(recorded)) return { result: Promise.resolve({ contracts: known, cached: true }) }

  const { output: compiling } = await compileInWorker(release, serialized, parameters.signal)
  const result = compiling.then(async (output) => {
    const contracts: Record<string, ReproducedHashes> = {}
    for (const { sourceName, contractName } of parameters.contracts) {
      const files = sourceName === '*' ? Object.keys(output.contracts ?? {}) : [sourceName]
      for (const file of files) {
        const evm = output.contracts?.[file]?.[contractName]?.evm
        if (!evm && sourceName === '*') continue
        contracts[`${file}:${contractName}`] = {
          runtimeCodeHash: keccak256(`0x${(evm?.deployedBytecode?.object ?? '').replace(/^0x/, '')}`),
          creationCodeHash: keccak256(`0x${(evm?.bytecode?.object ?? '').replace(/^0x/, '')}`),
        }
      }
    }
    const failed = (output.errors ?? []).some((error) => error.severity === 'error')
    // A failed recompile is not a fact about the input worth keeping (it may be a broken compiler download).
    if (!failed) await writeFileAtomic(record, JSON.stringify({ ...(await readRecord(record)), ...contracts }))
    return { contracts, cached: false }
  })
  result.catch(() => {})
  return { result }
}

/** Identifies a recompile: the release and the input's sources and settings, the output selection aside. */
export function reproductionKey(input: SolcInput, solcVersion: string): string {
  const settings: Record<string, unknown> = { ...input.settings }
  delete settings.outputSelection
  return createHash('sha256').update(JSON.stringify([releaseOf(solcVersion), input.language, input.sources, settings])).digest('hex')
}

async function readRecord(file: string): Promise<Record<string, ReproducedHashes> | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, ReproducedHashes>
  } catch {
    return undefined
  }
}

// Plain JavaScript so the worker needs no TypeScript loader. It loads one solc release once and then
// compiles every input it is sent, so a later recompile with the same release skips the WebAssembly load.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads')
const solc = workerData.soljsonPath ? require(workerData.wrapperPath)(require(workerData.soljsonPath)) : require(workerData.solcPath)
parentPort.on('message', (input) => parentPort.postMessage(solc.compile(input)))
`

/**
 * Compiler threads with their release loaded, kept between recompiles: loading a soljson (tens of MB
 * of WebAssembly) costs seconds, often more than the recompile of a small project. One idle thread per
 * release, at most `maxIdleWorkers` in all (a loaded compiler holds its memory), each ended after
 * `idleWorkerMs` unused; idle threads never keep the process alive.
 */
const idleWorkerMs = 300_000
const maxIdleWorkers = 3
const idleWorkers: { release: string; worker: Worker; timer: NodeJS.Timeout }[] = []

function takeWorker(release: string, workerData: Record<string, string>): Worker {
  const index = idleWorkers.findIndex((entry) => entry.release === release)
  if (index !== -1) {
    const [entry] = idleWorkers.splice(index, 1)
    clearTimeout(entry!.timer)
    entry!.worker.removeAllListeners('exit')
    entry!.worker.ref()
    return entry!.worker
  }
  return new Worker(workerSource, { eval: true, workerData })
}

function keepWorker(release: string, worker: Worker) {
  if (idleWorkers.some((entry) => entry.release === release)) {
    void worker.terminate()
    return
  }
  while (idleWorkers.length >= maxIdleWorkers) {
    const oldest = idleWorkers.shift()!
    clearTimeout(oldest.timer)
    void oldest.worker.terminate()
  }
  worker.unref()
  const entry = {
    release,
    worker,
    timer: setTimeout(() => {
      const at = idleWorkers.indexOf(entry)
      if (at !== -1) idleWorkers.splice(at, 1)
      void worker.terminate()
    }, idleWorkerMs).unref(),
  }
  idleWorkers.push(entry)
  // A thread that ends while idle (out of memory, terminated) is not handed out again.
  worker.once('exit', () => {
    const at = idleWorkers.indexOf(entry)
    if (at !== -1) idleWorkers.splice(at, 1)
    clearTimeout(entry.timer)
  })
}

/** Resolves once the worker thread exists, with the promise of its output. */
async function compileInWorker(release: string, input: string, signal?: AbortSignal): Promise<{ output: Promise<Partial<SolcOutput>> }> {
  const compiler =
    release === bundledSolcVersion()
      ? { solcPath: require.resolve('solc') }
      : { soljsonPath: await fetchSoljson(release), wrapperPath: require.resolve('solc/wrapper.js') }
  const worker = takeWorker(release, compiler)
  const output = new Promise<Partial<SolcOutput>>((resolve, reject) => {
    const settle = () => {
      signal?.removeEventListener('abort', abort)
      worker.off('message', onMessage)
      worker.off('error', onError)
      worker.off('exit', onExit)
    }
    const abort = () => {
      settle()
      void worker.terminate()
      reject(new Error('the reproducibility build was cancelled'))
    }
    const onMessage = (raw: string) => {
      settle()
      keepWorker(release, worker)
      try {
        resolve(JSON.parse(raw) as Partial<SolcOutput>)
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)))
      }
    }
    const onError = (error: Error) => {
      settle()
      void worker.terminate()
      reject(error)
    }
    const onExit = (code: number) => {
      settle()
      reject(new Error(`the reproducibility build worker exited with code ${code}`))
    }
    if (signal?.aborted) return abort()
    signal?.addEventListener('abort', abort, { once: true })
    worker.on('message', onMessage)
    worker.once('error', onError)
    worker.once('exit', onExit)
    worker.postMessage(input)
  })
  // Whoever started the worker may never ask for its result (their own build failed first).
  output.catch(() => {})
  return { output }
}
