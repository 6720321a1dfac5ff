import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import { isRunning, reapOrphanAnvils } from './reapOrphanAnvils.js'
import { startAnvil } from './startAnvil.js'

/**
 * Runs a Node process that starts an anvil, prints its pid and then runs `end` (or, with no `end`,
 * waits to be killed by `signal`). Returns how the process ended and where its anvil kept its state.
 */
async function anvilOfChild(ending: { end: string } | { signal: NodeJS.Signals }) {
  const script = [
    `import { startAnvil } from ${JSON.stringify(path.join(import.meta.dirname, 'startAnvil.ts'))}`,
    'const anvil = await startAnvil()',
    'console.log(anvil.pid)',
    'end' in ending ? ending.end : 'setInterval(() => undefined, 1_000)',
  ].join('\n')
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let cachePath = ''
  const printed = new Promise<void>((resolve) =>
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (/^\d+\n/.test(stdout)) resolve()
    }),
  )
  const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (exitCode, signal) => resolve({ exitCode, signal })))
  await Promise.race([printed, exited])
  const pid = Number(stdout.trim())
  if (pid > 0 && isRunning(pid)) {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    cachePath = args[args.indexOf('--cache-path') + 1] ?? ''
  }
  if ('signal' in ending) child.kill(ending.signal)
  const { exitCode, signal } = await exited
  await new Promise((resolve) => setTimeout(resolve, 200))
  return { exitCode, signal, pid, cachePath }
}

test('an anvil started by a process that crashes does not outlive it', async () => {
  const ended = await anvilOfChild({ end: "throw new Error('test body failed')" })
  expect(ended.exitCode).not.toBe(0)
  expect(ended.pid).toBeGreaterThan(0)
  expect(isRunning(ended.pid)).toBe(false)
})

test('an anvil started by a process stopped with SIGTERM (how a test runner ends its workers) does not outlive it, nor its state directory', async () => {
  const ended = await anvilOfChild({ signal: 'SIGTERM' })
  expect(ended.signal).toBe('SIGTERM') // the process still dies of the signal, as it would without the hook
  expect(ended.pid).toBeGreaterThan(0)
  expect(ended.cachePath).toContain('bulwark-anvil-')
  expect(isRunning(ended.pid)).toBe(false)
  expect(existsSync(ended.cachePath)).toBe(false)
})

test('an anvil whose process was killed outright (SIGKILL) is reaped, with its state directory, by the next process that starts an anvil', async () => {
  const ended = await anvilOfChild({ signal: 'SIGKILL' })
  expect(ended.signal).toBe('SIGKILL')
  expect(ended.cachePath).toContain('bulwark-anvil-')
  // nothing could stop it: it runs on, an orphan
  expect(isRunning(ended.pid)).toBe(true)
  // the first startAnvil of a process reaps (this one's, unless an earlier test here started one);
  // reaping again must leave the anvils of live processes alone: this process's own
  const mine = await startAnvil()
  try {
    reapOrphanAnvils()
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(isRunning(ended.pid)).toBe(false)
    expect(existsSync(ended.cachePath)).toBe(false)
    expect(isRunning(mine.pid)).toBe(true)
    expect(await fetch(mine.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' }).then((r) => r.ok)).toBe(true)
  } finally {
    await mine.stop()
  }
})
