import { encodeFunctionData, getAddress, parseAbi, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDevClient, createReadClient, type DevClient, type ReadClient } from './clients.js'
import { deploySafe, deploySafeInfrastructure, type SafeInfrastructure } from './deploySafe.js'
import { devAccount } from './devAccounts.js'
import { execSafeTransaction } from './execSafeTransaction.js'
import { getSafeInfo } from './getSafeInfo.js'
import { startAnvil, type Anvil } from './startAnvil.js'

let anvil: Anvil
let dev: DevClient
let client: ReadClient
let infrastructure: SafeInfrastructure
const signers = [devAccount(1), devAccount(2), devAccount(3)]
const owners = signers.map((signer) => signer.address)

beforeAll(async () => {
  anvil = await startAnvil()
  dev = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(0) })
  client = createReadClient({ rpcUrl: anvil.rpcUrl })
  infrastructure = await deploySafeInfrastructure(dev)
})
afterAll(async () => anvil?.stop())

describe('getSafeInfo', () => {
  test('a 2-of-3 Safe 1.4.1: version, owners, threshold, nonce, modules, guard, fallback handler, singleton', async () => {
    const safe = await deploySafe(dev, { infrastructure, owners, threshold: 2 })
    expect(await getSafeInfo(client, { address: safe })).toEqual({
      version: '1.4.1',
      owners,
      threshold: 2,
      nonce: 0n,
      modules: [],
      guard: undefined,
      fallbackHandler: getAddress(infrastructure.fallbackHandler),
      singleton: getAddress(infrastructure.singleton),
    })
  })

  test('an enabled module and the nonce moving after an executed transaction', async () => {
    const safe = await deploySafe(dev, { infrastructure, owners, threshold: 2, saltNonce: 1n })
    const module: Address = getAddress('0x000000000000000000000000000000000000bEEF')
    const data = encodeFunctionData({ abi: parseAbi(['function enableModule(address)']), functionName: 'enableModule', args: [module] })
    const result = await execSafeTransaction(dev, { safe, to: safe, data, signers: [signers[0]!, signers[1]!] })
    expect(result.status).toBe('success')
    const before = await getSafeInfo(client, { address: safe, blockNumber: (await client.getBlockNumber({ cacheTime: 0 })) - 1n })
    const after = await getSafeInfo(client, { address: safe })
    expect(before).toMatchObject({ nonce: 0n, modules: [] })
    expect(after).toMatchObject({ nonce: 1n, modules: [module] })
  })

  test('a contract that is not a Safe → undefined (the probe does not throw)', async () => {
    expect(await getSafeInfo(client, { address: infrastructure.proxyFactory })).toBeUndefined()
  })
})
