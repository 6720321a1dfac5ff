import { cp, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { keccak256 } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { compileProject } from './compileProject.js'
import { compileSources } from './compileSources.js'
import { CompileError, SourceNotFoundError, SourcePathNotFoundError } from './errors.js'
import { formatCompileSummary } from './formatCompileSummary.js'
import { readBuildInfo } from './readBuildInfo.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const fixtures = path.join(here, 'fixtures')
const repoRoot = path.resolve(here, '../..')

let scratch: string
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'bulwark-compile-'))
})
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
})

/** A copy of a fixture project in its own folder, with node_modules reachable as in a real checkout. */
async function copyProject(fixture: string, name: string): Promise<string> {
  const root = path.join(scratch, name)
  await cp(path.join(fixtures, fixture), root, { recursive: true })
  await symlink(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir')
  return root
}

async function caught<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (error instanceof type) return error
  throw new Error(`expected ${type.name}, got ${String(error)}`)
}

describe('compileProject', () => {
  const root = path.join(fixtures, 'project')
  let cacheDir: string
  let first: Awaited<ReturnType<typeof compileProject>>
  const firstProgress: string[] = []

  beforeAll(async () => {
    cacheDir = path.join(scratch, 'cache-project')
    first = await compileProject({ root, cacheDir, onProgress: (m) => firstProgress.push(m) })
  })

  test('inlines every source, OpenZeppelin imports included, in input.sources', async () => {
    expect(first.cached).toBe(false)
    expect(firstProgress).toEqual(['compiling 5 files with solc 0.8.30…'])
    expect(Object.keys(first.buildInfo.input.sources)).toEqual([
      '@openzeppelin/contracts/access/Ownable.sol',
      '@openzeppelin/contracts/utils/Context.sol',
      'contracts/Counter.sol',
      'contracts/Treasury.sol',
      'contracts/lib/Percent.sol',
    ])
    expect(first.buildInfo.input.sources['@openzeppelin/contracts/access/Ownable.sol']?.content).toBe(
      await readFile(path.join(repoRoot, 'node_modules/@openzeppelin/contracts/access/Ownable.sol'), 'utf8'),
    )
    expect(first.buildInfo.solcLongVersion).toBe('0.8.30+commit.73712a01')
    expect(first.buildInfo.input.settings).toMatchInlineSnapshot(`
      {
        "evmVersion": "cancun",
        "optimizer": {
          "enabled": true,
          "runs": 200,
        },
        "outputSelection": {
          "*": {
            "": [
              "ast",
            ],
            "*": [
              "abi",
              "evm.bytecode",
              "evm.deployedBytecode",
              "evm.methodIdentifiers",
              "metadata",
              "storageLayout",
            ],
          },
        },
      }
    `)
  })

  test('gives what upgrades-core needs: an AST per source, storage layout per contract', () => {
    for (const source of Object.values(first.buildInfo.output.sources)) expect(source.ast).toBeTypeOf('object')
    const counter = first.buildInfo.output.contracts['contracts/Counter.sol']?.['Counter']
    expect((counter?.storageLayout as { storage: { label: string }[] }).storage.map((s) => s.label)).toEqual(['_count'])
    expect(counter?.evm?.methodIdentifiers).toEqual({ 'count()': '06661abd', 'increment()': 'd09de08a' })
  })

  test('gives one artifact per contract, imported ones marked external', () => {
    expect(first.artifacts.map((a) => `${a.sourceName}:${a.contractName}${a.external ? ' (external)' : ''}`)).toEqual([
      '@openzeppelin/contracts/access/Ownable.sol:Ownable (external)',
      '@openzeppelin/contracts/utils/Context.sol:Context (external)',
      'contracts/Counter.sol:Counter',
      'contracts/Treasury.sol:Treasury',
      'contracts/lib/Percent.sol:Percent',
    ])
    const treasury = first.artifacts.find((a) => a.contractName === 'Treasury')!
    expect(treasury.bytecode).toMatch(/^0x60[0-9a-f]+$/)
    expect(treasury.deployedBytecode).toMatch(/^0x60[0-9a-f]+$/)
    expect(treasury.abi.some((item) => item.type === 'function' && item.name === 'owner')).toBe(true)
    expect(treasury.buildInfoId).toBe(first.buildInfo.id)
  })

  test('writes the build-info and Hardhat-like artifact files into the cache', async () => {
    expect(first.buildInfoPath).toBe(path.join(cacheDir, 'build-info', `${first.buildInfo.id}.json`))
    expect(await readBuildInfo(first.buildInfoPath)).toEqual(first.buildInfo)
    const counterFile = path.join(cacheDir, 'artifacts', 'contracts/Counter.sol', 'Counter.json')
    const counter = JSON.parse(await readFile(counterFile, 'utf8')) as Record<string, unknown>
    expect(Object.keys(counter)).toEqual(['contractName', 'sourceName', 'abi', 'bytecode', 'deployedBytecode', 'buildInfoId', 'external'])
    expect(counter).toEqual(first.artifacts.find((a) => a.contractName === 'Counter'))
    await stat(path.join(cacheDir, 'artifacts', '@openzeppelin/contracts/access/Ownable.sol', 'Ownable.json'))
  })

  test('a second call with unchanged sources is a cache hit and does not run solc', async () => {
    const before = await stat(first.buildInfoPath)
    const progress: string[] = []
    const second = await compileProject({ root, cacheDir, onProgress: (m) => progress.push(m) })
    expect(second.cached).toBe(true)
    expect(progress).toEqual(['cache hit'])
    expect(second.durationMs).toBeLessThan(1000)
    expect((await stat(first.buildInfoPath)).mtimeMs).toBe(before.mtimeMs)
    expect(second.buildInfo).toEqual(first.buildInfo)
    expect(second.artifacts).toEqual(first.artifacts)
    expect(formatCompileSummary(second)).toBe('Up to date (cache hit)')
  })

  test('summarizes a fresh build in one line', () => {
    expect(formatCompileSummary({ ...first, durationMs: 8_234 })).toBe('Compiled 5 files (5 contracts) with solc 0.8.30 in 8.2 s')
  })

  test('listing a single file compiles it and its imports only, as its own cache entry', async () => {
    const counterOnly = await compileProject({ root, cacheDir, sources: ['contracts/Counter.sol'] })
    expect(counterOnly.cached).toBe(false)
    expect(Object.keys(counterOnly.buildInfo.input.sources)).toEqual(['contracts/Counter.sol'])
    expect(counterOnly.buildInfo.id).not.toBe(first.buildInfo.id)
  })

  test('codeFor: code for the named contracts only, the same bytes as a full build; every contract keeps its ABI, method ids and storage layout', async () => {
    const narrowCache = path.join(scratch, 'cache-code-for')
    const narrowed = await compileProject({ root, cacheDir: narrowCache, codeFor: ['contracts/Treasury.sol:Treasury', 'Percent'] })
    const full = (name: string) => first.artifacts.find((a) => a.contractName === name)!
    const built = (name: string) => narrowed.artifacts.find((a) => a.contractName === name)!
    for (const name of ['Treasury', 'Percent']) {
      expect(built(name).bytecode).toBe(full(name).bytecode)
      expect(built(name).deployedBytecode).toBe(full(name).deployedBytecode)
    }
    expect(built('Counter')).toMatchObject({ bytecode: '0x', deployedBytecode: '0x', abi: full('Counter').abi })
    const counter = narrowed.buildInfo.output.contracts['contracts/Counter.sol']?.['Counter']
    expect(counter?.evm?.methodIdentifiers).toEqual({ 'count()': '06661abd', 'increment()': 'd09de08a' })
    expect(counter?.storageLayout).toEqual(first.buildInfo.output.contracts['contracts/Counter.sol']?.['Counter']?.storageLayout)
    for (const source of Object.values(narrowed.buildInfo.output.sources)) expect(source.ast).toBeTypeOf('object')
    // The build-info records one input whose selection gives exactly this output, and its own cache entry.
    expect(narrowed.buildInfo.input.settings.outputSelection).toEqual({
      '*': { '': ['ast'], '*': ['abi', 'evm.methodIdentifiers', 'metadata', 'storageLayout'], Percent: ['abi', 'evm.bytecode', 'evm.deployedBytecode', 'evm.methodIdentifiers', 'metadata', 'storageLayout'] },
      'contracts/Treasury.sol': { Treasury: ['abi', 'evm.bytecode', 'evm.deployedBytecode', 'evm.methodIdentifiers', 'metadata', 'storageLayout'] },
    })
    expect(narrowed.buildInfo.id).not.toBe(first.buildInfo.id)
    // No artifact file without code: it would overwrite a complete one of the same contract.
    await stat(path.join(narrowCache, 'artifacts', 'contracts/Treasury.sol', 'Treasury.json'))
    await expect(stat(path.join(narrowCache, 'artifacts', 'contracts/Counter.sol', 'Counter.json'))).rejects.toThrow(/ENOENT/)
  })
})

