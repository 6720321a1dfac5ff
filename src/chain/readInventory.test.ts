import { fileURLToPath } from 'node:url'
import { encodeFunctionData, getAddress, keccak256, toHex, zeroAddress, type Abi, type Address, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'
import { createDevClient, createReadClient, createTestChainClient, type DevClient, type ReadClient } from './clients.js'
import { deployContract } from './deployContract.js'
import { deploySafe, deploySafeInfrastructure, type SafeInfrastructure } from './deploySafe.js'
import { deployTimelock } from './deployTimelock.js'
import { devAccount, devRoles } from './devAccounts.js'
import { erc1967Slots } from './getProxyInfo.js'
import type { InventoryFindingKind } from './inventoryFindings.js'
import { readInventory, type Inventory } from './readInventory.js'
import { startAnvil, type Anvil } from './startAnvil.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const twoDays = 172_800n

let anvil: Anvil
let dev: DevClient
let client: ReadClient
let artifact: (name: string) => { abi: Abi; bytecode: Hex }
let infrastructure: SafeInfrastructure
const deployer = devAccount(devRoles.deployer).address
const guardian = devAccount(devRoles.guardian).address
const safeOwners = devRoles.safeOwners.map((index) => devAccount(index).address)

// Shared governance: a 2-of-3 Safe proposing and executing on a two-day, self-administered timelock.
let safe: Address
let timelock: Address
let lockedBox: Address
let roleBox: Address

beforeAll(async () => {
  anvil = await startAnvil()
  dev = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.deployer) })
  client = createReadClient({ rpcUrl: anvil.rpcUrl })
  const build = await compileProject({ root })
  artifact = (name) => getArtifact(build, name)
  const deployed = await deploySafeInfrastructure(dev)
  infrastructure = Object.fromEntries(Object.entries(deployed).map(([key, value]) => [key, getAddress(value)])) as SafeInfrastructure
  safe = getAddress(await deploySafe(dev, { infrastructure, owners: safeOwners, threshold: 2 }))
  timelock = getAddress(await deployTimelock(dev, { artifact: artifact('TimelockController'), minDelay: twoDays, proposers: [safe], executors: [safe], admin: zeroAddress }))
  lockedBox = await deploy('InventoryOwnedBox', [true])
  roleBox = await deploy('InventoryRoleBox')
})
afterAll(async () => anvil?.stop())

async function deploy(name: string, args: readonly unknown[] = []): Promise<Address> {
  const { abi, bytecode } = artifact(name)
  return getAddress((await deployContract(dev, { name, abi, bytecode, args })).address)
}

function initializeOwned(owner: Address): Hex {
  return encodeFunctionData({ abi: artifact('InventoryOwnedBox').abi, functionName: 'initialize', args: [owner] })
}

async function uupsProxy(implementation: Address, data: Hex): Promise<Address> {
  return deploy('ERC1967Proxy', [implementation, data])
}

async function transparentProxy(implementation: Address, initialOwner: Address, data: Hex): Promise<{ proxy: Address; proxyAdmin: Address }> {
  const proxy = await deploy('TransparentUpgradeableProxy', [implementation, initialOwner, data])
  const slot = await client.getStorageAt({ address: proxy, slot: erc1967Slots.admin })
  return { proxy, proxyAdmin: getAddress(`0x${slot!.slice(26)}`) }
}

function kinds(inventory: Inventory): InventoryFindingKind[] {
  return inventory.findings.map((finding) => finding.kind)
}

