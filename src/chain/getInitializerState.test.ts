import { fileURLToPath } from 'node:url'
import { getAddress, type Abi, type Address, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'
import { createDevClient, createReadClient, type DevClient, type ReadClient } from './clients.js'
import { deployContract } from './deployContract.js'
import { devAccount } from './devAccounts.js'
import { getInitializerState } from './getInitializerState.js'
import { startAnvil, type Anvil } from './startAnvil.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const attacker = devAccount(9)
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

/** What an attacker does to an open implementation: call its initializer directly. */
async function initializeDirectly(address: Address, name: string) {
  const attackerClient = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: attacker })
  const hash = await attackerClient.writeContract({ address, abi: artifact(name).abi, functionName: 'initialize', args: [attacker.address] })
  await attackerClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })
}

describe('getInitializerState', () => {
  test('OZ 5, sealed with _disableInitializers: disabled, not callable', async () => {
    const sealed = await deploy('InventoryOwnedBox', [true])
    expect(await getInitializerState(client, { address: sealed })).toEqual({
      layout: 'oz5-erc7201',
      version: 2n ** 64n - 1n,
      initializing: false,
      disabled: true,
      callableByAnyone: false,
    })
  })

  test('OZ 5, never initialized: callable by anyone, until someone does', async () => {
    const open = await deploy('InventoryOwnedBox', [false])
    expect(await getInitializerState(client, { address: open })).toEqual({ layout: 'oz5-erc7201', version: 0n, initializing: false, disabled: false, callableByAnyone: true })
    await initializeDirectly(open, 'InventoryOwnedBox')
    expect(await getInitializerState(client, { address: open })).toMatchObject({ version: 1n, callableByAnyone: false })
  })

  test('OZ 4 layout (uint8 in slot 0, Initialized(uint8)): open, then initialized', async () => {
    const legacy = await deploy('InventoryLegacyBox')
    expect(await getInitializerState(client, { address: legacy })).toEqual({ layout: 'oz4-slot0', version: 0n, initializing: false, disabled: false, callableByAnyone: true })
    await initializeDirectly(legacy, 'InventoryLegacyBox')
    expect(await getInitializerState(client, { address: legacy })).toMatchObject({ layout: 'oz4-slot0', version: 1n, callableByAnyone: false })
  })

  test('a contract that is not Initializable: unknown, nothing claimed', async () => {
    const timelock = await deploy('TimelockController', [0n, [], [], devAccount(0).address])
    expect(await getInitializerState(client, { address: timelock })).toEqual({ layout: 'unknown' })
  })
})
