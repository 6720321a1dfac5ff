import { fileURLToPath } from 'node:url'
import { encodeFunctionData, getAddress, zeroAddress, type Abi, type Address, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'
import { createDevClient, createReadClient, type DevClient, type ReadClient } from './clients.js'
import { deployContract } from './deployContract.js'
import { deployTimelock } from './deployTimelock.js'
import { devAccount } from './devAccounts.js'
import { diffInventory, renderInventoryDiff } from './diffInventory.js'
import type { Inventory } from './readInventory.js'
import { readInventory } from './readInventory.js'
import { startAnvil, type Anvil } from './startAnvil.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const deployer = devAccount(0).address
let anvil: Anvil
let dev: DevClient
let client: ReadClient
let artifact: (name: string) => { abi: Abi; bytecode: Hex }

beforeAll(async () => {
  anvil = await startAnvil()
  dev = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(0) })
  client = createReadClient({ rpcUrl: anvil.rpcUrl })
  const build = await compileProject({ root })
  artifact = (name) => getArtifact(build, name)
})
afterAll(async () => anvil?.stop())

async function deploy(name: string, args: readonly unknown[] = []): Promise<Address> {
  const { abi, bytecode } = artifact(name)
  return getAddress((await deployContract(dev, { name, abi, bytecode, args })).address)
}

async function send(address: Address, functionName: string, args: readonly unknown[]) {
  const hash = await dev.writeContract({ address, abi: artifact('InventoryOwnedBox').abi, functionName, args: args as unknown[] })
  await dev.waitForTransactionReceipt({ hash, pollingInterval: 50 })
}

describe('diffInventory', () => {
  test('an upgrade and an ownership transfer are reported, and nothing else', async () => {
    const first = await deploy('InventoryOwnedBox', [true])
    const second = await deploy('InventoryOwnedBox', [true])
    const timelock = getAddress(await deployTimelock(dev, { artifact: artifact('TimelockController'), minDelay: 60n, proposers: [], executors: [], admin: zeroAddress }))
    const initialize = encodeFunctionData({ abi: artifact('InventoryOwnedBox').abi, functionName: 'initialize', args: [deployer] })
    const proxy = await deploy('ERC1967Proxy', [first, initialize])

    const before = await readInventory(client, { addresses: [proxy] })
    await send(proxy, 'upgradeToAndCall', [second, '0x'])
    await send(proxy, 'transferOwnership', [timelock])
    const after = await readInventory(client, { addresses: [proxy] })

    // Snapshots come back from the database as JSON.
    const changes = diffInventory(JSON.parse(JSON.stringify(before)) as Inventory, after)
    expect(changes).toEqual([
      { address: proxy, field: 'implementation', before: first, after: second, description: `${proxy} now runs implementation ${second} (was ${first})` },
      { address: proxy, field: 'owner', before: deployer, after: timelock, description: `owner of ${proxy} changed from ${deployer} to ${timelock}` },
      { address: first, field: 'node', before: 'contract', after: null, description: `contract ${first} left the chain of control` },
      { address: deployer, field: 'node', before: 'eoa', after: null, description: `eoa ${deployer} left the chain of control` },
      { address: second, field: 'node', before: null, after: 'contract', description: `contract ${second} entered the chain of control` },
      { address: timelock, field: 'node', before: null, after: 'timelock', description: `timelock ${timelock} entered the chain of control` },
    ])
    expect(renderInventoryDiff(changes).split('\n').slice(0, 3)).toEqual([
      `  ~ ${proxy} now runs implementation ${second} (was ${first})`,
      `  ~ owner of ${proxy} changed from ${deployer} to ${timelock}`,
      `  - contract ${first} left the chain of control`,
    ])
    expect(diffInventory(after, after)).toEqual([])
    expect(renderInventoryDiff([])).toBe('  no changes')
  })

  test('Safe threshold and owners, timelock delay, roles and pause state', () => {
    const safe = '0x3000000000000000000000000000000000000001'
    const timelock = '0x2000000000000000000000000000000000000001'
    const [a, b, c] = ['0x4000000000000000000000000000000000000001', '0x4000000000000000000000000000000000000002', '0x4000000000000000000000000000000000000003'] as const
    const inventory = (threshold: number, owners: Address[], minDelay: string, proposers: Address[], paused: boolean): Inventory => ({
      schemaVersion: 1,
      chainId: 1,
      blockNumber: '1',
      roots: [timelock],
      nodes: {
        [safe]: {
          address: safe,
          kind: 'safe',
          root: false,
          safe: { version: '1.4.1', owners, threshold, nonce: '1', modules: [], guard: null, fallbackHandler: null, singleton: null },
        },
        [timelock]: { address: timelock, kind: 'timelock', root: true, paused, timelock: { minDelay }, roles: [{ role: '0x01', name: 'PROPOSER_ROLE', holders: proposers }] },
      },
      edges: [],
      findings: [],
    })
    const changes = diffInventory(inventory(2, [a, b, c], '172800', [safe], false), inventory(1, [a, b], '0', [safe, c], true))
    expect(changes.map(({ address, field, before, after }) => [address, field, before, after])).toEqual([
      [safe, 'safe.threshold', '2', '1'],
      [safe, 'safe.owners', c, null],
      [timelock, 'paused', 'false', 'true'],
      [timelock, 'timelock.minDelay', '172800', '0'],
      [timelock, 'role:PROPOSER_ROLE', null, c],
    ])
    expect(changes.map((change) => change.description)).toEqual([
      `Safe ${safe} threshold changed from 2 to 1 (of 2 owners)`,
      `Safe ${safe} removed owner ${c}`,
      `${timelock} was paused`,
      `TimelockController ${timelock} min delay changed from 2d to 0s`,
      `PROPOSER_ROLE granted to ${c} on ${timelock}`,
    ])
  })
})
