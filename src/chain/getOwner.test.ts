import { fileURLToPath } from 'node:url'
import { encodeFunctionData, getAddress, type Abi, type Address, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'
import { createDevClient, createReadClient, type DevClient, type ReadClient } from './clients.js'
import { deployContract } from './deployContract.js'
import { devAccount } from './devAccounts.js'
import { getOwner } from './getOwner.js'
import { startAnvil, type Anvil } from './startAnvil.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const owner = devAccount(0).address
let anvil: Anvil
let dev: DevClient
let client: ReadClient
let boxAbi: Abi
let implementation: Address
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
  boxAbi = getArtifact(build, 'InventoryOwnedBox').abi
  implementation = await deploy('InventoryOwnedBox', [true])
  proxy = await deploy('ERC1967Proxy', [implementation, encodeFunctionData({ abi: boxAbi, functionName: 'initialize', args: [owner] })])
})
afterAll(async () => anvil?.stop())

describe('getOwner', () => {
  test("reads the proxy's Ownable owner; a renounced owner reads as none", async () => {
    expect(await getOwner(client, { address: proxy })).toBe(owner)
    const hash = await dev.writeContract({ address: proxy, abi: boxAbi, functionName: 'renounceOwnership' })
    await dev.waitForTransactionReceipt({ hash, pollingInterval: 50 })
    expect(await getOwner(client, { address: proxy })).toBeUndefined()
  })

  test('an account without owner() → undefined, not an error', async () => {
    expect(await getOwner(client, { address: owner })).toBeUndefined()
  })

  test('an unreachable RPC → RpcUnreachableError (BW_RPC_UNREACHABLE) naming the URL without its credentials', async () => {
    const down = createReadClient({ rpcUrl: 'http://user:secret@127.0.0.1:9/', timeoutMs: 2_000 })
    const error = await getOwner(down, { address: proxy }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BW_RPC_UNREACHABLE', name: 'RpcUnreachableError' })
    expect((error as Error).message).toContain('127.0.0.1:9')
    expect((error as Error).message).not.toContain('secret')
  })
})