describe('readInventory: the chain of control', () => {
  test('a UUPS proxy governed by roles → timelock → Safe → owners, field by field, with no findings', async () => {
    const data = encodeFunctionData({ abi: artifact('InventoryRoleBox').abi, functionName: 'initialize', args: [timelock, timelock, guardian] })
    const proxy = await uupsProxy(roleBox, data)
    const inventory = await readInventory(client, { addresses: [proxy] })

    expect(inventory.chainId).toBe(31337)
    expect(inventory.blockNumber).toBe(String(await client.getBlockNumber({ cacheTime: 0 })))
    expect(inventory.roots).toEqual([proxy])
    expect(Object.keys(inventory.nodes)).toEqual([proxy, roleBox, timelock, guardian, safe, ...safeOwners])

    const node = inventory.nodes[proxy]!
    expect(node.kind).toBe('uups')
    expect(node.root).toBe(true)
    expect(node.implementation).toBe(roleBox)
    expect(node.admin).toBeUndefined()
    expect(node.owner).toBeUndefined()
    expect(node.paused).toBe(false)
    expect(node.roles).toEqual([
      { role: '0x0000000000000000000000000000000000000000000000000000000000000000', name: 'DEFAULT_ADMIN_ROLE', holders: [timelock] },
      { role: keccak256(toHex('UPGRADER_ROLE')), name: 'UPGRADER_ROLE', holders: [timelock] },
      { role: keccak256(toHex('PAUSER_ROLE')), name: 'PAUSER_ROLE', holders: [guardian] },
    ])

    const implementation = inventory.nodes[roleBox]!
    expect(implementation.kind).toBe('contract')
    expect(implementation.root).toBe(false)
    expect(implementation.initializer).toEqual({ layout: 'oz5-erc7201', version: '18446744073709551615', initializing: false, disabled: true, callableByAnyone: false })

    const timelockNode = inventory.nodes[timelock]!
    expect(timelockNode.kind).toBe('timelock')
    expect(timelockNode.timelock).toEqual({ minDelay: '172800' })
    expect(timelockNode.roles?.map(({ name, holders }) => [name, holders])).toEqual([
      ['DEFAULT_ADMIN_ROLE', [timelock]],
      ['PROPOSER_ROLE', [safe]],
      ['CANCELLER_ROLE', [safe]],
      ['EXECUTOR_ROLE', [safe]],
    ])

    const safeNode = inventory.nodes[safe]!
    expect(safeNode.kind).toBe('safe')
    expect(safeNode.safe).toEqual({
      version: '1.4.1',
      owners: safeOwners,
      threshold: 2,
      nonce: '0',
      modules: [],
      guard: null,
      fallbackHandler: infrastructure.fallbackHandler,
      singleton: infrastructure.singleton,
    })
    for (const owner of safeOwners) expect(inventory.nodes[owner]).toEqual({ address: owner, kind: 'eoa', root: false })
    expect(inventory.nodes[guardian]?.kind).toBe('eoa')

    expect(inventory.edges).toEqual([
      { from: proxy, to: roleBox, relation: 'implementation' },
      { from: proxy, to: timelock, relation: 'role:DEFAULT_ADMIN_ROLE' },
      { from: proxy, to: timelock, relation: 'role:UPGRADER_ROLE' },
      { from: proxy, to: guardian, relation: 'role:PAUSER_ROLE' },
      { from: timelock, to: safe, relation: 'role:PROPOSER_ROLE' },
      { from: timelock, to: safe, relation: 'role:CANCELLER_ROLE' },
      { from: timelock, to: safe, relation: 'role:EXECUTOR_ROLE' },
      ...safeOwners.map((owner) => ({ from: safe, to: owner, relation: 'safe-owner' })),
    ])
    expect(inventory.findings).toEqual([])
    // What the CLI stores: a JSON round trip gives the same inventory.
    expect(JSON.parse(JSON.stringify(inventory))).toEqual(inventory)
  })

  test('a Transparent proxy: admin slot → ProxyAdmin → timelock; the proxied owner() is read through the proxy', async () => {
    const { proxy, proxyAdmin } = await transparentProxy(lockedBox, timelock, initializeOwned(timelock))
    const inventory = await readInventory(client, { addresses: [proxy] })
    expect(inventory.nodes[proxy]).toMatchObject({ kind: 'transparent', implementation: lockedBox, admin: proxyAdmin, owner: timelock, paused: false })
    expect(inventory.nodes[proxyAdmin]).toMatchObject({ kind: 'proxy-admin', owner: timelock })
    expect(inventory.edges.filter((edge) => edge.from === proxy || edge.from === proxyAdmin)).toEqual([
      { from: proxy, to: lockedBox, relation: 'implementation' },
      { from: proxy, to: proxyAdmin, relation: 'admin' },
      { from: proxy, to: timelock, relation: 'owner' },
      { from: proxyAdmin, to: timelock, relation: 'owner' },
    ])
    expect(inventory.findings).toEqual([])
  })

  test('a Beacon proxy: beacon slot → UpgradeableBeacon (implementation, owner)', async () => {
    const beacon = await deploy('UpgradeableBeacon', [lockedBox, timelock])
    const proxy = await deploy('BeaconProxy', [beacon, initializeOwned(timelock)])
    const inventory = await readInventory(client, { addresses: [proxy] })
    expect(inventory.nodes[proxy]).toMatchObject({ kind: 'beacon-proxy', implementation: lockedBox, beacon, owner: timelock })
    expect(inventory.nodes[proxy]?.admin).toBeUndefined()
    expect(inventory.nodes[beacon]).toMatchObject({ kind: 'beacon', implementation: lockedBox, owner: timelock })
    expect(inventory.nodes[lockedBox]?.initializer?.disabled).toBe(true)
    expect(inventory.edges.filter((edge) => edge.from === proxy || edge.from === beacon)).toEqual([
      { from: proxy, to: beacon, relation: 'beacon' },
      { from: proxy, to: timelock, relation: 'owner' },
      { from: beacon, to: lockedBox, relation: 'implementation' },
      { from: beacon, to: timelock, relation: 'owner' },
    ])
    expect(inventory.findings).toEqual([])
  })

  test('reads are pinned at the given block', async () => {
    const proxy = await uupsProxy(lockedBox, initializeOwned(deployer))
    const before = await client.getBlockNumber({ cacheTime: 0 })
    const hash = await dev.writeContract({ address: proxy, abi: artifact('InventoryOwnedBox').abi, functionName: 'transferOwnership', args: [timelock] })
    await dev.waitForTransactionReceipt({ hash, pollingInterval: 50 })
    const then = await readInventory(client, { addresses: [proxy], blockNumber: before })
    const now = await readInventory(client, { addresses: [proxy] })
    expect(then.blockNumber).toBe(String(before))
    expect(then.nodes[proxy]?.owner).toBe(deployer)
    expect(now.nodes[proxy]?.owner).toBe(timelock)
  })

  test('level-by-level reads go out as a handful of JSON-RPC batches', async () => {
    const data = encodeFunctionData({ abi: artifact('InventoryRoleBox').abi, functionName: 'initialize', args: [timelock, timelock, guardian] })
    const proxy = await uupsProxy(roleBox, data)
    let requests = 0
    const counting = createReadClient({ rpcUrl: anvil.rpcUrl, onFetchRequest: () => void requests++ })
    const inventory = await readInventory(counting, { addresses: [proxy] })
    expect(Object.keys(inventory.nodes)).toHaveLength(8)
    // Eight accounts take well over a hundred reads; unbatched, each would be its own request.
    expect(requests).toBeLessThanOrEqual(15)
  })
})

