import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDevClient } from '../chain/clients.js'
import { devAccount } from '../chain/devAccounts.js'
import { startAnvil, type Anvil } from '../chain/startAnvil.js'
import { main } from './main.js'
import { captureIo } from './testIo.js'

let dir: string
let anvil: Anvil
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bulwark-cli-'))
  anvil = await startAnvil()
})
afterAll(async () => {
  await anvil?.stop()
  await rm(dir, { recursive: true, force: true })
})

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const capture = captureIo(dir, env)
  const exitCode = await main(argv, capture.io)
  return { exitCode, ...capture }
}

describe('bulwark CLI', () => {
  test('help lists every command; --version answers', async () => {
    const help = await run(['--help'])
    expect(help.exitCode).toBe(0)
    for (const name of ['devnet', 'inventory', 'init', 'compile']) expect(help.stdout()).toContain(`  ${name}`)
    expect((await run(['--version', '--json'])).json()).toEqual({ version: '0.1.0' })
  })

  test('an unknown command and an unknown flag are usage errors naming them', async () => {
    const unknown = await run(['deploy'])
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr()).toMatch(/^error BW_USAGE: Unknown command "deploy"/)
    const flag = await run(['inventory', '--adress', '0x0', '--json'])
    expect(flag.exitCode).toBe(2)
    expect(flag.json().error).toMatchObject({ code: 'BW_USAGE', message: "Unknown option '--adress'." })
  })

  test('a malformed address is BW_ADDRESS_INVALID and names the flag', async () => {
    const result = await run(['inventory', '--rpc', anvil.rpcUrl, '--address', '0x12345', '--json'])
    expect(result.exitCode).toBe(2)
    expect(result.json().error).toEqual({
      code: 'BW_ADDRESS_INVALID',
      name: 'InvalidAddressError',
      message: '"0x12345" is not a valid address.',
      meta: ['An address is 0x followed by 40 hex digits; mixed case must match its EIP-55 checksum.', 'Given at: --address #1'],
    })
  })

  test('an unreachable RPC is BW_RPC_UNREACHABLE (exit 3) and never prints credentials', async () => {
    const result = await run(['inventory', '--rpc', 'http://alice:s3cret@127.0.0.1:1/v2/abcdefghijklmnopqrstuvwxyz', '--address', devAccount(0).address])
    expect(result.exitCode).toBe(3)
    expect(result.stderr()).toContain('error BW_RPC_UNREACHABLE: The RPC endpoint http://***@127.0.0.1:1/v2/*** did not answer.')
    expect(result.stderr()).not.toMatch(/s3cret|abcdefghijklmnop/)
  })

  test('an address with no code is BW_NO_CODE (exit 4)', async () => {
    const result = await run(['inventory', '--rpc', anvil.rpcUrl, '--address', devAccount(3).address, '--no-save', '--json'])
    expect(result.exitCode).toBe(4)
    expect(result.json().error.code).toBe('BW_NO_CODE')
    expect(result.json().error.message).toContain(devAccount(3).address)
  })

  test('a proxy whose implementation slot points to an empty account is BW_IMPLEMENTATION_NO_CODE', async () => {
    // A minimal ERC-1967-shaped contract: runtime code that just STOPs, with the implementation slot set by hand.
    const client = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(0) })
    const proxy = '0x00000000000000000000000000000000000fa11e' as const
    const { createTestChainClient } = await import('../chain/clients.js')
    const testClient = createTestChainClient({ rpcUrl: anvil.rpcUrl })
    await testClient.setCode({ address: proxy, bytecode: '0x00' })
    const implementationSlot = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc'
    await testClient.setStorageAt({ address: proxy, index: implementationSlot, value: `0x${'00'.repeat(12)}${'ab'.repeat(20)}` })
    expect(await client.getCode({ address: proxy })).toBe('0x00')
    const result = await run(['inventory', '--rpc', anvil.rpcUrl, '--address', proxy, '--no-save', '--json'])
    expect(result.json().error.code).toBe('BW_IMPLEMENTATION_NO_CODE')
    expect(result.exitCode).toBe(4)
  })

  test('a malformed project file is BW_PROJECT_INVALID with the field path', async () => {
    const file = path.join(dir, 'broken.json')
    await writeFile(file, JSON.stringify({ version: 1, name: 'x', chains: { devnet: { chainId: 31337, rpcUrl: anvil.rpcUrl } }, contracts: [{ name: 'Pool', chain: 'devnet', address: 'nope' }] }))
    const result = await run(['inventory', '--project', file])
    expect(result.exitCode).toBe(2)
    expect(result.stderr()).toContain(`error BW_PROJECT_INVALID: Invalid project file ${file}: contracts[0].address: must be 0x followed by 40 hex digits`)
  })

  test('inventory without targets or a project file explains what to give', async () => {
    const result = await run(['inventory'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr()).toContain('Give --rpc and at least one --address, or a project file')
  })

  test('--fail-on rejects an unknown severity', async () => {
    const result = await run(['inventory', '--fail-on', 'severe', '--rpc', anvil.rpcUrl, '--address', devAccount(0).address])
    expect(result.stderr()).toContain('--fail-on must be one of low, medium, high, critical; got "severe".')
    expect(result.exitCode).toBe(2)
  })

  test('compile reports a solc error as file:line:column and exits 5', async () => {
    const project = path.join(dir, 'broken-project')
    await mkdir(path.join(project, 'contracts'), { recursive: true })
    await writeFile(path.join(project, 'contracts', 'Broken.sol'), '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\ncontract Broken {\n    function f() public { uint x = ; }\n}\n')
    const result = await run(['compile', '--root', project, '--quiet'])
    expect(result.exitCode).toBe(5)
    expect(result.stderr()).toContain('error BW_COMPILE_FAILED')
    expect(result.stderr()).toContain('contracts/Broken.sol:4:36: ParserError: Expected primary expression.')
  })
})
