import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { keccak256 } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { SolcInput } from './buildInfo.js'
import { compileSources } from './compileSources.js'
import { reproduceBuild, startReproduceBuild, type ReproduceBuildReturnType } from './reproduceBuild.js'

const sources = {
  'contracts/Counter.sol': 'pragma solidity ^0.8.20;\ncontract Counter { uint256 public count; function bump() external { count += 1; } }\ncontract Other { function one() external pure returns (uint256) { return 1; } }\n',
}

describe('the reproducibility recompile started beside the first compile', () => {
  let scratch: string
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'bulwark-reproduce-'))
  })
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true })
  })

  test('started from the input before solc runs (contract by name in any file), it gives the first build\'s hashes; the exact selection later reads its record', async () => {
    let early: Promise<ReproduceBuildReturnType> | undefined
    const build = await compileSources({
      root: scratch,
      sources,
      cacheDir: path.join(scratch, 'build'),
      beforeCompile: async (input: SolcInput, release: string) => {
        early = (await startReproduceBuild({ input, solcVersion: release, contracts: [{ sourceName: '*', contractName: 'Counter' }], cacheDir: path.join(scratch, 'build') })).result
      },
    })
    expect(early).toBeDefined()
    const counter = build.artifacts.find((artifact) => artifact.contractName === 'Counter')!
    const first = { runtimeCodeHash: keccak256(counter.deployedBytecode), creationCodeHash: keccak256(counter.bytecode) }
    const again = await early!
    expect(again).toEqual({ cached: false, contracts: { 'contracts/Counter.sol:Counter': first } })

    // Same input, exact contract: answered from the record (the selection is not part of its key).
    const exact = await reproduceBuild({ input: build.buildInfo.input, solcVersion: build.buildInfo.solcVersion, contracts: [counter], cacheDir: path.join(scratch, 'build') })
    expect(exact).toEqual({ cached: true, contracts: { 'contracts/Counter.sol:Counter': first } })
    // A contract the record lacks is compiled, and joins the record.
    const other = build.artifacts.find((artifact) => artifact.contractName === 'Other')!
    const both = await reproduceBuild({ input: build.buildInfo.input, solcVersion: build.buildInfo.solcVersion, contracts: [counter, other], cacheDir: path.join(scratch, 'build') })
    expect(both.cached).toBe(false)
    expect(both.contracts['contracts/Counter.sol:Other']).toEqual({ runtimeCodeHash: keccak256(other.deployedBytecode), creationCodeHash: keccak256(other.bytecode) })
    expect((await reproduceBuild({ input: build.buildInfo.input, solcVersion: build.buildInfo.solcVersion, contracts: [other], cacheDir: path.join(scratch, 'build') })).cached).toBe(true)
  })
})
