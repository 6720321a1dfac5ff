import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { main } from '../main.js'
import { captureIo } from '../testIo.js'

const pool = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const key = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bulwark-monitor-cmd-'))
  await writeFile(path.join(dir, 'bad-policy.json'), JSON.stringify({ rules: [{ minScore: 50, respond: [{ kind: 'pause', targets: [], duration: 60 }] }] }))
})
afterAll(async () => rm(dir, { recursive: true, force: true }))

// Each of these fails before any connection is made: bad input is refused up front, with its code.
describe('bulwark monitor: bad input', () => {
  test('a key reference that is not env:VAR, or names an unset variable, exits 2 with BW_RESPONDER_KEY_INVALID', async () => {
    const literal = captureIo(dir, { RESPONDER: key })
    expect(await main(['monitor', '--rpc', 'http://127.0.0.1:1', '--address', pool, '--key', key, '--json'], literal.io)).toBe(2)
    expect(literal.json().error).toMatchObject({ code: 'BW_RESPONDER_KEY_INVALID' })
    // a key pasted on the command line by mistake is not echoed back
    expect(literal.stdout() + literal.stderr()).not.toContain(key.slice(2))

    const unset = captureIo(dir, {})
    expect(await main(['monitor', '--rpc', 'http://127.0.0.1:1', '--address', pool, '--key', 'env:RESPONDER'], unset.io)).toBe(2)
    expect(unset.stderr()).toContain('error BW_RESPONDER_KEY_INVALID: Responder key: environment variable RESPONDER is not set.')
  })

  test('an invalid policy exits 2 with BW_MONITOR_POLICY_INVALID naming the field', async () => {
    const io = captureIo(dir, { RESPONDER: key })
    expect(await main(['monitor', '--rpc', 'http://127.0.0.1:1', '--address', pool, '--key', 'env:RESPONDER', '--policy', 'bad-policy.json'], io.io)).toBe(2)
    expect(io.stderr()).toContain('error BW_MONITOR_POLICY_INVALID')
    expect(io.stderr()).toContain('rules[0].respond[0].targets')
    expect(io.stderr()).not.toContain(key.slice(2))
  })

  test('without an RPC and contracts or a project file, it is a usage error (exit 2)', async () => {
    const io = captureIo(dir)
    expect(await main(['monitor', '--json'], io.io)).toBe(2)
    expect(io.json().error).toMatchObject({ code: 'BW_USAGE' })
  })

  test('an unknown --trace-method is a usage error (exit 2) naming the choices', async () => {
    const io = captureIo(dir)
    expect(await main(['monitor', '--rpc', 'http://127.0.0.1:1', '--address', pool, '--trace-method', 'parity', '--json'], io.io)).toBe(2)
    expect(io.json().error).toMatchObject({ code: 'BW_USAGE', message: expect.stringContaining('trace_block') as string })
  })

  test('a --read-ahead that is not auto or 1–64 blocks is a usage error (exit 2) naming the flag, for monitor and backtest', async () => {
    for (const args of [['monitor'], ['monitor', 'backtest', '--from-block', '1', '--to-block', '2']]) {
      const io = captureIo(dir)
      expect(await main([...args, '--rpc', 'http://127.0.0.1:1', '--address', pool, '--read-ahead', '0', '--json'], io.io)).toBe(2)
      expect(io.json().error).toMatchObject({ code: 'BW_USAGE', message: expect.stringContaining('--read-ahead must be auto or a whole number') as string })
    }
  })
})
