import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { artifactsFromBuildInfo } from './artifacts.js'
import { BuildInfoInvalidError } from './errors.js'
import { getArtifact } from './getArtifact.js'
import { readBuildInfo } from './readBuildInfo.js'

const here = path.dirname(fileURLToPath(import.meta.url))
// Relative paths keep machine-specific folders out of the error snapshots (vitest runs from the repo root).
const fixtures = path.relative(process.cwd(), path.join(here, 'fixtures', 'build-info'))
const hardhat2 = path.join(fixtures, 'hardhat2/0d6f2f0c8f3ad2c1f3c3b1f3cf0e6d1a.json')
const foundry = path.join(fixtures, 'foundry/5b1c7d0e2a9f4e3b8c6d1a0f9e8d7c6b.json')
const foundryMinimal = path.join(fixtures, 'foundry-minimal/9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d.json')
const hardhat3Id = 'solc-0_8_30-4e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d'
const hardhat3 = path.join(fixtures, `hardhat3/${hardhat3Id}.json`)
const hardhat3Output = path.join(fixtures, `hardhat3/${hardhat3Id}.output.json`)

let scratch: string
beforeAll(async () => {
  scratch = path.relative(process.cwd(), await mkdtemp(path.join(tmpdir(), 'bulwark-build-info-')))
})
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
})

async function caught(promise: Promise<unknown>): Promise<BuildInfoInvalidError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (error instanceof BuildInfoInvalidError) return error
  throw new Error(`expected BuildInfoInvalidError, got ${String(error)}`)
}

/** Writes a variant of a fixture, changed by `edit`, into the scratch folder. */
async function variant(fixture: string, name: string, edit: (json: Record<string, unknown>) => void): Promise<string> {
  const json = JSON.parse(await readFile(fixture, 'utf8')) as Record<string, unknown>
  edit(json)
  const file = path.join(scratch, name)
  await writeFile(file, JSON.stringify(json))
  return file
}

function summary(artifacts: ReturnType<typeof artifactsFromBuildInfo>) {
  return artifacts.map((a) => `${a.sourceName}:${a.contractName}${a.external ? ' (external)' : ''}`)
}

