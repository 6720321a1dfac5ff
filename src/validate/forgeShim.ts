import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { versionFromPragmas } from '../compile/compileSources.js'
import { bundledSolcVersion, fetchSoljson, releaseOf } from '../compile/loadCompiler.js'
import { readFoundryConfig } from '../compile/readFoundryConfig.js'
import { ForgeRunError } from './dynamicStageErrors.js'

/** The solc stand-in forge is pointed at with `--use`: answers `--version` and `--standard-json` through solc-js. */
export const solcShimPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/solc-shim.js')

/** Path of the platform forge binary (not the npm wrapper, which would outlive a kill of its parent). */
export function forgeBinaryPath(): string {
  const require = createRequire(import.meta.url)
  const platform = { linux: 'linux', darwin: 'darwin', win32: 'win32' }[process.platform as string]
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string]
  if (!platform || !arch) throw new ForgeRunError({ root: '.', reason: 'spawn', output: `no forge build for ${process.platform}/${process.arch}` })
  const packageJson = require.resolve(`@foundry-rs/forge-${platform}-${arch}/package.json`)
  return path.join(path.dirname(packageJson), 'bin', process.platform === 'win32' ? 'forge.exe' : 'forge')
}

export type ForgeTestResult = {
  /** `test/Foo.t.sol:FooTest`. */
  suite: string
  /** `test_exploit()`. */
  test: string
  passed: boolean
  /** forge's failure reason (revert data decoded when it can), absent on success. */
  reason?: string
}

export type RunForgeTestsParameters = {
  /** The Foundry project folder (holds foundry.toml). */
  root: string
  forkUrl: string
  matchPath?: string | undefined
  matchContract?: string | undefined
  matchTest?: string | undefined
  /** Extra environment for the tests (`vm.envAddress`…). */
  env?: Readonly<Record<string, string>> | undefined
  /** Killed (with its whole process group) after this many milliseconds; default 120 s. */
  timeoutMs?: number | undefined
  signal?: AbortSignal | undefined
}

export type RunForgeTestsReturnType = { results: ForgeTestResult[]; durationMs: number }

/**
 * Runs `forge test --fork-url <fork> --offline --use <solc-js shim> --json` in a Foundry project and
 * returns one result per test. Nothing is downloaded and nothing is written into the project: the
 * cache and the build output go to a temporary folder per project, shared by this process's runs in
 * that project (they take turns, so only the first compiles) and removed when the process exits.
 *
 * @throws {ForgeRunError} forge could not produce results (compile error, no test matched, timeout).
 * A failing test is a result, not an error.
 */
export async function runForgeTests(parameters: RunForgeTestsParameters): Promise<RunForgeTestsReturnType> {
  const workspace = await workspaceFor(parameters.root)
  // Runs in one project take turns on one build cache: the first compiles, the next ones reuse it.
  const turn = workspace.queue.then(() => runForgeTestsIn(workspace.dir, parameters))
  workspace.queue = turn.catch(() => undefined)
  return turn
}

type ForgeWorkspace = { dir: string; queue: Promise<unknown> }
const workspaces = new Map<string, Promise<ForgeWorkspace>>()
let cleanupInstalled = false

/** A scratch folder per Foundry project for this process (cache + out), removed when the process exits. */
function workspaceFor(root: string): Promise<ForgeWorkspace> {
  const key = path.resolve(root)
  let workspace = workspaces.get(key)
  if (!workspace) {
    workspace = mkdtemp(path.join(tmpdir(), 'bulwark-forge-')).then((dir) => ({ dir, queue: Promise.resolve() }))
    workspaces.set(key, workspace)
    if (!cleanupInstalled) {
      cleanupInstalled = true
      // 'exit' handlers cannot await: the folders created so far are removed synchronously.
      process.once('exit', () => {
        for (const dir of knownDirs) rmSync(dir, { recursive: true, force: true })
      })
    }
    void workspace.then(({ dir }) => knownDirs.add(dir))
  }
  return workspace
}
const knownDirs = new Set<string>()

