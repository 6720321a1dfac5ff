import { parseUnits } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createReadClient, createTestChainClient } from '../../src/chain/clients.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { DeployError } from '../../src/chain/errors.js'
import { startAnvil, type Anvil } from '../../src/chain/startAnvil.js'
import { aavePoolAbi } from './aaveV3.js'
import { kitAccountIndices } from './kitGovernance.js'
import { createKitSender } from './kitSender.js'
import { deployProtocolSuite, type ProtocolSuite } from './protocolSuite.js'
import { erc20Abi } from './uniswapV2.js'

let anvil: Anvil
let suite: ProtocolSuite

beforeAll(async () => {
  anvil = await startAnvil()
  suite = await deployProtocolSuite(anvil)
})
afterAll(async () => {
  await anvil?.stop()
})

describe('createKitSender', () => {
  it('pipelines many ordinary Aave transactions from several accounts and names a reverting step', async () => {
    const { usdx } = suite.aave.reserves
    const senders = await Promise.all(kitAccountIndices.actors.map((index) => createKitSender(anvil, devAccount(index))))
    const started = performance.now()
    for (let round = 0; round < 25; round++) {
      for (const sender of senders) {
        void sender.call('supply', { address: suite.aave.pool, abi: aavePoolAbi, functionName: 'supply', args: [usdx.asset, parseUnits('10', 6), sender.address, 0], gas: 400_000n })
        void sender.call('withdraw', { address: suite.aave.pool, abi: aavePoolAbi, functionName: 'withdraw', args: [usdx.asset, parseUnits('5', 6), sender.address], gas: 400_000n })
      }
    }
    const receipts = (await Promise.all(senders.map((sender) => sender.settle()))).flat()
    const elapsed = performance.now() - started
    console.log(`${receipts.length} transactions in ${Math.round(elapsed)} ms (${Math.round((receipts.length / elapsed) * 1000)} tx/s)`)
    expect(receipts).toHaveLength(200)
    expect(receipts.every((receipt) => receipt.status === 'success')).toBe(true)
    // Each actor supplied 25 × 10 and withdrew 25 × 5 USDX on top of its seeded position: its aToken balance grew by 125.
    const aBalance = await createReadClient({ rpcUrl: anvil.rpcUrl }).readContract({ address: usdx.aToken, abi: erc20Abi, functionName: 'balanceOf', args: [senders[2]!.address] })
    expect(aBalance).toBeGreaterThanOrEqual(parseUnits('125', 6))

    const attacker = await createKitSender(anvil, devAccount(kitAccountIndices.attacker))
    void attacker.call('withdraw what was never supplied', { address: suite.aave.pool, abi: aavePoolAbi, functionName: 'withdraw', args: [usdx.asset, parseUnits('1', 6), attacker.address] })
    await expect(attacker.settle()).rejects.toThrow(DeployError)
    await expect(createKitSender(anvil, devAccount(kitAccountIndices.attacker)).then(async (sender) => {
      void sender.call('withdraw what was never supplied', { address: suite.aave.pool, abi: aavePoolAbi, functionName: 'withdraw', args: [usdx.asset, parseUnits('1', 6), attacker.address] })
      return (await sender.settle({ requireSuccess: false }))[0]!.status
    })).resolves.toBe('reverted')
  })

  it('sends again a transaction anvil left queued behind a nonce the chain has since passed (foundry-rs/foundry#10122)', async () => {
    const account = devAccount(kitAccountIndices.guardian)
    const reader = createReadClient({ rpcUrl: anvil.rpcUrl })
    const tester = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
    const nonce = await reader.getTransactionCount({ address: account.address })
    // The state anvil's race leaves: the transaction arrives while the chain is one nonce behind it
    // (queued), and the chain then reaches its nonce without the pool promoting it.
    await tester.setNonce({ address: account.address, nonce: nonce + 1 })
    const sender = await createKitSender(anvil, account)
    await tester.setNonce({ address: account.address, nonce })
    const hash = await sender.send('transfer', { to: account.address, data: '0x', value: 1n, gas: 21_000n })
    await tester.setNonce({ address: account.address, nonce: nonce + 1 })
    await tester.mine({ blocks: 1 })
    expect(await tester.getTxpoolStatus()).toEqual({ pending: 0, queued: 1 })
    expect((await reader.getTransaction({ hash })).blockNumber).toBeNull()

    const [receipt] = await sender.settle()
    expect(receipt!.transactionHash).toBe(hash)
    expect(receipt!.status).toBe('success')
    expect(await tester.getTxpoolStatus()).toEqual({ pending: 0, queued: 0 })
  })
})
