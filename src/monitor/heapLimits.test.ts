import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { initPgliteDataDirApart } from '../store/pgliteMemory.js'

const tsxLoader = pathToFileURL(path.resolve(import.meta.dirname, '..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href
const entry = path.resolve(import.meta.dirname, '..', '..', 'test', 'fixtures', 'monitor-thread', 'openStore.ts')
const dirs: string[] = []
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

/** A data dir with a database in it (initdb done), so both runs measure opening an existing store, as a monitor restarts. */
async function existingDataDir(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-monitor-thread-'))
  dirs.push(dir)
  await initPgliteDataDirApart(dir)
  return dir
}

/** Runs `script` in a fresh Node process (TypeScript loader on) and returns its last stdout line as JSON. */
async function runNode(script: string, args: readonly string[] = []): Promise<{ grewMb: number }> {
  const child = spawn(process.execPath, ['--import', tsxLoader, '--input-type=module', '-e', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (code !== 0) throw new Error(`node exited ${code}: ${stderr.slice(-2000)}`)
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { grewMb: number }
}

test("the monitor's thread opens the embedded store in far less memory than a process without the monitor's V8 flags", async () => {
  // as `bulwark monitor` runs it: startMonitorThread (flags, heap limits), the store opened in the thread
  const heapLimits = pathToFileURL(path.join(import.meta.dirname, 'heapLimits.ts')).href
  const entryUrl = JSON.stringify(pathToFileURL(entry).href)
  const inMonitorThread = await runNode(
    `const { startMonitorThread } = await import(${JSON.stringify(heapLimits)})
     const worker = startMonitorThread(new URL(${entryUrl}), { dataDir: process.argv.at(-1) })
     worker.once('message', (result) => { console.log(JSON.stringify(result)); void worker.terminate() })`,
    [await existingDataDir()],
  )
  // the same store opened by a process with V8's default WebAssembly tiering
  const plain = await runNode(`await import(${entryUrl})`, [await existingDataDir()])
  // measured: +98–124 MB in the monitor's thread against +187–216 MB with tier-up (docs/monitor.md, Memory)
  console.log(`opening the store: +${inMonitorThread.grewMb} MB in the monitor's thread, +${plain.grewMb} MB without its flags`)
  expect(plain.grewMb).toBeGreaterThan(inMonitorThread.grewMb + 40)
}, 120_000)