async function runForgeTestsIn(scratch: string, parameters: RunForgeTestsParameters): Promise<RunForgeTestsReturnType> {
  const started = performance.now()
  const args = [
    'test',
    '--root', parameters.root,
    '--fork-url', parameters.forkUrl,
    '--no-storage-caching', // fork reads stay in memory: a cache per chain id and block would mix dev chains
    '--offline',
    '--use', solcShimPath,
    '--cache-path', path.join(scratch, 'cache'),
    '--out', path.join(scratch, 'out'),
    '--json',
    ...(parameters.matchPath ? ['--match-path', parameters.matchPath] : []),
    ...(parameters.matchContract ? ['--match-contract', parameters.matchContract] : []),
    ...(parameters.matchTest ? ['--match-test', parameters.matchTest] : []),
  ]
  const soljson = await projectSoljson(parameters.root)
  const { stdout, stderr, code, timedOut } = await run(forgeBinaryPath(), args, {
    cwd: parameters.root,
    env: { ...process.env, FOUNDRY_DISABLE_NIGHTLY_WARNING: '1', NO_COLOR: '1', ...(soljson ? { BULWARK_SOLJSON: soljson } : {}), ...parameters.env },
    timeoutMs: parameters.timeoutMs ?? 120_000,
    signal: parameters.signal,
  })
  if (timedOut) throw new ForgeRunError({ root: parameters.root, reason: 'timeout', output: stderr })
  const jsonStart = stdout.indexOf('{')
  if (jsonStart < 0) {
    const output = `${stderr}\n${stdout}`
    if (/no tests (?:found|to run|match)/i.test(output)) throw new ForgeRunError({ root: parameters.root, reason: 'no-tests', output })
    throw new ForgeRunError({ root: parameters.root, reason: code === 0 ? 'output' : 'compile', output })
  }
  let parsed: Record<string, { test_results?: Record<string, { status?: string; reason?: string | null }> }>
  try {
    parsed = JSON.parse(stdout.slice(jsonStart)) as typeof parsed
  } catch {
    throw new ForgeRunError({ root: parameters.root, reason: 'output', output: stdout })
  }
  const results: ForgeTestResult[] = []
  for (const [suite, { test_results: tests = {} }] of Object.entries(parsed)) {
    for (const [test, result] of Object.entries(tests)) {
      const passed = result.status === 'Success'
      results.push({ suite, test, passed, ...(passed ? {} : { reason: result.reason ?? result.status ?? 'failed' }) })
    }
  }
  if (results.length === 0) throw new ForgeRunError({ root: parameters.root, reason: 'no-tests', output: stderr })
  return { results, durationMs: Math.round(performance.now() - started) }
}

/**
 * The soljson.js of the release the Foundry project asks for (`solc` in foundry.toml, else the one
 * every pragma of its sources, tests and scripts accepts), or undefined for the bundled solc-js.
 * A PoC pinned to `pragma solidity 0.8.19` thus compiles under forge with 0.8.19.
 */
async function projectSoljson(root: string): Promise<string | undefined> {
  const config = readFoundryConfig(root)
  let release = config.solcVersion === undefined ? undefined : releaseOf(config.solcVersion)
  if (release === undefined) {
    const sources: Record<string, string> = {}
    for (const folder of new Set([config.src, 'test', 'script'])) {
      const entries = await readdir(path.join(root, folder), { recursive: true }).catch(() => [] as string[])
      for (const entry of entries) {
        if (entry.endsWith('.sol')) sources[path.join(folder, entry)] = await readFile(path.join(root, folder, entry), 'utf8')
      }
    }
    release = await versionFromPragmas(sources)
  }
  return release === bundledSolcVersion() ? undefined : fetchSoljson(release)
}

type RunOptions = { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; signal?: AbortSignal | undefined }

/** Spawns in its own process group so a timeout or abort kills forge and every solc shim it started. */
function run(binary: string, args: string[], options: RunOptions): Promise<{ stdout: string; stderr: string; code: number | null; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    let child
    try {
      child = spawn(binary, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    } catch (error) {
      reject(new ForgeRunError({ root: options.cwd, reason: 'spawn', output: error instanceof Error ? error.message : String(error) }))
      return
    }
    let stdout = ''
    let stderr = ''
    let timedOut = false
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => {
      timedOut = true
      killGroup()
    }, options.timeoutMs)
    const onAbort = () => {
      timedOut = true
      killGroup()
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const onExit = () => killGroup()
    process.once('exit', onExit)
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('error', (error) => {
      clearTimeout(timer)
      process.removeListener('exit', onExit)
      reject(new ForgeRunError({ root: options.cwd, reason: 'spawn', output: error.message }))
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      process.removeListener('exit', onExit)
      resolve({ stdout, stderr, code, timedOut })
    })
  })
}
