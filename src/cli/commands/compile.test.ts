import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { main } from '../main.js'
import { captureIo } from '../testIo.js'

let scratch: string
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'bulwark-compile-cli-'))
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

async function run(argv: string[]) {
  const capture = captureIo(scratch)
  const exitCode = await main(argv, capture.io)
  return { exitCode, stdout: capture.stdout(), stderr: capture.stderr() }
}

describe('bulwark compile', () => {
  test('a Foundry project compiles with the solc of its foundry.toml and its lib/ remappings', async () => {
    const root = path.join(scratch, 'foundry')
    await write(root, {
      'foundry.toml': '[profile.default]\nsolc_version = "0.8.19"\n',
      'lib/mathlib/src/Half.sol': '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\nlibrary Half { function half(uint256 x) internal pure returns (uint256) { return x / 2; } }\n',
      'src/Pool.sol': '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\nimport {Half} from "mathlib/Half.sol";\ncontract Pool { function f(uint256 x) external pure returns (uint256) { return Half.half(x); } }\n',
    })
    const result = await run(['compile', '--root', root, '--json'])
    expect(result.exitCode).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, project: 'foundry', solcVersion: '0.8.19', solcLongVersion: '0.8.19+commit.7dd6d404', contracts: ['src/Pool.sol:Pool'] })
  }, 300_000)

  test('--solc overrides the pragma choice; a malformed one is a usage error', async () => {
    const root = path.join(scratch, 'plain')
    await write(root, { 'contracts/A.sol': '// SPDX-License-Identifier: MIT\npragma solidity >=0.8.0;\ncontract A {}\n' })
    const pragma = await run(['compile', '--root', root, '--json'])
    expect(JSON.parse(pragma.stdout)).toMatchObject({ project: 'contracts', solcVersion: '0.8.30' })
    const forced = await run(['compile', '--root', root, '--json', '--solc', '0.8.19'])
    expect(JSON.parse(forced.stdout)).toMatchObject({ solcVersion: '0.8.19' })
    const bad = await run(['compile', '--root', root, '--solc', 'latest'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain('--solc must be a solc release like 0.8.19; got "latest".')
  }, 300_000)

  test('pragmas with no release in common exit 5 with BW_SOLC_VERSION_UNRESOLVED naming each file', async () => {
    const root = path.join(scratch, 'conflict')
    await write(root, {
      'contracts/A.sol': '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\ncontract A {}\n',
      'contracts/B.sol': '// SPDX-License-Identifier: MIT\npragma solidity 0.7.6;\ncontract B {}\n',
    })
    const result = await run(['compile', '--root', root, '--quiet'])
    expect(result.exitCode).toBe(5)
    expect(result.stderr).toContain('BW_SOLC_VERSION_UNRESOLVED')
    expect(result.stderr).toContain('contracts/B.sol: pragma solidity 0.7.6')
  }, 300_000)
})