describe('readBuildInfo', () => {
  test('reads a Hardhat 2 build-info as is', async () => {
    const buildInfo = await readBuildInfo(hardhat2)
    const raw = JSON.parse(await readFile(hardhat2, 'utf8')) as Record<string, unknown>
    expect(buildInfo).toEqual(raw)
    const artifacts = artifactsFromBuildInfo(buildInfo)
    expect(summary(artifacts)).toEqual(['@acme/lib/Base.sol:Base (external)', 'contracts/Greeter.sol:Greeter'])
    const greeter = getArtifact({ artifacts }, 'Greeter')
    expect(greeter.buildInfoId).toBe('0d6f2f0c8f3ad2c1f3c3b1f3cf0e6d1a')
    expect(greeter.deployedBytecode).toMatch(/^0x60[0-9a-f]+$/)
    expect(greeter.abi).toEqual([
      { inputs: [], name: 'greeting', outputs: [{ internalType: 'string', name: '', type: 'string' }], stateMutability: 'pure', type: 'function' },
    ])
  })

  test('reads a Foundry build-info: versions from inputVersion*, extra input keys dropped, 0x not doubled', async () => {
    const buildInfo = await readBuildInfo(foundry)
    expect(buildInfo._format).toBe('hh-sol-build-info-1')
    expect(buildInfo.id).toBe('5b1c7d0e2a9f4e3b8c6d1a0f9e8d7c6b')
    expect(buildInfo.solcVersion).toBe('0.8.30')
    expect(buildInfo.solcLongVersion).toBe('0.8.30+commit.73712a01')
    expect(Object.keys(buildInfo.input)).toEqual(['language', 'sources', 'settings'])
    expect(buildInfo.input.settings.remappings).toEqual(['acme/=lib/acme/src/'])
    const artifacts = artifactsFromBuildInfo(buildInfo)
    expect(summary(artifacts)).toEqual(['lib/acme/src/Base.sol:Base (external)', 'src/Greeter.sol:Greeter'])
    expect(getArtifact({ artifacts }, 'src/Greeter.sol:Greeter').bytecode).toMatch(/^0x60[0-9a-f]+$/)
  })

  test('reads a pre-1.0 Foundry build-info (solcVersion / solcLongVersion keys)', async () => {
    const legacy = await variant(foundry, 'foundry-legacy.json', (json) => {
      json.solcVersion = json.inputVersion
      json.solcLongVersion = json.inputVersionLong
      delete json.inputVersion
      delete json.inputVersionLong
      delete json.compilerVersion
      delete (json.input as Record<string, unknown>).version
    })
    const buildInfo = await readBuildInfo(legacy)
    expect([buildInfo.solcVersion, buildInfo.solcLongVersion]).toEqual(['0.8.30', '0.8.30+commit.73712a01'])
  })

  test('a Foundry build-info written without --build-info says how to get the output', async () => {
    const error = await caught(readBuildInfo(foundryMinimal))
    expect(error.code).toBe('BW_BUILD_INFO_INVALID')
    expect(error.message).toMatchInlineSnapshot(`
      "Build-info src/compile/fixtures/build-info/foundry-minimal/9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d.json is not usable: it has no compiler input (\`input\` is missing).

      Foundry writes the compiler input and output only when asked: \`forge build --build-info\` or \`build_info = true\` in foundry.toml."
    `)
  })

  test('reads a Hardhat 3 pair from either file, keeping project vs npm sources apart', async () => {
    const fromInput = await readBuildInfo(hardhat3)
    const fromOutput = await readBuildInfo(hardhat3Output)
    expect(fromOutput).toEqual(fromInput)
    expect(fromInput.id).toBe(hardhat3Id)
    expect(fromInput.userSourceNameMap).toEqual({ 'contracts/Greeter.sol': 'project/contracts/Greeter.sol' })
    expect(Object.keys(fromInput.output.contracts)).toEqual(['npm/@acme/lib@1.0.0/Base.sol', 'project/contracts/Greeter.sol'])
    expect(summary(artifactsFromBuildInfo(fromInput))).toEqual([
      'npm/@acme/lib@1.0.0/Base.sol:Base (external)',
      'project/contracts/Greeter.sol:Greeter',
    ])
  })

  test('a Hardhat 3 build-info without its output file names the missing file', async () => {
    const lonely = path.join(scratch, 'lonely')
    await cp(hardhat3, path.join(lonely, `${hardhat3Id}.json`))
    const error = await caught(readBuildInfo(path.join(lonely, `${hardhat3Id}.json`)))
    expect(error.shortMessage).toBe(
      `Build-info ${path.join(lonely, `${hardhat3Id}.json`)} is not usable: its output file ${hardhat3Id}.output.json cannot be read (no such file).`,
    )
  })

  test('malformed build-info says what is missing', async () => {
    const error = await caught(readBuildInfo(path.join(fixtures, 'malformed.json')))
    expect(error.code).toBe('BW_BUILD_INFO_INVALID')
    expect(error.message).toMatchInlineSnapshot(
      `"Build-info src/compile/fixtures/build-info/malformed.json is not usable: its input has no sources (\`input.sources\` is missing)."`,
    )

    const noOutput = await variant(hardhat2, 'no-output.json', (json) => delete json.output)
    expect((await caught(readBuildInfo(noOutput))).shortMessage).toContain('it has no compiler output (`output` is missing)')

    const noContent = await variant(hardhat2, 'no-content.json', (json) => {
      const sources = (json.input as { sources: Record<string, unknown> }).sources
      sources['contracts/Greeter.sol'] = { urls: ['ipfs://x'] }
    })
    expect((await caught(readBuildInfo(noContent))).shortMessage).toContain(
      'source "contracts/Greeter.sol" has no inline content (`input.sources["contracts/Greeter.sol"].content`)',
    )

    const noVersion = await variant(hardhat2, 'no-version.json', (json) => {
      delete json.solcVersion
      delete json.solcLongVersion
    })
    expect((await caught(readBuildInfo(noVersion))).shortMessage).toContain('the solc version is missing')

    const failed = await variant(hardhat2, 'failed.json', (json) => {
      ;(json.output as Record<string, unknown>).errors = [
        { severity: 'error', type: 'TypeError', message: 'Boom.', sourceLocation: { file: 'contracts/Greeter.sol', start: 0, end: 1 } },
      ]
    })
    expect((await caught(readBuildInfo(failed))).message).toContain('it records a failed compilation (1 error).\n\ncontracts/Greeter.sol:1:1: TypeError: Boom.')

    const unknown = await variant(hardhat2, 'unknown.json', (json) => {
      json._format = 'truffle-1'
    })
    expect((await caught(readBuildInfo(unknown))).shortMessage).toContain('its format "truffle-1" is not one Bulwark reads')
  })

  test('a file that is missing or not JSON is BW_BUILD_INFO_INVALID', async () => {
    const missing = await caught(readBuildInfo(path.join(scratch, 'nope.json')))
    expect(missing.code).toBe('BW_BUILD_INFO_INVALID')
    expect(missing.shortMessage).toContain('the file cannot be read (no such file)')
    const notJson = path.join(scratch, 'not-json.json')
    await writeFile(notJson, '{ "_format": ')
    expect((await caught(readBuildInfo(notJson))).shortMessage).toContain('the file is not valid JSON')
  })
})
