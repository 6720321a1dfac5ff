import { cp, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { keccak256 } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { compileFoundryProject } from './compileFoundryProject.js'
import { reproduceBuild } from './reproduceBuild.js'

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
let scratch: string
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'bulwark-foundry-project-'))
})
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

async function write(root: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true })
    await writeFile(path.join(root, name), content)
  }
}

/** Every file of the project with its size and modification time: what "untouched" means. */
async function snapshot(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  const files = await Promise.all(
    entries.filter((e) => e.isFile()).map(async (e) => {
      const file = path.join(e.parentPath, e.name)
      const info = await stat(file)
      return `${path.relative(root, file)} ${info.size} ${info.mtimeMs}`
    }),
  )
  return files.sort()
}

describe('a Foundry project, compiled as forge would and left untouched', () => {
  test('solc from foundry.toml, optimizer settings, remappings from foundry.toml, remappings.txt and lib/ (nested too)', async () => {
    const root = path.join(scratch, 'pool')
    // OpenZeppelin 4.9 as forge installs it: git checkouts under lib/ (their contracts/ folders).
    await cp(path.join(repo, 'node_modules/oz-upgradeable-4-9'), path.join(root, 'lib/openzeppelin-contracts-upgradeable/contracts'), { recursive: true })
    await cp(path.join(repo, 'node_modules/oz-contracts-4-9'), path.join(root, 'lib/openzeppelin-contracts/contracts'), { recursive: true })
    await write(root, {
      'foundry.toml': [
        '[profile.default]',
        'src = "src"',
        'solc = "0.8.19"',
        'optimizer = true',
        'optimizer_runs = 1_000',
        'remappings = ["@oz-up/=lib/openzeppelin-contracts-upgradeable/contracts/"]',
        '[profile.default.optimizer_details]',
        'constant_optimizer = true',
      ].join('\n'),
      'remappings.txt': '@oz/=lib/openzeppelin-contracts/contracts/\n',
      // A dependency with a src/ layout (auto-remapped as mathlib/) and its own dependency, named by its own remappings.txt.
      'lib/mathlib/remappings.txt': 'bits/=lib/bits/src/\n',
      'lib/mathlib/src/FixedMath.sol': '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\nimport {Bits} from "bits/Bits.sol";\nlibrary FixedMath { function half(uint256 x) internal pure returns (uint256) { return Bits.shr1(x); } }\n',
      'lib/mathlib/lib/bits/src/Bits.sol': '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\nlibrary Bits { function shr1(uint256 x) internal pure returns (uint256) { return x >> 1; } }\n',
      'src/Pool.sol': [
        '// SPDX-License-Identifier: MIT',
        'pragma solidity ^0.8.0;',
        'import {UUPSUpgradeable} from "@oz-up/proxy/utils/UUPSUpgradeable.sol";',
        'import {OwnableUpgradeable} from "@oz-up/access/OwnableUpgradeable.sol";',
        'import {Math} from "@oz/utils/math/Math.sol";',
        'import {FixedMath} from "mathlib/FixedMath.sol";',
        'import {PoolMath} from "./PoolMath.sol";',
        'contract Pool is UUPSUpgradeable, OwnableUpgradeable {',
        '    uint256 public reserve;',
        '    function quote(uint256 a, uint256 b) external pure returns (uint256) { return PoolMath.fee(FixedMath.half(Math.max(a, b))); }',
        '    function _authorizeUpgrade(address) internal override onlyOwner {}',
        '}',
      ].join('\n'),
      'src/PoolMath.sol': '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\nlibrary PoolMath { function fee(uint256 x) internal pure returns (uint256) { return x / 1000; } }\n',
    })
    const before = await snapshot(root)
    const cacheDir = path.join(scratch, 'cache')

    const build = await compileFoundryProject({ root, cacheDir })

    expect(build.buildInfo.solcLongVersion).toBe('0.8.19+commit.7dd6d404')
    const settings = build.buildInfo.input.settings
    expect(settings.optimizer).toEqual({ enabled: true, runs: 1000, details: { constantOptimizer: true } })
    expect(settings.remappings).toEqual([
      '@oz-up/=lib/openzeppelin-contracts-upgradeable/contracts/',
      '@oz/=lib/openzeppelin-contracts/contracts/',
      // mathlib's own remappings.txt, rebased into lib/mathlib, then mathlib/ itself.
      'bits/=lib/mathlib/lib/bits/src/',
      'mathlib/=lib/mathlib/src/',
      'openzeppelin-contracts/=lib/openzeppelin-contracts/',
      'openzeppelin-contracts-upgradeable/=lib/openzeppelin-contracts-upgradeable/',
    ])
    // Source unit names are forge's: paths in the project, imports remapped.
    expect(Object.keys(build.buildInfo.input.sources)).toEqual(
      expect.arrayContaining([
        'src/Pool.sol',
        'src/PoolMath.sol',
        'lib/mathlib/src/FixedMath.sol',
        'lib/mathlib/lib/bits/src/Bits.sol',
        'lib/openzeppelin-contracts/contracts/utils/math/Math.sol',
        'lib/openzeppelin-contracts-upgradeable/contracts/proxy/utils/UUPSUpgradeable.sol',
      ]),
    )
    const pool = build.artifacts.find((a) => a.contractName === 'Pool')!
    expect(pool.external).toBe(false)
    expect(build.artifacts.find((a) => a.contractName === 'UUPSUpgradeable')!.external).toBe(true)
    expect(pool.deployedBytecode.length).toBeGreaterThan(1000)
    expect(await snapshot(root)).toEqual(before)
    // Built again in this process: the same build-info object, so work keyed on it (upgrades-core) is shared.
    const again2 = await compileFoundryProject({ root, cacheDir })
    expect(again2.cached).toBe(true)
    expect(again2.buildInfo).toBe(build.buildInfo)

    // The recorded input (remappings included) compiles again, with 0.8.19, to the same code.
    const again = await reproduceBuild({ input: build.buildInfo.input, solcVersion: build.buildInfo.solcVersion, contracts: [pool], cacheDir })
    expect(again.cached).toBe(false)
    expect(again.contracts['src/Pool.sol:Pool']).toEqual({ runtimeCodeHash: keccak256(pool.deployedBytecode), creationCodeHash: keccak256(pool.bytecode) })
    expect((await reproduceBuild({ input: build.buildInfo.input, solcVersion: '0.8.19', contracts: [pool], cacheDir })).cached).toBe(true)
  }, 600_000)

  test('a project whose files need different compilers: only the wanted contract file is compiled, with a release its pragma admits', async () => {
    const root = path.join(scratch, 'mixed')
    await write(root, {
      'src/Current.sol': '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\ncontract Current { uint256 public x; }\n',
      'src/Legacy.sol': '// SPDX-License-Identifier: MIT\npragma solidity 0.6.12;\ncontract Legacy { uint256 public y; }\n',
    })
    await expect(compileFoundryProject({ root, cacheDir: path.join(scratch, 'cache') })).rejects.toMatchObject({
      code: 'BW_SOLC_VERSION_UNRESOLVED',
      metaMessages: expect.arrayContaining(['src/Current.sol: pragma solidity ^0.8.20', 'src/Legacy.sol: pragma solidity 0.6.12']),
    })
    const build = await compileFoundryProject({ root, cacheDir: path.join(scratch, 'cache'), contract: 'Current' })
    expect(Object.keys(build.buildInfo.input.sources)).toEqual(['src/Current.sol'])
    expect(build.buildInfo.solcVersion).toBe('0.8.30')
  }, 600_000)
})