describe('compileProject determinism and invalidation', () => {
  test('two clean builds in different folders give the same bytecode; editing an import rebuilds', async () => {
    const rootA = await copyProject('project', 'copy-a')
    const rootB = await copyProject('project', 'copy-b')
    const a = await compileProject({ root: rootA, cacheDir: path.join(scratch, 'cache-a') })
    const b = await compileProject({ root: rootB, cacheDir: path.join(scratch, 'cache-b') })
    expect(a.cached).toBe(false)
    expect(b.cached).toBe(false)
    const hashes = (build: typeof a) => build.artifacts.map((x) => `${x.contractName} ${keccak256(x.bytecode)} ${keccak256(x.deployedBytecode)}`)
    expect(hashes(b)).toEqual(hashes(a))
    expect(b.buildInfo.id).toBe(a.buildInfo.id)

    // Percent.sol is only reached through Treasury's import: its content must still be part of the key.
    const percent = path.join(rootB, 'contracts/lib/Percent.sol')
    await writeFile(percent, (await readFile(percent, 'utf8')).replace('/ 100', '/ 1000'))
    const edited = await compileProject({ root: rootB, cacheDir: path.join(scratch, 'cache-b') })
    expect(edited.cached).toBe(false)
    expect(edited.buildInfo.id).not.toBe(b.buildInfo.id)
    expect(edited.artifacts.find((x) => x.contractName === 'Treasury')!.deployedBytecode).not.toBe(
      b.artifacts.find((x) => x.contractName === 'Treasury')!.deployedBytecode,
    )
  })

  test('settings are part of the cache key', async () => {
    const root = path.join(fixtures, 'project')
    const cacheDir = path.join(scratch, 'cache-settings')
    const sources = ['contracts/Counter.sol']
    const cancun = await compileProject({ root, cacheDir, sources })
    const paris = await compileProject({ root, cacheDir, sources, settings: { evmVersion: 'paris', optimizerRuns: 1 } })
    expect(paris.cached).toBe(false)
    expect(paris.buildInfo.id).not.toBe(cancun.buildInfo.id)
    expect(paris.buildInfo.input.settings).toMatchObject({ evmVersion: 'paris', optimizer: { enabled: true, runs: 1 } })
  })
})

