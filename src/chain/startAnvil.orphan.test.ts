import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'

/** Alive and not a zombie: in a container, PID 1 may never reap the killed, reparented anvil. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

test('an anvil started by a process that crashes does not outlive it', async () => {
  const script = [
    `import { startAnvil } from ${JSON.stringify(path.join(import.meta.dirname, 'startAnvil.ts'))}`,
    'const anvil = await startAnvil()',
    'console.log(anvil.pid)',
    "throw new Error('test body failed')",
  ].join('\n')
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  const pid = Number(stdout.trim())
  expect(exitCode).not.toBe(0)
  expect(pid).toBeGreaterThan(0)
  await new Promise((resolve) => setTimeout(resolve, 200))
  expect(isRunning(pid)).toBe(false)
})
