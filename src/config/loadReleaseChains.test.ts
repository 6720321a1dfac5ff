import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loadReleaseChains } from './loadReleaseChains.js'

let dir: string
const gate = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const chain = (chainId: number, extra: Record<string, unknown> = {}) => ({ chainId, rpcUrl: 'http://127.0.0.1:8545', release: { releaseGate: gate, routes: { standard: { safe: gate, timelock: gate } } }, ...extra })

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bulwark-chains-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function load(content: unknown, env: NodeJS.ProcessEnv = {}) {
  const file = path.join(dir, 'chains.json')
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content))
  return loadReleaseChains(file, env)
}

describe('loadReleaseChains', () => {
  test('reads chains, resolving env: RPC URLs', async () => {
    const chains = await load({ chains: [chain(1), chain(10, { rpcUrl: 'env:OP_RPC', pause: { target: gate } })] }, { OP_RPC: 'https://op.example/v1/key' })
    expect(chains.map((entry) => [entry.chainId, entry.rpcUrl, entry.pause?.target])).toEqual([
      [1, 'http://127.0.0.1:8545', undefined],
      [10, 'https://op.example/v1/key', gate],
    ])
  })

  test('each problem is BW_PROJECT_INVALID at its field path', async () => {
    await expect(load({ chains: [chain(1), chain(1)] })).rejects.toMatchObject({ code: 'BW_PROJECT_INVALID', message: expect.stringContaining('chains[1].chainId: chain 1 is listed twice') })
    await expect(load({ chains: [chain(1, { pause: { target: gate.toLowerCase().replace('0x5f', '0x5F') } })] })).rejects.toMatchObject({ code: 'BW_PROJECT_INVALID', message: expect.stringContaining('chains[0].pause.target') })
    await expect(load({ chains: [chain(1, { pause: { target: gate, pause: 'pause' } })] })).rejects.toMatchObject({ message: expect.stringContaining('chains[0].pause.pause: must be a Solidity function signature') })
    await expect(load({ chains: [chain(1, { rpcUrl: 'env:MISSING_RPC' })] })).rejects.toMatchObject({ code: 'BW_PROJECT_INVALID', message: expect.stringContaining('chains[0].rpcUrl: environment variable MISSING_RPC is not set') })
    await expect(load({ chains: [] })).rejects.toMatchObject({ code: 'BW_PROJECT_INVALID', message: expect.stringContaining('chains') })
    await expect(load('{ not json')).rejects.toMatchObject({ code: 'BW_PROJECT_INVALID', message: expect.stringContaining('(json)') })
    await expect(loadReleaseChains(path.join(dir, 'absent.json'))).rejects.toMatchObject({ code: 'BW_PROJECT_NOT_FOUND' })
  })
})