describe('compile failures', () => {
  test('a syntax error gives BW_COMPILE_FAILED with file:line:column', async () => {
    const error = await caught(compileProject({ root: path.join(fixtures, 'syntax-error'), cacheDir: path.join(scratch, 'cache-fail') }), CompileError)
    expect(error.code).toBe('BW_COMPILE_FAILED')
    expect(error.message).toMatchInlineSnapshot(`
      "Compilation failed with 1 error.

      contracts/Syntax.sol:7:9: ParserError: Expected ';' but got 'return'"
    `)
  })

  test('every error is listed at its character column; warnings are not errors', async () => {
    const error = await caught(compileProject({ root: path.join(fixtures, 'type-errors'), cacheDir: path.join(scratch, 'cache-fail') }), CompileError)
    expect(error.message).toMatchInlineSnapshot(`
      "Compilation failed with 2 errors.

      contracts/Types.sol:8:24: TypeError: Return argument type literal_string "text" is not implicitly convertible to expected type (type of first return variable) uint256.
      contracts/Types.sol:12:9: TypeError: Type int_const 300 is not implicitly convertible to expected type uint8. Literal is too large to fit in uint8."
    `)
    expect(error.errors.every((e) => e.severity === 'error')).toBe(true)
  })

  test('warnings alone do not fail the build and are returned', async () => {
    const result = await compileSources({
      root: path.join(fixtures, 'project'),
      cacheDir: path.join(scratch, 'cache-warnings'),
      sources: { 'contracts/Shadow.sol': '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\ncontract Shadow { function f() external pure { uint256 x; } }\n' },
    })
    expect(result.warnings.map((w) => `${w.sourceName}:${w.line}:${w.column}: ${w.type}`)).toEqual(['contracts/Shadow.sol:3:48: Warning'])
    expect(formatCompileSummary(result)).toMatch(/^Compiled 1 file \(1 contract\) with solc 0\.8\.30 in \d+\.\d s, 1 warning$/)
  })

  test('missing imports give BW_SOURCE_NOT_FOUND naming each import and its importer', async () => {
    const error = await caught(
      compileProject({ root: path.join(fixtures, 'missing-import'), cacheDir: path.join(scratch, 'cache-fail') }),
      SourceNotFoundError,
    )
    expect(error.code).toBe('BW_SOURCE_NOT_FOUND')
    expect(error.message).toMatchInlineSnapshot(`
      "Import "@acme/vaults/IVault.sol" in contracts/Orphan.sol could not be resolved (and 1 more).

      contracts/Orphan.sol:4:1: import "@acme/vaults/IVault.sol" was not found
      contracts/Orphan.sol:5:1: import "./Sibling.sol" was not found
      Imports are looked up in the project root, then in node_modules of the root and each parent folder.
      If "@acme/vaults" is an npm package, install it: npm install @acme/vaults"
    `)
    expect(error.missing.map((m) => m.sourceName)).toEqual(['@acme/vaults/IVault.sol', 'contracts/Sibling.sol'])
  })

  test('an import that climbs out of the project root is refused', async () => {
    const error = await caught(
      compileSources({
        root: path.join(fixtures, 'project'),
        cacheDir: path.join(scratch, 'cache-fail'),
        sources: { 'contracts/Escape.sol': 'import "../../../../../../etc/passwd";\ncontract Escape {}\n' },
      }),
      SourceNotFoundError,
    )
    expect(error.missing[0]).toMatchObject({ importer: 'contracts/Escape.sol', line: 1, column: 1, reason: 'outside-project' })
  })

  test('a source folder that does not exist gives BW_SOURCE_NOT_FOUND', async () => {
    const error = await caught(compileProject({ root: path.join(fixtures, 'project'), sources: ['src'], cacheDir: path.join(scratch, 'cache-fail') }), SourcePathNotFoundError)
    expect(error.code).toBe('BW_SOURCE_NOT_FOUND')
    expect(error.shortMessage).toBe('Source path "src" does not exist in the project.')
  })
})
