import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * Memory of the embedded database. Measured (bench/monitorMemory.bench.ts): PGlite on a fresh
 * data dir runs initdb in a second WASM instance whose memory the process keeps — ~830 MB peak and
 * ~740 MB resident before the monitor does anything; reopening an existing data dir costs ~380 MB,
 * ~280 MB with the smaller Postgres buffers below. So a fresh data dir is initialised by a short-lived
 * child process, and the database runs with buffers sized for Bulwark's store (a few tables of
 * alerts, incidents and lifecycle records), not Postgres's server defaults.
 */

/** Postgres settings added to PGlite's own start parameters (its defaults stay first). */
export const pgliteMemorySettings = [
  '-c', 'shared_buffers=16MB',
  '-c', 'work_mem=2MB',
  '-c', 'maintenance_work_mem=8MB',
  '-c', 'temp_buffers=2MB',
  '-c', 'wal_buffers=1MB',
] as const

/** PGlite's start parameters with the memory settings appended. */
export function pgliteStartParams(defaults: readonly string[] | undefined): string[] {
  return [...(defaults ?? []), ...pgliteMemorySettings]
}

/**
 * Creates (initdb) a data dir that does not hold a database yet in a child Node process, so the
 * initdb instance's memory leaves with it. Does nothing for an existing database or `memory://`.
 * A failure here is not fatal: the caller's own open then runs initdb in-process as before.
 */
export async function initPgliteDataDirApart(dataDir: string): Promise<void> {
  if (dataDir === 'memory://' || dataDir.includes('://') || existsSync(path.join(dataDir, 'PG_VERSION'))) return
  // the package's CommonJS entry, resolved from here (the child may run in any directory)
  const module = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href
  const script = `const m = await import(${JSON.stringify(module)}); const { PGlite } = m.default ?? m; const db = await PGlite.create(${JSON.stringify(dataDir)}); await db.close()`
  await new Promise<void>((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' })
    child.once('error', () => resolve())
    child.once('exit', () => resolve())
  })
}
