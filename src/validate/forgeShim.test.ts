import { execFile } from 'node:child_process'
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startAnvil, type Anvil } from '../chain/startAnvil.js'
import { ForgeRunError } from './dynamicStageErrors.js'
import { runForgeTests, solcShimPath } from './forgeShim.js'

const run = promisify(execFile)
let anvil: Anvil
let project: string

const suite = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
contract ArithmeticTest {
    bool public IS_TEST = true;
    function test_addition() external pure { require(1 + 1 == 2, "math"); }
    function test_fails() external pure { revert("expected failure"); }
}
`

beforeAll(async () => {
  anvil = await startAnvil()
  project = await mkdtemp(path.join(tmpdir(), 'bulwark-forge-test-'))
  await mkdir(path.join(project, 'test'))
  await writeFile(path.join(project, 'foundry.toml'), '[profile.default]\nsrc = "src"\ntest = "test"\nlibs = []\n\n[lint]\nlint_on_build = false\n')
  await writeFile(path.join(project, 'test', 'Arithmetic.t.sol'), suite)
})
afterAll(async () => {
  await anvil?.stop()
  if (project) await rm(project, { recursive: true, force: true })
})

describe('solc shim', () => {
  test('answers --version with the Version line forge parses', async () => {
    const { stdout } = await run(process.execPath, [solcShimPath, '--version'])
    expect(stdout).toMatch(/^Version: 0\.8\.30\+commit\.[0-9a-f]{8}/m)
  })

  test('compiles standard JSON from stdin with solc-js', async () => {
    const input = JSON.stringify({
      language: 'Solidity',
      sources: { 'A.sol': { content: 'pragma solidity ^0.8.0; contract A { function f() external pure returns (uint256) { return 7; } }' } },
      settings: { outputSelection: { '*': { '*': ['evm.bytecode.object'] } } },
    })
    const child = execFile(process.execPath, [solcShimPath, '--standard-json'])
    child.stdin!.end(input)
    let stdout = ''
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    await new Promise((resolve) => child.once('close', resolve))
    const output = JSON.parse(stdout) as { contracts: Record<string, Record<string, { evm: { bytecode: { object: string } } }>> }
    expect(output.contracts['A.sol']!.A!.evm.bytecode.object).toMatch(/^[0-9a-f]{100,}$/)
  })
})

describe('runForgeTests', () => {
  test('runs a Foundry suite offline against a fork URL and reports each test; nothing is written into the project', async () => {
    const { results } = await runForgeTests({ root: project, forkUrl: anvil.rpcUrl })
    expect(results.sort((a, b) => a.test.localeCompare(b.test))).toEqual([
      { suite: 'test/Arithmetic.t.sol:ArithmeticTest', test: 'test_addition()', passed: true },
      { suite: 'test/Arithmetic.t.sol:ArithmeticTest', test: 'test_fails()', passed: false, reason: 'expected failure' },
    ])
    expect((await readdir(project)).sort()).toEqual(['foundry.toml', 'test'])
  })

  test('a suite pinned to another solc release (pragma 0.8.19) compiles with that release, fetched from npm', async () => {
    const pinned = await mkdtemp(path.join(tmpdir(), 'bulwark-forge-pinned-'))
    try {
      await mkdir(path.join(pinned, 'test'))
      await writeFile(path.join(pinned, 'foundry.toml'), '[profile.default]\ntest = "test"\nlibs = []\n')
      // The bundled 0.8.30 refuses `pragma solidity 0.8.19`: a passing test means 0.8.19 compiled it.
      await writeFile(
        path.join(pinned, 'test', 'Pinned.t.sol'),
        'pragma solidity 0.8.19; contract PinnedTest { bool public IS_TEST = true; function test_pinned() external pure { require(type(uint8).max == 255, "x"); } }',
      )
      const { results } = await runForgeTests({ root: pinned, forkUrl: anvil.rpcUrl })
      expect(results).toEqual([{ suite: 'test/Pinned.t.sol:PinnedTest', test: 'test_pinned()', passed: true }])
    } finally {
      await rm(pinned, { recursive: true, force: true })
    }
  })

  test('a project that does not compile is BW_FORGE_FAILED (compile), not a failing test', async () => {
    const broken = await mkdtemp(path.join(tmpdir(), 'bulwark-forge-broken-'))
    try {
      await mkdir(path.join(broken, 'test'))
      await writeFile(path.join(broken, 'foundry.toml'), '[profile.default]\ntest = "test"\nlibs = []\n')
      await writeFile(path.join(broken, 'test', 'Broken.t.sol'), 'pragma solidity ^0.8.24; contract BrokenTest { function test_x() external { undefinedThing(); } }')
      const error = await runForgeTests({ root: broken, forkUrl: anvil.rpcUrl }).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(ForgeRunError)
      expect((error as ForgeRunError).code).toBe('BW_FORGE_FAILED')
      expect((error as ForgeRunError).reason).toBe('compile')
      expect((error as ForgeRunError).shortMessage).toBe(`forge test in ${broken} failed: the project does not compile.`)
      expect((error as ForgeRunError).details).toContain('undefinedThing')
    } finally {
      await rm(broken, { recursive: true, force: true })
    }
  })
})
