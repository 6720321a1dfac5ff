import { parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDevClient, createReadClient } from './clients.js'
import { devAccount } from './devAccounts.js'
import { startAnvil, type Anvil } from './startAnvil.js'

let anvil: Anvil
beforeAll(async () => {
  anvil = await startAnvil()
})
afterAll(async () => anvil?.stop())

describe('createDevClient', () => {
  test('estimates with headroom over the node\'s exact figure, and the transaction still uses only what it needs', async () => {
    const sender = devAccount(0)
    const dev = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: sender })
    const reader = createReadClient({ rpcUrl: anvil.rpcUrl })
    const request = { account: sender.address, to: devAccount(9).address, value: parseEther('1') }
    expect(await reader.estimateGas(request)).toBe(21_000n)
    expect(await dev.estimateGas(request)).toBe((21_000n * 3n) / 2n + 50_000n)
    const hash = await dev.sendTransaction({ to: devAccount(9).address, value: parseEther('1') })
    const receipt = await dev.waitForTransactionReceipt({ hash, pollingInterval: 20 })
    expect(receipt.status).toBe('success')
    expect(receipt.gasUsed).toBe(21_000n)
    expect((await dev.getTransaction({ hash })).gas).toBe((21_000n * 3n) / 2n + 50_000n)
  })
})