describe('readInventory: findings', () => {
  test('upgrade-authority-eoa: a UUPS proxy owned by the deployer EOA (and not when the timelock owns it)', async () => {
    const risky = await uupsProxy(lockedBox, initializeOwned(deployer))
    const clean = await uupsProxy(lockedBox, initializeOwned(timelock))
    const inventory = await readInventory(client, { addresses: [risky, clean] })
    expect(inventory.findings).toEqual([
      {
        kind: 'upgrade-authority-eoa',
        severity: 'high',
        address: risky,
        message: `UUPS proxy ${risky} can be upgraded by a single key: its owner is the externally owned account ${deployer}.`,
        hint: 'Move upgrade authority to a TimelockController whose proposers are a multisig; one leaked key must not be able to replace the code.',
      },
    ])
  })

  test('upgrade-authority-eoa: an UPGRADER_ROLE held by an EOA', async () => {
    const data = encodeFunctionData({ abi: artifact('InventoryRoleBox').abi, functionName: 'initialize', args: [timelock, guardian, guardian] })
    const proxy = await uupsProxy(roleBox, data)
    const inventory = await readInventory(client, { addresses: [proxy] })
    expect(inventory.findings.map(({ kind, address, message }) => ({ kind, address, message }))).toEqual([
      {
        kind: 'upgrade-authority-eoa',
        address: proxy,
        message: `UUPS proxy ${proxy} can be upgraded by a single key: an UPGRADER_ROLE holder is the externally owned account ${guardian}.`,
      },
    ])
  })

  test('upgrade-authority-eoa: a ProxyAdmin owned by an EOA, and a beacon owned by an EOA', async () => {
    const { proxy: transparent, proxyAdmin } = await transparentProxy(lockedBox, deployer, initializeOwned(timelock))
    const beacon = await deploy('UpgradeableBeacon', [lockedBox, deployer])
    const beaconProxy = await deploy('BeaconProxy', [beacon, initializeOwned(timelock)])
    const inventory = await readInventory(client, { addresses: [transparent, beaconProxy] })
    expect(inventory.findings.map(({ kind, address, message }) => ({ kind, address, message }))).toEqual([
      {
        kind: 'upgrade-authority-eoa',
        address: transparent,
        message: `Transparent proxy ${transparent} can be upgraded by a single key: the owner of its ProxyAdmin ${proxyAdmin} is the externally owned account ${deployer}.`,
      },
      {
        kind: 'upgrade-authority-eoa',
        address: beaconProxy,
        message: `Beacon proxy ${beaconProxy} can be upgraded by a single key: the owner of its beacon ${beacon} is the externally owned account ${deployer}.`,
      },
    ])
  })

  test('timelock-zero-delay and timelock-admin-held-by-deployer (a clean timelock has neither)', async () => {
    const risky = getAddress(await deployTimelock(dev, { artifact: artifact('TimelockController'), minDelay: 0n, proposers: [safe], executors: [safe], admin: deployer }))
    const inventory = await readInventory(client, { addresses: [risky, timelock] })
    expect(inventory.findings.map(({ kind, severity, address }) => ({ kind, severity, address }))).toEqual([
      { kind: 'timelock-zero-delay', severity: 'high', address: risky },
      { kind: 'timelock-admin-held-by-deployer', severity: 'high', address: risky },
    ])
    expect(inventory.findings[1]?.message).toBe(
      `TimelockController ${risky} still grants DEFAULT_ADMIN_ROLE to the externally owned account ${deployer}, which can grant itself proposer and executor roles.`,
    )
    expect(inventory.nodes[risky]?.roles?.find((role) => role.name === 'DEFAULT_ADMIN_ROLE')?.holders).toEqual([risky, deployer])
  })

  test('safe-threshold-one: a 1-of-1 Safe (a 2-of-3 is clean)', async () => {
    const single = getAddress(await deploySafe(dev, { infrastructure, owners: [safeOwners[0]!], threshold: 1, saltNonce: 7n }))
    const inventory = await readInventory(client, { addresses: [single, safe] })
    expect(inventory.nodes[single]?.safe).toMatchObject({ owners: [safeOwners[0]], threshold: 1 })
    expect(inventory.findings).toEqual([
      {
        kind: 'safe-threshold-one',
        severity: 'medium',
        address: single,
        message: `Safe ${single} needs only 1 of 1 owner signature: any single owner key controls it.`,
        hint: 'Raise the threshold (changeThreshold) so that no single compromised signer can act alone, e.g. 2-of-3 or 3-of-5.',
      },
    ])
  })

  test('proxy-admin-owned-by-proxy-admin: an OZ 5 proxy given an existing ProxyAdmin as initialOwner', async () => {
    const { proxyAdmin: first } = await transparentProxy(lockedBox, timelock, initializeOwned(timelock))
    const { proxy, proxyAdmin: second } = await transparentProxy(lockedBox, first, initializeOwned(timelock))
    const inventory = await readInventory(client, { addresses: [proxy] })
    expect(inventory.nodes[second]).toMatchObject({ kind: 'proxy-admin', owner: first })
    expect(inventory.nodes[first]).toMatchObject({ kind: 'proxy-admin', owner: timelock })
    expect(kinds(inventory)).toEqual(['proxy-admin-owned-by-proxy-admin'])
    expect(inventory.findings[0]?.address).toBe(second)
  })

  test('implementation-uninitialized: an implementation without _disableInitializers (a sealed one is clean)', async () => {
    const open = await deploy('InventoryOwnedBox', [false])
    const risky = await uupsProxy(open, initializeOwned(timelock))
    const clean = await uupsProxy(lockedBox, initializeOwned(timelock))
    const inventory = await readInventory(client, { addresses: [risky, clean] })
    expect(inventory.nodes[open]?.initializer).toEqual({ layout: 'oz5-erc7201', version: '0', initializing: false, disabled: false, callableByAnyone: true })
    expect(inventory.findings.map(({ kind, address, message }) => ({ kind, address, message }))).toEqual([
      {
        kind: 'implementation-uninitialized',
        address: open,
        message: `Implementation ${open} (behind ${risky}) was never initialized: anyone can call its initializer and take ownership of the implementation contract.`,
      },
    ])
  })
})

