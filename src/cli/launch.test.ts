import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAnvil, type Anvil } from '../chain/startAnvil.js'
import { monitorHeapLimits } from '../monitor/heapLimits.js'

// the TypeScript loader by path: the process runs in a temporary directory, where `--import tsx` would not resolve
const tsxLoader = pathToFileURL(path.resolve(import.meta.dirname, '..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href
const watched = '0x5fbdb2315678afecb367f032d7a0f3aa0a91f9a5'
let anvil: Anvil
// the monitor's store (.bulwark/) goes in the working directory: a fresh one
let cwd: string

beforeAll(async () => {
  anvil = await startAnvil()
  cwd = mkdtempSync(path.join(tmpdir(), 'bulwark-launch-'))
})
afterAll(async () => {
  await anvil?.stop()
  rmSync(cwd, { recursive: true, force: true })
})

/** `bulwark monitor` through the launcher bin/bulwark.js calls, in its own process; Ctrl-C once it watches. */
async function monitorUntilInterrupted(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const launcher = pathToFileURL(path.join(import.meta.dirname, 'launch.ts')).href
  const script = `const { launch } = await import(${JSON.stringify(launcher)}); process.exitCode = await launch(process.argv.slice(1))`
  const args = ['monitor', '--rpc', anvil.rpcUrl, '--address', watched, '--no-pending', '--no-chain-governance']
  const child = spawn(process.execPath, ['--import', tsxLoader, '--input-type=module', '-e', script, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  let interrupted = false
  const collect = (chunk: Buffer) => {
    output += chunk.toString()
    if (!interrupted && /watching 1 contract/.test(output)) interrupted = child.kill('SIGINT')
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { code, output }
}

describe('launch: bulwark monitor in a heap-capped thread', () => {
  it('runs the monitor under monitorHeapLimits and stops it cleanly on Ctrl-C', async () => {
    const { code, output } = await monitorUntilInterrupted({ NODE_OPTIONS: '' })
    expect(output).toContain('stopping')
    expect(code).toBe(0)
    const limit = Number(/V8 heap limit (\d+) MB/.exec(output)?.[1])
    expect(limit).toBe(monitorHeapLimits.maxOldGenerationSizeMb + monitorHeapLimits.maxYoungGenerationSizeMb)
  }, 120_000)

  it("leaves the heap to the user's NODE_OPTIONS when they size it", async () => {
    const { code, output } = await monitorUntilInterrupted({ NODE_OPTIONS: '--max-old-space-size=512' })
    expect(code).toBe(0)
    expect(Number(/V8 heap limit (\d+) MB/.exec(output)?.[1])).toBeGreaterThanOrEqual(512)
  }, 120_000)
})
