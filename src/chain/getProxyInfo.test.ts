import { fileURLToPath } from 'node:url'
import { encodeFunctionData, getAddress, type Abi, type Address, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'
import { createDevClient, createReadClient, createTestChainClient, type DevClient, type ReadClient } from './clients.js'
import { deployContract } from './deployContract.js'
import { devAccount } from './devAccounts.js'
import { erc1967Slots, getProxyInfo } from './getProxyInfo.js'
import { startAnvil, type Anvil } from './startAnvil.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const owner = devAccount(0).address
let anvil: Anvil
let dev: DevClient
let client: ReadClient
let artifact: (name: string) => { abi: Abi; bytecode: Hex }
let box: Address
let initialize: Hex

beforeAll(async () => {
  anvil = await startAnvil()
  dev = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(0) })
  client = createReadClient({ rpcUrl: anvil.rpcUrl })
  const build = await compileProject({ root })
  artifact = (name) => getArtifact(build, name)
  box = await deploy('InventoryOwnedBox', [true])
  initialize = encodeFunctionData({ abi: artifact('InventoryOwnedBox').abi, functionName: 'initialize', args: [owner] })
})
afterAll(async () => anvil?.stop())

async function deploy(name: string, args: readonly unknown[] = []): Promise<Address> {
  const { abi, bytecode } = artifact(name)
  return getAddress((await deployContract(dev, { name, abi, bytecode, args })).address)
}

describe('getProxyInfo', () => {
  test('UUPS: implementation slot set, no admin, the implementation answers proxiableUUID', async () => {
    const proxy = await deploy('ERC1967Proxy', [box, initialize])
    expect(await getProxyInfo(client, { address: proxy })).toEqual({ kind: 'uups', implementation: box })
  })

  test('Transparent: implementation and admin slots (the OZ 5 ProxyAdmin the proxy deployed)', async () => {
    const proxy = await deploy('TransparentUpgradeableProxy', [box, owner, initialize])
    const info = await getProxyInfo(client, { address: proxy })
    const adminSlot = await client.getStorageAt({ address: proxy, slot: erc1967Slots.admin })
    expect(info).toEqual({ kind: 'transparent', implementation: box, admin: getAddress(`0x${adminSlot!.slice(26)}`) })
  })

  test("Beacon proxy: beacon slot set, implementation from the beacon's implementation()", async () => {
    const beacon = await deploy('UpgradeableBeacon', [box, owner])
    const proxy = await deploy('BeaconProxy', [beacon, initialize])
    expect(await getProxyInfo(client, { address: proxy })).toEqual({ kind: 'beacon-proxy', implementation: box, beacon })
  })

  test('an ERC1967Proxy whose implementation is not UUPS is "erc1967": no visible upgrade path', async () => {
    const legacy = await deploy('InventoryLegacyBox')
    const proxy = await deploy('ERC1967Proxy', [legacy, '0x'])
    expect(await getProxyInfo(client, { address: proxy })).toEqual({ kind: 'erc1967', implementation: legacy })
  })

  test('a contract that is not a proxy → undefined', async () => {
    expect(await getProxyInfo(client, { address: box })).toBeUndefined()
  })

  test('an implementation slot pointing at an empty account → ImplementationNoCodeError', async () => {
    const proxy = await deploy('ERC1967Proxy', [box, initialize])
    const testClient = createTestChainClient({ rpcUrl: anvil.rpcUrl })
    await testClient.setStorageAt({ address: proxy, index: erc1967Slots.implementation, value: `0x${'00'.repeat(12)}${'ab'.repeat(20)}` })
    await testClient.mine({ blocks: 1 })
    await expect(getProxyInfo(client, { address: proxy })).rejects.toMatchObject({
      code: 'BW_IMPLEMENTATION_NO_CODE',
      shortMessage: `Proxy ${proxy} points its implementation to ${getAddress(`0x${'ab'.repeat(20)}`)}, which has no code.`,
    })
  })

  test('a beacon slot pointing at an empty account → ImplementationNoCodeError naming the beacon', async () => {
    const beacon = await deploy('UpgradeableBeacon', [box, owner])
    const proxy = await deploy('BeaconProxy', [beacon, initialize])
    const testClient = createTestChainClient({ rpcUrl: anvil.rpcUrl })
    await testClient.setStorageAt({ address: proxy, index: erc1967Slots.beacon, value: `0x${'00'.repeat(12)}${'cd'.repeat(20)}` })
    await testClient.mine({ blocks: 1 })
    await expect(getProxyInfo(client, { address: proxy })).rejects.toMatchObject({
      code: 'BW_IMPLEMENTATION_NO_CODE',
      shortMessage: `Proxy ${proxy} points its beacon to ${getAddress(`0x${'cd'.repeat(20)}`)}, which has no code.`,
    })
  })
})