describe('readInventory: bad input', () => {
  test('an address without code → NoCodeError (BW_NO_CODE)', async () => {
    const blockNumber = await client.getBlockNumber({ cacheTime: 0 })
    const error = await readInventory(client, { addresses: [guardian], blockNumber }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BW_NO_CODE', name: 'NoCodeError' })
    expect((error as Error).message).toBe(
      `No contract code at ${guardian} (block ${blockNumber}).\n\nThe address is an externally owned account or was never deployed on this chain.`,
    )
  })

  test('a proxy whose implementation slot points to an empty account → ImplementationNoCodeError (BW_IMPLEMENTATION_NO_CODE)', async () => {
    const proxy = await uupsProxy(lockedBox, initializeOwned(timelock))
    const empty = getAddress('0x00000000000000000000000000000000deadbeef')
    const test = createTestChainClient({ rpcUrl: anvil.rpcUrl })
    await test.setStorageAt({ address: proxy, index: erc1967Slots.implementation, value: `0x${empty.slice(2).toLowerCase().padStart(64, '0')}` })
    await test.mine({ blocks: 1 })
    const error = await readInventory(client, { addresses: [proxy] }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BW_IMPLEMENTATION_NO_CODE', name: 'ImplementationNoCodeError' })
    expect((error as Error).message.split('\n')[0]).toBe(`Proxy ${proxy} points its implementation to ${empty}, which has no code.`)
  })

  test('an unreachable RPC surfaces as RpcUnreachableError (BW_RPC_UNREACHABLE), not as "not that kind"', async () => {
    const down = createReadClient({ rpcUrl: 'http://127.0.0.1:9', timeoutMs: 2_000 })
    const error = await readInventory(down, { addresses: [safe], blockNumber: 1n }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BW_RPC_UNREACHABLE', name: 'RpcUnreachableError' })
  })

  test('a node refusing reads at a block it does not have → RpcCallError (BW_RPC_FAILED)', async () => {
    const error = await readInventory(client, { addresses: [safe], blockNumber: 10_000_000n }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BW_RPC_FAILED', name: 'RpcCallError' })
  })
})
