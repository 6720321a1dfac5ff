import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { concatRunData, getContractVersion, getErrors, getStorageLayout } from '@openzeppelin/upgrades-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { compileProject, type CompileProjectReturnType } from '../compile/compileProject.js'
import { validateBuildInfo } from './validateBuildInfo.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../compile/fixtures/project')
let scratch: string
let full: CompileProjectReturnType
let narrowed: CompileProjectReturnType

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'bulwark-validate-build-'))
  full = await compileProject({ root, cacheDir: path.join(scratch, 'full') })
  narrowed = await compileProject({ root, cacheDir: path.join(scratch, 'narrowed'), codeFor: ['Treasury'] })
}, 300_000)
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
})

test('a build with code for the implementation only gives upgrades-core the same errors and storage layout as a full build', () => {
  const facts = (build: CompileProjectReturnType) => {
    const run = validateBuildInfo(build.buildInfo)
    const version = getContractVersion(run, 'contracts/Treasury.sol:Treasury')
    const data = concatRunData(run)
    return {
      errors: getErrors(data, version).map((error) => `${error.kind} ${error.src}`),
      layout: getStorageLayout(data, version).storage.map((item) => `${item.label} ${item.type} ${item.contract}`),
      inherit: run['contracts/Treasury.sol:Treasury']?.inherit,
    }
  }
  const expected = facts(full)
  // Treasury is an Ownable with a constructor: upgrades-core reports it, and its layout comes from Ownable too.
  expect(expected.errors.length).toBeGreaterThan(0)
  expect(expected.layout.some((item) => item.startsWith('_owner '))).toBe(true)
  expect(facts(narrowed)).toEqual(expected)
  // The others are seen without code (as abstract contracts): no version, but their layout and errors are kept.
  expect(validateBuildInfo(narrowed.buildInfo)['contracts/Counter.sol:Counter']).toMatchObject({ version: undefined, layout: validateBuildInfo(full.buildInfo)['contracts/Counter.sol:Counter']!.layout })
})
