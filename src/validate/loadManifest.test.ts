import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ManifestInvalidError } from './errors.js'
import { loadManifest, parseManifest } from './loadManifest.js'
import { targetName } from './manifest.js'

const proxy = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const minimal = {
  version: 1,
  advisory: { id: 'ADV-1' },
  targets: [{ proxy, implementation: { sources: ['contracts/VaultV2.sol'], contract: 'VaultV2' } }],
}

function issuesOf(json: unknown): { path: string; message: string }[] {
  try {
    parseManifest(JSON.stringify(json), 'patch.json')
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestInvalidError)
    expect((error as ManifestInvalidError).code).toBe('BW_MANIFEST_INVALID')
    return [...(error as ManifestInvalidError).issues]
  }
  throw new Error('the manifest was accepted')
}

describe('patch manifest', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bulwark-manifest-'))
  })
  afterAll(async () => rm(dir, { recursive: true, force: true }))

  test('a minimal manifest gets its defaults, and a target is named after its contract', () => {
    const manifest = parseManifest(JSON.stringify(minimal), 'patch.json')
    expect(manifest).toMatchObject({ chain: {}, proofsOfConcept: [], regressions: [], invariants: [] })
    expect(manifest.differentialReplay).toBeUndefined()
    expect(targetName(manifest.targets[0]!)).toBe('VaultV2')
    expect(targetName({ ...manifest.targets[0]!, implementation: { ...manifest.targets[0]!.implementation, contract: 'src/V.sol:VaultV3' } })).toBe('VaultV3')
  })

  test('a build source gives exactly one of sources, foundry and buildInfo', () => {
    expect(issuesOf({ ...minimal, targets: [{ proxy, implementation: { contract: 'V2' } }] })).toEqual([
      { path: 'targets[0].implementation', message: 'needs one of "sources", "foundry", "hardhat" or "buildInfo"' },
    ])
    expect(issuesOf({ ...minimal, targets: [{ proxy, implementation: { contract: 'V2', foundry: '.', buildInfo: 'b.json' } }] })).toEqual([
      { path: 'targets[0].implementation', message: 'gives foundry and buildInfo: use exactly one' },
    ])
  })

  test('each problem is reported at its field path', () => {
    const issues = issuesOf({
      version: 2,
      advisory: { id: 'ADV-1', colour: 'red' },
      targets: [
        { proxy: '0x1234', implementation: { sources: ['a.sol'], contract: 'A' } },
        { proxy, implementation: { sources: ['a.sol'], contract: 'A' }, initializer: { function: 'initializeV2(' } },
        { proxy, implementation: { sources: ['a.sol'], contract: 'B' } },
      ],
    })
    expect(issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['version', 'advisory.colour', 'targets[0].proxy', 'targets[1].initializer.function']),
    )
    expect(issues.find((issue) => issue.path === 'advisory.colour')?.message).toBe('unknown field')
    expect(issuesOf({ ...minimal, targets: [minimal.targets[0], minimal.targets[0]] })).toEqual([
      { path: 'targets[1].proxy', message: `${proxy} is listed twice` },
      { path: 'targets[1].name', message: 'defaults to "VaultV2", which another target already uses: give a name' },
    ])
    expect(issuesOf({ ...minimal, targets: [] })).toEqual([{ path: 'targets', message: 'must list at least one target proxy' }])
  })

  test('a file that is missing or not JSON has its own error', async () => {
    await expect(loadManifest(path.join(dir, 'absent.json'))).rejects.toMatchObject({ code: 'BW_MANIFEST_NOT_FOUND' })
    const file = path.join(dir, 'broken.json')
    await writeFile(file, '{"version": 1,')
    await expect(loadManifest(file)).rejects.toMatchObject({ code: 'BW_MANIFEST_INVALID', issues: [{ path: '(json)' }] })
  })
})
