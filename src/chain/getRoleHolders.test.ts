import { fileURLToPath } from 'node:url'
import { encodeFunctionData, getAddress, keccak256, toHex, type Abi, type Address, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'
import { createDevClient, createReadClient, type DevClient, type ReadClient } from './clients.js'
import { deployContract } from './deployContract.js'
import { devAccount } from './devAccounts.js'
import { getRoleHolders, isAccessControl, roleName } from './getRoleHolders.js'
import { startAnvil, type Anvil } from './startAnvil.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const admin = devAccount(0).address
const upgrader = devAccount(1).address
const pauser = devAccount(4).address
const keeper = devAccount(5).address
const keeperRole = keccak256(toHex('BOX_KEEPER_ROLE'))
let anvil: Anvil
let dev: DevClient
let client: ReadClient
let roleBoxAbi: Abi
let proxy: Address

beforeAll(async () => {
  anvil = await startAnvil()
  dev = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(0) })
  client = createReadClient({ rpcUrl: anvil.rpcUrl })
  const build = await compileProject({ root })
  const deploy = async (name: string, args: readonly unknown[] = []) => {
    const { abi, bytecode } = getArtifact(build, name)
    return getAddress((await deployContract(dev, { name, abi, bytecode: bytecode as Hex, args })).address)
  }
  roleBoxAbi = getArtifact(build, 'InventoryRoleBox').abi
  const implementation = await deploy('InventoryRoleBox')
  proxy = await deploy('ERC1967Proxy', [implementation, encodeFunctionData({ abi: roleBoxAbi, functionName: 'initialize', args: [admin, upgrader, pauser] })])
})
afterAll(async () => anvil?.stop())

async function send(functionName: 'grantRole' | 'revokeRole', role: Hex, account: Address) {
  const hash = await dev.writeContract({ address: proxy, abi: roleBoxAbi, functionName, args: [role, account] })
  await dev.waitForTransactionReceipt({ hash, pollingInterval: 50 })
}

describe('getRoleHolders', () => {
  test('replays grants and revocations in chain order; unknown roles stay hex unless named', async () => {
    const initialized = await client.getBlockNumber({ cacheTime: 0 })
    await send('grantRole', keeperRole, keeper)
    await send('grantRole', keccak256(toHex('UPGRADER_ROLE')), keeper)
    await send('revokeRole', keccak256(toHex('UPGRADER_ROLE')), upgrader)

    expect(await getRoleHolders(client, { address: proxy })).toEqual([
      { role: '0x0000000000000000000000000000000000000000000000000000000000000000', name: 'DEFAULT_ADMIN_ROLE', holders: [admin] },
      { role: keccak256(toHex('UPGRADER_ROLE')), name: 'UPGRADER_ROLE', holders: [keeper] },
      { role: keccak256(toHex('PAUSER_ROLE')), name: 'PAUSER_ROLE', holders: [pauser] },
      { role: keeperRole, name: keeperRole, holders: [keeper] },
    ])
    const named = await getRoleHolders(client, { address: proxy, roleNames: ['BOX_KEEPER_ROLE'] })
    expect(named.at(-1)?.name).toBe('BOX_KEEPER_ROLE')

    // Pinned before the changes: the holders as they were right after initialize.
    const then = await getRoleHolders(client, { address: proxy, blockNumber: initialized })
    expect(then.map(({ name, holders }) => [name, holders])).toEqual([
      ['DEFAULT_ADMIN_ROLE', [admin]],
      ['UPGRADER_ROLE', [upgrader]],
      ['PAUSER_ROLE', [pauser]],
    ])
    // A history that starts after the grants cannot know about them: fromBlock is the caller's promise.
    expect(await getRoleHolders(client, { address: proxy, fromBlock: initialized + 1n })).toEqual([
      { role: keeperRole, name: keeperRole, holders: [keeper] },
      { role: keccak256(toHex('UPGRADER_ROLE')), name: 'UPGRADER_ROLE', holders: [keeper] },
    ])
  })

  test('isAccessControl answers for AccessControl contracts only', async () => {
    expect(await isAccessControl(client, { address: proxy })).toBe(true)
    expect(await isAccessControl(client, { address: admin })).toBe(false)
  })

  test('roleName resolves the known names and leaves others as hex', () => {
    expect(roleName('0x0000000000000000000000000000000000000000000000000000000000000000')).toBe('DEFAULT_ADMIN_ROLE')
    expect(roleName(keccak256(toHex('CANCELLER_ROLE')))).toBe('CANCELLER_ROLE')
    expect(roleName(keeperRole)).toBe(keeperRole)
  })
})
