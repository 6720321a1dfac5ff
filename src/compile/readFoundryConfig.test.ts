import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseToml } from './parseToml.js'
import { readFoundryConfig } from './readFoundryConfig.js'
import { applyRemappings, parseRemapping } from './remappings.js'

let scratch: string
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'bulwark-foundry-config-'))
})
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

async function project(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(scratch, 'p-'))
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true })
    await writeFile(path.join(root, name), content)
  }
  return root
}

describe('parseToml', () => {
  test('reads the TOML foundry.toml files use', () => {
    const text = [
      '# Full reference https://github.com/foundry-rs/foundry',
      '[profile.default]',
      "src = 'contracts' # comment after a value",
      'optimizer_runs = 10_000',
      'via-ir = true',
      'fuzz = { runs = 1_000, seed = "0x1" }',
      'remappings = [',
      '  "@oz/=lib/openzeppelin-contracts/contracts/",',
      "  'forge-std/=lib/forge-std/src/', # trailing comma",
      ']',
      '[profile.default.optimizer_details]',
      'constant_optimizer = true',
      '[profile.ci]',
      'verbosity = 4',
      '[[profile.ci.list]]',
      'x = "a\\tb"',
      'multi = """',
      'one',
      'two"""',
    ].join('\n')
    expect(parseToml(text)).toEqual({
      profile: {
        default: {
          src: 'contracts',
          optimizer_runs: 10000,
          'via-ir': true,
          fuzz: { runs: 1000, seed: '0x1' },
          remappings: ['@oz/=lib/openzeppelin-contracts/contracts/', 'forge-std/=lib/forge-std/src/'],
          optimizer_details: { constant_optimizer: true },
        },
        ci: { verbosity: 4, list: [{ x: 'a\tb', multi: 'one\ntwo' }] },
      },
    })
  })

  test('a syntax error names its line', () => {
    expect(() => parseToml('[profile.default]\nsrc = "src\n')).toThrow(/^line 2: newline in a single-line string$/)
    expect(() => parseToml('a = 1\na = 2')).toThrow('line 2: "a" is defined twice')
  })
})

describe('remappings', () => {
  test('longest context, then longest prefix, then the last given wins; relative imports are remapped after resolution', () => {
    const remappings = ['@oz/=lib/oz/', '@oz/token/=lib/oz-token/', 'src/legacy:@oz/=lib/oz-old/', '@oz/=lib/oz-last/'].map((r) => parseRemapping(r)!)
    expect(applyRemappings(remappings, 'src/Pool.sol', '@oz/utils/Math.sol')).toBe('lib/oz-last/utils/Math.sol')
    expect(applyRemappings(remappings, 'src/Pool.sol', '@oz/token/ERC20.sol')).toBe('lib/oz-token/ERC20.sol')
    expect(applyRemappings(remappings, 'src/legacy/Old.sol', '@oz/utils/Math.sol')).toBe('lib/oz-old/utils/Math.sol')
    expect(applyRemappings(remappings, 'src/Pool.sol', 'src/Other.sol')).toBe('src/Other.sol')
  })
})

describe('readFoundryConfig', () => {
  test("Foundry's defaults when there is no foundry.toml: src, lib, optimizer off, 200 runs", async () => {
    const root = await project({ 'src/A.sol': '' })
    expect(readFoundryConfig(root, {})).toEqual({ profile: 'default', src: 'src', out: 'out', libs: ['lib'], remappings: [], settings: { optimizer: false, optimizerRuns: 200 } })
  })

  test('profile default with FOUNDRY_PROFILE merged over it; compiler, settings, metadata and libraries', async () => {
    const root = await project({
      'foundry.toml': [
        '[profile.default]',
        'src = "contracts/"',
        'solc_version = "0.8.19"',
        'optimizer = true',
        'optimizer_runs = 1_000',
        "evm-version = 'paris'",
        'bytecode_hash = "none"',
        'libraries = ["src/Lib.sol:Lib:0x1111111111111111111111111111111111111111"]',
        '[profile.default.optimizer_details]',
        'constant_optimizer = true',
        '[profile.ci]',
        'via_ir = true',
        'solc = "bin/solc-0.8.24"',
      ].join('\n'),
    })
    expect(readFoundryConfig(root, {})).toEqual({
      profile: 'default',
      src: 'contracts',
      out: 'out',
      libs: ['lib'],
      remappings: [],
      solcVersion: '0.8.19',
      settings: {
        optimizer: true,
        optimizerRuns: 1000,
        evmVersion: 'paris',
        optimizerDetails: { constantOptimizer: true },
        metadata: { bytecodeHash: 'none' },
        libraries: { 'src/Lib.sol': { Lib: '0x1111111111111111111111111111111111111111' } },
      },
    })
    const ci = readFoundryConfig(root, { FOUNDRY_PROFILE: 'ci' })
    expect(ci.settings.viaIR).toBe(true)
    expect(ci.solcPath).toBe(path.join(root, 'bin/solc-0.8.24'))
    expect(ci.solcVersion).toBeUndefined()
  })

  test('remappings: foundry.toml, then remappings.txt, then lib/ dependencies (their own remappings, src/, nested libs)', async () => {
    const root = await project({
      'foundry.toml': '[profile.default]\nremappings = ["@oz/=lib/openzeppelin-contracts/contracts/"]\n',
      'remappings.txt': '# ours\n@oz/=lib/ignored/\nsolmate/=lib/solmate/src/\n',
      'lib/openzeppelin-contracts/remappings.txt': '@openzeppelin/contracts/=contracts/\n',
      'lib/openzeppelin-contracts/contracts/token/ERC20.sol': '',
      'lib/mathlib/src/Math.sol': '',
      'lib/mathlib/lib/bits/src/Bits.sol': '',
      'lib/.git/HEAD': '',
    })
    expect(readFoundryConfig(root, {}).remappings).toEqual([
      '@oz/=lib/openzeppelin-contracts/contracts/',
      'solmate/=lib/solmate/src/',
      'mathlib/=lib/mathlib/src/',
      '@openzeppelin/contracts/=lib/openzeppelin-contracts/contracts/',
      'openzeppelin-contracts/=lib/openzeppelin-contracts/',
      'bits/=lib/mathlib/lib/bits/src/',
    ])
  })

  test('an invalid foundry.toml is BW_PROJECT_CONFIG_INVALID naming the file and line', async () => {
    const root = await project({ 'foundry.toml': '[profile.default]\nsrc = \n' })
    expect(() => readFoundryConfig(root, {})).toThrow(expect.objectContaining({ code: 'BW_PROJECT_CONFIG_INVALID', shortMessage: `${path.join(root, 'foundry.toml')}: not valid TOML (line 2: expected a value).` }))
  })
})
