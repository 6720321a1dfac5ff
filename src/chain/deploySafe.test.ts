import { encodeFunctionData, parseAbi, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDevClient, type DevClient } from './clients.js'
import { deploySafe, deploySafeInfrastructure, type SafeInfrastructure } from './deploySafe.js'
import { devAccount } from './devAccounts.js'
import { execSafeTransaction } from './execSafeTransaction.js'
import { safeArtifacts } from './safeArtifacts.js'
import { startAnvil, type Anvil } from './startAnvil.js'

let anvil: Anvil
let client: DevClient
let infrastructure: SafeInfrastructure
const owners = [devAccount(1), devAccount(2), devAccount(3)]

beforeAll(async () => {
  anvil = await startAnvil()
  client = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(0) })
  infrastructure = await deploySafeInfrastructure(client)
})
afterAll(async () => anvil?.stop())

describe('Safe 1.4.1', () => {
  test('deploys a 2-of-3 Safe from the published artifacts', async () => {
    const safe = await deploySafe(client, { infrastructure, owners: owners.map((o) => o.address), threshold: 2 })
    const read = (functionName: 'getOwners' | 'getThreshold' | 'VERSION') =>
      client.readContract({ address: safe, abi: safeArtifacts.SafeL2.abi, functionName })
    expect(await read('VERSION')).toBe('1.4.1')
    expect(await read('getThreshold')).toBe(2n)
    expect(await read('getOwners')).toEqual(owners.map((o) => o.address))
  })

  test('executes a transaction with two real owner signatures and rejects one', async () => {
    const safe = await deploySafe(client, { infrastructure, owners: owners.map((o) => o.address), threshold: 2, saltNonce: 1n })
    const abi = parseAbi(['function changeThreshold(uint256)'])
    const data = encodeFunctionData({ abi, functionName: 'changeThreshold', args: [3n] })
    // One signature under a threshold of 2: the Safe refuses (GS020) and nothing changes.
    await expect(execSafeTransaction(client, { safe, to: safe, data, signers: [owners[0]!] })).rejects.toThrow(/GS020/)
    const result = await execSafeTransaction(client, { safe, to: safe, data, signers: [owners[2]!, owners[0]!] })
    expect(result.status).toBe('success')
    const threshold = await client.readContract({ address: safe as Address, abi: safeArtifacts.SafeL2.abi, functionName: 'getThreshold' })
    expect(threshold).toBe(3n)
  })
})
