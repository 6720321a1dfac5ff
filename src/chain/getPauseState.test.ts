import { fileURLToPath } from 'node:url'
import { encodeFunctionData, getAddress, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'
import { createDevClient, createReadClient } from './clients.js'
import { deployContract } from './deployContract.js'
import { devAccount } from './devAccounts.js'
import { getPauseState } from './getPauseState.js'
import { startAnvil, type Anvil } from './startAnvil.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
let anvil: Anvil

beforeAll(async () => {
  anvil = await startAnvil()
})
afterAll(async () => anvil?.stop())

describe('getPauseState', () => {
  test('false, then true once the owner pauses; undefined for a contract without paused()', async () => {
    const dev = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(0) })
    const client = createReadClient({ rpcUrl: anvil.rpcUrl })
    const build = await compileProject({ root })
    const deploy = async (name: string, args: readonly unknown[] = []) => {
      const { abi, bytecode } = getArtifact(build, name)
      return getAddress((await deployContract(dev, { name, abi, bytecode: bytecode as Hex, args })).address)
    }
    const { abi } = getArtifact(build, 'InventoryOwnedBox')
    const implementation = await deploy('InventoryOwnedBox', [true])
    const proxy = await deploy('ERC1967Proxy', [implementation, encodeFunctionData({ abi, functionName: 'initialize', args: [devAccount(0).address] })])

    expect(await getPauseState(client, { address: proxy })).toBe(false)
    const hash = await dev.writeContract({ address: proxy, abi, functionName: 'pause' })
    await dev.waitForTransactionReceipt({ hash, pollingInterval: 50 })
    expect(await getPauseState(client, { address: proxy })).toBe(true)
    expect(await getPauseState(client, { address: await deploy('InventoryLegacyBox') })).toBeUndefined()
  })
})
