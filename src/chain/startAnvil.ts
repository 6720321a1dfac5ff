import { spawn, type ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { AnvilStartError } from './errors.js'
import { anvilDirectoryPrefix, reapOrphanAnvils, recordAnvilOwner } from './reapOrphanAnvils.js'

export type StartAnvilParameters = {
  /** Port to listen on; 0 (the default) lets the OS pick a free one, read back from anvil's output. */
  port?: number | undefined
  chainId?: number | undefined
  /** Seconds between blocks; by default a block is mined per transaction. */
  blockTime?: number | undefined
  /** Fork this RPC URL instead of starting empty. */
  forkUrl?: string | undefined
  forkBlockNumber?: bigint | number | undefined
  /** Number of funded dev accounts (default 10). */
  accounts?: number | undefined
  /**
   * How many past block states anvil keeps in memory (default 1024). Forks and history replays can
   * only start from a block whose state is still kept; older states are dropped, never spilled to disk.
   */
  keepStates?: number | undefined
  /** How long to wait for anvil to listen, in milliseconds. */
  readyTimeoutMs?: number | undefined
  extraArgs?: readonly string[] | undefined
}

export type Anvil = {
  readonly rpcUrl: string
  readonly port: number
  readonly chainId: number
  readonly pid: number
  /**
   * Whether this anvil keeps the Node process alive (default true). An anvil kept idle for later use
   * passes false, so a finished command still exits (and its exit hook then kills the anvil).
   */
  keepProcessAlive(keep: boolean): void
  /** Stops anvil and removes its temporary state directory. Safe to call more than once. */
  stop(): Promise<void>
}

/** Running instances and their temporary state directories. */
const liveInstances = new Map<Anvil, string>()
let exitHookInstalled = false
/** Whether this process has looked for anvils left by processes that died without stopping them. */
let orphansReaped = false

/** Path of the platform anvil binary (not the Node wrapper, which would outlive a kill). */
export function anvilBinaryPath(): string {
  const require = createRequire(import.meta.url)
  const platform = { linux: 'linux', darwin: 'darwin', win32: 'win32' }[process.platform as string]
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string]
  if (!platform || !arch) throw new AnvilStartError({ reason: `no anvil build for ${process.platform}/${process.arch}` })
  const packageJson = require.resolve(`@foundry-rs/anvil-${platform}-${arch}/package.json`)
  return path.join(path.dirname(packageJson), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil')
}

/**
 * Starts a real anvil process and resolves once it accepts connections. Its disk state goes to a
 * fresh temporary directory that `stop()` removes; every instance is also killed when the Node
 * process exits or is stopped by a signal nothing else handles, so a failing test leaves no orphan
 * behind. A process killed outright (SIGKILL) cannot stop its anvils: the first `startAnvil` of the
 * next process reaps them (`reapOrphanAnvils`).
 */
export async function startAnvil(parameters: StartAnvilParameters = {}): Promise<Anvil> {
  const chainId = parameters.chainId ?? 31337
  if (!orphansReaped) {
    orphansReaped = true
    reapOrphanAnvils()
  }
  const cachePath = await mkdtemp(path.join(tmpdir(), anvilDirectoryPrefix))
  const args = [
    '--host', '127.0.0.1',
    '--port', String(parameters.port ?? 0),
    '--chain-id', String(chainId),
    '--accounts', String(parameters.accounts ?? 10),
    '--cache-path', cachePath,
    '--prune-history', String(parameters.keepStates ?? 1024),
    ...(parameters.blockTime !== undefined ? ['--block-time', String(parameters.blockTime)] : []),
    // Foundry keeps fork reads on disk per chain id and block number (~/.foundry/cache/rpc); two different
    // dev chains share id 31337 and block numbers, so a fork could read another chain's storage.
    ...(parameters.forkUrl !== undefined ? ['--fork-url', parameters.forkUrl, '--no-storage-caching'] : []),
    ...(parameters.forkBlockNumber !== undefined ? ['--fork-block-number', String(parameters.forkBlockNumber)] : []),
    ...(parameters.extraArgs ?? []),
  ]

  let child: ChildProcess
  try {
    child = spawn(anvilBinaryPath(), args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false })
  } catch (error) {
    await rm(cachePath, { recursive: true, force: true })
    throw new AnvilStartError({ reason: error instanceof Error ? error.message : String(error) })
  }

  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      fail(`not listening after ${parameters.readyTimeoutMs ?? 30_000} ms`)
    }, parameters.readyTimeoutMs ?? 30_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /Listening on [\d.]+:(\d+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(Number(match[1]))
      }
    }
    const fail = (reason: string) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new AnvilStartError({ reason, output }))
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('error', (error) => fail(error.message))
    child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`))
  }).catch(async (error: unknown) => {
    await rm(cachePath, { recursive: true, force: true })
    throw error
  })
  // Keep draining output so a chatty anvil never blocks on a full pipe.
  child.stdout?.removeAllListeners('data')
  child.stdout?.resume()
  child.stderr?.resume()
  child.removeAllListeners('exit')

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let stopping: Promise<void> | undefined
  const instance: Anvil = {
    rpcUrl: `http://127.0.0.1:${port}`,
    port,
    chainId,
    pid: child.pid ?? -1,
    keepProcessAlive(keep) {
      // The pipes are sockets: each holds the event loop like the child itself.
      for (const handle of [child, child.stdout as Socket | null, child.stderr as Socket | null]) {
        if (keep) handle?.ref()
        else handle?.unref()
      }
    },
    stop() {
      stopping ??= (async () => {
        liveInstances.delete(instance)
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM')
          const killTimer = setTimeout(() => child.kill('SIGKILL'), 3_000)
          await exited
          clearTimeout(killTimer)
        }
        await rm(cachePath, { recursive: true, force: true })
      })()
      return stopping
    },
  }
  liveInstances.set(instance, cachePath)
  if (child.pid !== undefined) recordAnvilOwner(cachePath, child.pid)
  installExitHook()
  return instance
}

function installExitHook() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  const killAll = () => {
    for (const [instance, cachePath] of liveInstances) {
      try {
        process.kill(instance.pid, 'SIGKILL')
      } catch {
        // already gone
      }
      rmSync(cachePath, { recursive: true, force: true, maxRetries: 2 })
    }
  }
  // Synchronous last resort: 'exit' handlers cannot await, so SIGKILL whatever is still running.
  process.once('exit', killAll)
  // A process ended by a signal runs no 'exit' handler (a test runner stops its workers with
  // SIGTERM): where nothing else handles the signal, kill the anvils and then die of it as Node
  // would have. A process with its own handler (the CLI's graceful stop) is left to it.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return
      killAll()
      process.off(signal, onSignal)
      process.kill(process.pid, signal)
    }
    process.on(signal, onSignal)
  }
}
