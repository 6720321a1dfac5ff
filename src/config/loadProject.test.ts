import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loadProject, parseProject, resolveRpcUrl } from './loadProject.js'

const valid = {
  version: 1,
  name: 'demo',
  chains: { devnet: { chainId: 31337, rpcUrl: 'http://127.0.0.1:8545' }, mainnet: { chainId: 1, rpcUrl: 'env:BULWARK_TEST_MAINNET_RPC' } },
  contracts: [{ name: 'Vault', chain: 'devnet', address: '0x5FbDB2315678afecb367f032d93F642f64180aa3', proxy: 'uups' }],
  authorities: [{ name: 'Timelock', chain: 'devnet', kind: 'timelock', address: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' }],
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the mutations deliberately break the typed shape
type Loose = Record<string, any>

function invalid(mutate: (project: Loose) => void) {
  const project = structuredClone(valid) as Loose
  mutate(project)
  try {
    parseProject(JSON.stringify(project, null, 2), 'bulwark.json')
  } catch (error) {
    return error as { code: string; message: string; issues: { path: string; message: string }[] }
  }
  throw new Error('expected the project to be rejected')
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bulwark-project-'))
})
afterAll(async () => rm(dir, { recursive: true, force: true }))

describe('project file', () => {
  test('a valid file parses, with defaults filled in', () => {
    const project = parseProject(JSON.stringify({ ...valid, authorities: undefined }), 'bulwark.json')
    expect(project.contracts[0]?.proxy).toBe('uups')
    expect(project.authorities).toEqual([])
  })

  test('a bad address is reported by its path', () => {
    const error = invalid((p) => (p.contracts[0].address = '0x1234'))
    expect(error.code).toBe('BW_PROJECT_INVALID')
    expect(error.issues).toEqual([
      { path: 'contracts[0].address', message: 'must be 0x followed by 40 hex digits (mixed case must match the EIP-55 checksum)' },
    ])
    expect(error.message).toContain('contracts[0].address')
  })

  test('a wrong checksum, an unknown chain, an unknown field and a duplicate name are each reported', () => {
    const error = invalid((p) => {
      p.contracts[0].address = '0x5fbDB2315678afecb367f032d93F642f64180aa3'
      p.authorities[0].chain = 'sepolia'
      p.chains.devnet.rpcURL = 'x'
      p.authorities.push({ name: 'Vault', chain: 'devnet', kind: 'safe', address: valid.contracts[0]!.address })
    })
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(
      ['authorities[0].chain', 'authorities[1].name', 'chains.devnet.rpcURL', 'contracts[0].address'].sort(),
    )
    expect(error.issues.find((i) => i.path === 'authorities[0].chain')?.message).toBe('names no chain in "chains" (known: devnet, mainnet)')
  })

  test('a wrong type and a wrong enum value name the field', () => {
    expect(invalid((p) => (p.chains.devnet.chainId = '31337'))).toMatchObject({ issues: [{ path: 'chains.devnet.chainId' }] })
    expect(invalid((p) => (p.contracts[0].proxy = 'diamond'))).toMatchObject({ issues: [{ path: 'contracts[0].proxy' }] })
    expect(invalid((p) => (p.version = 2))).toMatchObject({ issues: [{ path: 'version' }] })
  })

  test('malformed JSON gives the line and column', () => {
    expect(() => parseProject('{\n  "version": 1,\n  "name": "x",,\n}', 'bulwark.json')).toThrowError(/line 3, column 15/)
  })

  test('a missing file is BW_PROJECT_NOT_FOUND; a file on disk is read', async () => {
    await expect(loadProject(path.join(dir, 'nope.json'))).rejects.toMatchObject({ code: 'BW_PROJECT_NOT_FOUND' })
    const file = path.join(dir, 'bulwark.json')
    await writeFile(file, JSON.stringify(valid))
    expect((await loadProject(file)).name).toBe('demo')
  })

  test('env: RPC URLs resolve at run time and a missing variable names the field', () => {
    const project = parseProject(JSON.stringify(valid), 'bulwark.json')
    expect(() => resolveRpcUrl(project, 'mainnet')).toThrowError(/chains\.mainnet\.rpcUrl: environment variable BULWARK_TEST_MAINNET_RPC is not set/)
    process.env.BULWARK_TEST_MAINNET_RPC = 'https://rpc.example/v2/KEY'
    expect(resolveRpcUrl(project, 'mainnet')).toBe('https://rpc.example/v2/KEY')
    delete process.env.BULWARK_TEST_MAINNET_RPC
  })
})
