import { readFileSync, unlinkSync } from 'node:fs'
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import path from 'node:path'
import { StoreError, StoreLockedError, type StoreLockHolder } from './errors.js'

/**
 * One process owns an embedded (PGlite) database: PGlite keeps the database in the process's memory
 * and writes it back on close, so a second process on the same folder would silently lose whatever
 * the other one writes. The owner is recorded in `<dataDir>.lock` (beside the folder: initdb wants the
 * folder itself empty). A lock whose process is gone (killed, crashed) is taken over; a live one is
 * refused with BW_STORE_LOCKED naming the holder.
 */
export type StoreLock = { readonly file: string; release(): Promise<void> }

type LockRecord = StoreLockHolder & { startTicks?: string | undefined }

/** Folders this process holds, so a second open in the same process is refused too (and exit removes the files). */
const heldHere = new Map<string, LockRecord>()
let exitHookInstalled = false

export function lockFileOf(dataDir: string): string {
  return `${path.resolve(dataDir)}.lock`
}

export async function acquireStoreLock(dataDir: string): Promise<StoreLock> {
  const file = lockFileOf(dataDir)
  const mine: LockRecord = {
    pid: process.pid,
    command: commandLine(),
    since: new Date().toISOString(),
    host: hostname(),
    ...(processStartTicks(process.pid) === undefined ? {} : { startTicks: processStartTicks(process.pid) }),
  }
  const held = heldHere.get(file)
  if (held) throw new StoreLockedError({ dataDir: path.resolve(dataDir), holder: held })
  const text = `${JSON.stringify(mine)}\n`
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await writeFile(file, text, { flag: 'wx', mode: 0o644 })
      heldHere.set(file, mine)
      installExitHook()
      return { file, release: () => releaseStoreLock(file, mine) }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new StoreError({ action: `write its lock file ${file}`, cause: error })
    }
    const existingText = await readFile(file, 'utf8').catch(() => undefined)
    if (existingText === undefined) continue // removed in between: try again
    const existing = parseRecord(existingText)
    if (existing && isAlive(existing)) throw new StoreLockedError({ dataDir: path.resolve(dataDir), holder: existing })
    // A stale lock (its process is gone, or the file is unreadable junk). Rename it away atomically: of several
    // processes doing this at once only one renames this file; one that renamed a fresh lock by mistake puts it back.
    const aside = `${file}.stale-${process.pid}-${Date.now()}`
    try {
      await rename(file, aside)
    } catch {
      continue
    }
    const movedText = await readFile(aside, 'utf8').catch(() => '')
    if (movedText !== existingText) await link(aside, file).catch(() => undefined)
    await unlink(aside).catch(() => undefined)
  }
  throw new StoreError({ action: `take its lock file ${file} (it keeps changing)` })
}

async function releaseStoreLock(file: string, mine: LockRecord): Promise<void> {
  if (heldHere.get(file) !== mine) return
  heldHere.delete(file)
  const current = parseRecord((await readFile(file, 'utf8').catch(() => '')) || '{}')
  if (current?.pid === mine.pid && current.since === mine.since) await unlink(file).catch(() => undefined)
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // A process that exits without closing its store (process.exit, an uncaught error) leaves no lock behind.
  process.once('exit', () => {
    for (const [file, mine] of heldHere) {
      try {
        const current = parseRecord(readFileSync(file, 'utf8'))
        if (current?.pid === mine.pid && current.since === mine.since) unlinkSync(file)
      } catch {
        // already gone
      }
    }
  })
}

function parseRecord(text: string): LockRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockRecord>
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) return undefined
    return {
      pid: value.pid,
      command: typeof value.command === 'string' ? value.command : '?',
      since: typeof value.since === 'string' ? value.since : '?',
      host: typeof value.host === 'string' ? value.host : '?',
      ...(typeof value.startTicks === 'string' ? { startTicks: value.startTicks } : {}),
    }
  } catch {
    return undefined
  }
}

/** Is the lock's process still running? On another host we cannot tell, so it counts as alive. */
function isAlive(record: LockRecord): boolean {
  if (record.host !== hostname()) return true
  // this very process: alive only if it still holds that lock (a lock left by an earlier process with our pid is stale)
  if (record.pid === process.pid) return [...heldHere.values()].some((held) => held.since === record.since)
  try {
    process.kill(record.pid, 0)
  } catch (error) {
    // EPERM: the process exists but belongs to someone else
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  // The pid may have been reused by an unrelated process since: compare start times where the OS tells them.
  const ticks = processStartTicks(record.pid)
  return record.startTicks === undefined || ticks === undefined || ticks === record.startTicks
}

/** Linux: the process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat). */
function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // the command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

function commandLine(): string {
  const args = process.argv.slice(1).map((arg) => (arg.includes(path.sep) ? path.basename(arg) : arg))
  return args.join(' ').slice(0, 200) || 'node'
}
