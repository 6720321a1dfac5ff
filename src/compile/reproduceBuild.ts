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
  const release = releaseOf(parameters.solcVersion)
  const selection: Record<string, Record<string, string[]>> = {}
  for (const { sourceName, contractName } of parameters.contracts) {
    selection[sourceName] ??= {}
    selection[sourceName][contractName] = ['evm.bytecode.object', 'evm.deployedBytecode.object']
  }
  const input: SolcInput = { ...parameters.input, settings: { ...parameters.input.settings, outputSelection: selection } }
  const serialized = JSON.stringify(input)
  const key = createHash('sha256').update(release).update('\0').update(serialized).digest('hex')
  const record = path.join(parameters.cacheDir ?? buildCacheDir(), 'reproduced', `${key}.json`)
  const known = await readRecord(record)
  if (known && parameters.contracts.every((c) => `${c.sourceName}:${c.contractName}` in known)) return { contracts: known, cached: true }

  const output = await compileInWorker(release, serialized, parameters.signal)
  const contracts: Record<string, ReproducedHashes> = {}
  for (const { sourceName, contractName } of parameters.contracts) {
    const evm = output.contracts?.[sourceName]?.[contractName]?.evm
    contracts[`${sourceName}:${contractName}`] = {
      runtimeCodeHash: keccak256(`0x${(evm?.deployedBytecode?.object ?? '').replace(/^0x/, '')}`),
      creationCodeHash: keccak256(`0x${(evm?.bytecode?.object ?? '').replace(/^0x/, '')}`),
    }
  }
  const failed = (output.errors ?? []).some((error) => error.severity === 'error')
  // A failed recompile is not a fact about the input worth keeping (it may be a broken compiler download).
  if (!failed) await writeFileAtomic(record, JSON.stringify(contracts))
  return { contracts, cached: false }
}

async function readRecord(file: string): Promise<Record<string, ReproducedHashes> | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, ReproducedHashes>
  } catch {
    return undefined
  }
}

// Plain JavaScript so the worker needs no TypeScript loader; it only runs one solc-js on one input.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads')
const solc = workerData.soljsonPath ? require(workerData.wrapperPath)(require(workerData.soljsonPath)) : require(workerData.solcPath)
parentPort.postMessage(solc.compile(workerData.input))
`

async function compileInWorker(release: string, input: string, signal?: AbortSignal): Promise<Partial<SolcOutput>> {
  const compiler =
    release === bundledSolcVersion()
      ? { solcPath: require.resolve('solc') }
      : { soljsonPath: await fetchSoljson(release), wrapperPath: require.resolve('solc/wrapper.js') }
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerSource, { eval: true, workerData: { ...compiler, input } })
    const abort = () => void worker.terminate()
    signal?.addEventListener('abort', abort, { once: true })
    worker.once('message', (raw: string) => {
      signal?.removeEventListener('abort', abort)
      void worker.terminate()
      try {
        resolve(JSON.parse(raw) as Partial<SolcOutput>)
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)))
      }
    })
    worker.once('error', (error) => {
      signal?.removeEventListener('abort', abort)
      reject(error)
    })
    worker.once('exit', (code) => {
      if (signal?.aborted) reject(new Error('the reproducibility build was cancelled'))
      else if (code !== 0) reject(new Error(`the reproducibility build worker exited with code ${code}`))
    })
  })
}
