import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { compileSources } from './compileSources.js'

// A solc binary as the CLI sees one: bin/solc-shim.js answers --version and --standard-json like solc does.
const solcBinary = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/solc-shim.js')
const sources = { 'contracts/Counter.sol': '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\ncontract Counter { uint256 public n; function inc() external { n += 1; } }\n' }

let scratch: string
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'bulwark-native-solc-'))
})
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

describe('a native solc (solcPath)', () => {
  test('is run with --standard-json; its own version names the build; the code equals solc-js of that release', async () => {
    const native = await compileSources({ root: scratch, sources, solcPath: solcBinary, cacheDir: path.join(scratch, 'native') })
    const js = await compileSources({ root: scratch, sources, solcVersion: '0.8.30', cacheDir: path.join(scratch, 'js') })
    expect(native.buildInfo.solcLongVersion).toBe(js.buildInfo.solcLongVersion)
    expect(native.cached).toBe(false)
    expect(native.artifacts.find((a) => a.contractName === 'Counter')!.deployedBytecode).toBe(js.artifacts.find((a) => a.contractName === 'Counter')!.deployedBytecode)
  }, 120_000)

  test('a binary that does not answer --version is BW_COMPILER_UNAVAILABLE', async () => {
    const fake = path.join(scratch, 'fake-solc')
    await writeFile(fake, '#!/bin/sh\necho "not a compiler"\n')
    await chmod(fake, 0o755)
    await expect(compileSources({ root: scratch, sources, solcPath: fake, cacheDir: path.join(scratch, 'fake') })).rejects.toMatchObject({
      code: 'BW_COMPILER_UNAVAILABLE',
      shortMessage: `solc ${fake} is not available: \`${fake} --version\` printed no "Version: x.y.z+commit…" line.`,
    })
  }, 60_000)
})
