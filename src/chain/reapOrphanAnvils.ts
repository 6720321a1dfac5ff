import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** The file in an anvil's state directory that names the process which started it, and the anvil. */
const ownerFileName = 'bulwark-owner.json'

/** Prefix of the state directories `startAnvil` creates in the system's temporary directory. */
export const anvilDirectoryPrefix = 'bulwark-anvil-'

/** Records in an anvil's state directory that this process started it (what `reapOrphanAnvils` reads). */
export function recordAnvilOwner(cachePath: string, anvilPid: number): void {
  writeFileSync(path.join(cachePath, ownerFileName), JSON.stringify({ owner: process.pid, anvil: anvilPid }))
}

/**
 * Stops the anvils whose starting process is gone, and removes their state directories. A process
 * killed with SIGKILL (`kill -9` of a worker, a test runner's last resort) runs no hook, so the
 * anvils it started — the forks a validation keeps between jobs among them — would run on, holding
 * memory and ports. The next process that starts an anvil on the machine reaps them: an anvil is
 * killed only when the process named in its directory no longer exists and the running process with
 * the anvil's pid is that anvil (its command line names the directory). Linux only (`/proc`);
 * elsewhere it does nothing. Returns how many directories it removed.
 */
export function reapOrphanAnvils(directory: string = tmpdir()): number {
  if (!existsSync('/proc/self/cmdline')) return 0
  let entries: string[]
  try {
    entries = readdirSync(directory).filter((name) => name.startsWith(anvilDirectoryPrefix))
  } catch {
    return 0
  }
  let removed = 0
  for (const name of entries) {
    const cachePath = path.join(directory, name)
    let owner: { owner: number; anvil: number }
    try {
      owner = JSON.parse(readFileSync(path.join(cachePath, ownerFileName), 'utf8')) as { owner: number; anvil: number }
    } catch {
      continue // not written yet (an anvil starting now), or not ours
    }
    if (!Number.isInteger(owner.owner) || !Number.isInteger(owner.anvil) || isRunning(owner.owner)) continue
    if (isRunning(owner.anvil) && commandLineOf(owner.anvil).includes(cachePath)) {
      try {
        process.kill(owner.anvil, 'SIGKILL')
      } catch {
        // gone in between
      }
    }
    rmSync(cachePath, { recursive: true, force: true, maxRetries: 2 })
    removed += 1
  }
  return removed
}

/** The process exists and is not a zombie (a killed orphan may wait to be reaped by PID 1). Linux (`/proc`). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
  } catch {
    return ''
  }
}
