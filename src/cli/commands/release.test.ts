import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseProject } from '../../config/loadProject.js'
import { main } from '../main.js'
import { captureIo } from '../testIo.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bulwark-release-cmd-'))
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function bulwark(...argv: string[]) {
  const captured = captureIo(dir, { USER: 'tester', NOT_A_KEY: 'hello' })
  const exitCode = await main(argv, captured.io)
  return { exitCode, ...captured }
}

describe('bulwark release / verify: inputs', () => {
  test('both commands are listed in the help', async () => {
    const help = await bulwark('help')
    expect(help.stdout()).toContain('  release ')
    expect(help.stdout()).toContain('  verify ')
  })

  test('verify takes a patch id or --report FILE --rpc URL', async () => {
    expect((await bulwark('verify', '--json')).json().error.code).toBe('BW_USAGE')
    expect((await bulwark('verify', 'PATCH-1', '--report', 'r.json', '--json')).json().error.code).toBe('BW_USAGE')
    expect((await bulwark('verify', '--report', 'r.json', '--json')).json().error.code).toBe('BW_USAGE')
  })

  test('a third-party verify of an unreadable or edited report: BW_VERIFY_INPUT_INVALID, before any chain read', async () => {
    const missing = await bulwark('verify', '--report', 'missing.json', '--rpc', 'http://127.0.0.1:9', '--json')
    expect(missing.exitCode).toBe(2)
    expect(missing.json().error.code).toBe('BW_VERIFY_INPUT_INVALID')
    await writeFile(path.join(dir, 'edited.json'), JSON.stringify({ hash: `0x${'00'.repeat(32)}`, verdict: 'pass', chain: { chainId: 1 }, targets: [{ name: 'A', proxy: `0x${'11'.repeat(20)}`, implementation: { contract: 'A', runtimeCodeHash: `0x${'22'.repeat(32)}` }, initializerCalldata: '0x' }] }))
    const edited = await bulwark('verify', '--report', 'edited.json', '--rpc', 'http://127.0.0.1:9', '--json')
    expect(edited.json().error).toMatchObject({ code: 'BW_VERIFY_INPUT_INVALID' })
  })

  test('release status / execute / verify of a patch without a stored plan: BW_RELEASE_NOT_FOUND', async () => {
    const status = await bulwark('release', 'status', 'PATCH-404', '--json')
    expect(status.exitCode).toBe(11)
    expect(status.json().error.code).toBe('BW_RELEASE_NOT_FOUND')
    expect((await bulwark('release', 'execute', 'PATCH-404', '--key', 'env:NOT_A_KEY', '--json')).json().error.code).toBe('BW_USAGE')
    expect((await bulwark('verify', 'PATCH-404', '--rpc', 'http://127.0.0.1:9', '--json')).json().error.code).toBe('BW_RELEASE_NOT_FOUND')
  }, 30_000)

  test('release plan needs --report and a known route', async () => {
    expect((await bulwark('release', 'plan', 'PATCH-1', '--json')).json().error.code).toBe('BW_USAGE')
    expect((await bulwark('release', 'plan', 'PATCH-1', '--report', 'r.json', '--route', 'fast', '--json')).json().error.code).toBe('BW_USAGE')
    expect((await bulwark('release', 'frobnicate', 'PATCH-1', '--json')).json().error.code).toBe('BW_USAGE')
  }, 30_000)
})

describe('project file: release routes', () => {
  const base = { version: 1, name: 'p', chains: { main: { chainId: 1, rpcUrl: 'http://localhost:8545' } } }
  const a = '0x5FbDB2315678afecb367f032d93F642f64180aa3'

  test('an optional release section with routes loads', () => {
    const project = parseProject(JSON.stringify({ ...base, release: { chain: 'main', releaseGate: a, create2Deployer: a, routes: { emergency: { safe: a }, standard: { safe: a, timelock: a } } } }), 'bulwark.json')
    expect(project.release?.routes.emergency).toEqual({ safe: a })
    expect(parseProject(JSON.stringify(base), 'bulwark.json').release).toBeUndefined()
  })

  test.each([
    ['an unknown chain', { chain: 'nope', releaseGate: a, routes: {} }, 'release.chain'],
    ['a standard route without its timelock', { releaseGate: a, routes: { standard: { safe: a } } }, 'release.routes.standard.timelock'],
    ['an unknown route', { releaseGate: a, routes: { fast: { safe: a } } }, 'release.routes'],
  ])('%s is BW_PROJECT_INVALID', (_case, release, where) => {
    expect(() => parseProject(JSON.stringify({ ...base, release }), 'bulwark.json')).toThrow(expect.objectContaining({ code: 'BW_PROJECT_INVALID' }))
    try {
      parseProject(JSON.stringify({ ...base, release }), 'bulwark.json')
    } catch (error) {
      expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).toContain(where)
    }
  })
})
