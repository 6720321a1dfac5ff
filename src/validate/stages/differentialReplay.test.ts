import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseAbi, type Hash } from 'viem'
import { createReadClient } from '../../chain/clients.js'
import { demoStageContext, startDemoChain, type DemoChain } from './dynamicStageFixtures.js'
import { compareEffects, differentialReplay } from './differentialReplay.js'

let chain: DemoChain
/** The seed transaction in which Carol repays all her debt with `repay(carol, type(uint256).max)`. */
let repayAll: Hash
/** Every transaction sent to the pool proxy in the demo's history, oldest first. */
let poolTransactions: { hash: Hash; block: bigint }[]
beforeAll(async () => {
  chain = await startDemoChain()
  const client = createReadClient({ rpcUrl: chain.anvil.rpcUrl })
  const head = await client.getBlockNumber({ cacheTime: 0 })
  const blocks = await Promise.all(Array.from({ length: Number(head) + 1 }, (_, index) => client.getBlock({ blockNumber: BigInt(index), includeTransactions: true })))
  poolTransactions = blocks.flatMap((block) =>
    block.transactions.filter((transaction) => transaction.to?.toLowerCase() === chain.demo.lendingPool.proxy.toLowerCase()).map((transaction) => ({ hash: transaction.hash, block: block.number })),
  )
  const logs = await client.getLogs({
    address: chain.demo.lendingPool.proxy,
    event: parseAbi(['event Repaid(address indexed payer, address indexed account, uint256 assets, uint256 accountDebt)'])[0],
    fromBlock: 0n,
  })
  const full = logs.filter((log) => log.args.accountDebt === 0n)
  expect(full).toHaveLength(1)
  repayAll = full[0]!.transactionHash
})
afterAll(async () => chain?.anvil.stop())

describe('differentialReplay', () => {
  test('the demo V2 replays the pool history identically', async () => {
    const output = await differentialReplay(await demoStageContext(chain, 'LendingPoolV2', { differentialReplay: { transactions: 200 } }))
    expect(output.findings).toEqual([])
    expect(output.data).toMatchObject({ divergent: 0, expected: 0 })
    // Every transaction sent to the pool in the demo's history, on a fork taken just before the first one.
    expect(output.data!.transactions).toBe(poolTransactions.length)
    expect(output.data!.forkBlock).toBe(String(poolTransactions[0]!.block - 1n))
  })

  test('only the last N transactions are replayed when N is smaller than the history', async () => {
    const output = await differentialReplay(await demoStageContext(chain, 'LendingPoolV2', { differentialReplay: { transactions: 3 } }))
    expect(output.findings).toEqual([])
    expect(output.data).toMatchObject({ transactions: 3, fromBlock: String(poolTransactions.at(-3)!.block) })
  })

  test('a fix that refuses "repay all" diverges on exactly that benign transaction; marking it expected keeps the reason', async () => {
    const failing = await differentialReplay(await demoStageContext(chain, 'LendingPoolV2StrictRepay', { differentialReplay: { transactions: 200 } }))
    expect(failing.findings.map((finding) => [finding.kind, finding.severity, (finding.details as { transaction: string }).transaction])).toEqual([
      ['replay-divergence', 'high', repayAll],
    ])
    expect(failing.findings[0]!.message).toMatch(new RegExp(`^Transaction ${repayAll} \\(block \\d+, 0x[0-9a-f]{8} from 0x[0-9a-fA-F]{40}\\) diverges after the patch: status success → reverted`))

    const reason = 'repay(max) is deliberately refused: integrators must pass the exact debt'
    const passing = await differentialReplay(
      await demoStageContext(chain, 'LendingPoolV2StrictRepay', { differentialReplay: { transactions: 200, expectDivergence: [{ transaction: repayAll, reason }] } }),
    )
    expect(passing.findings.map((finding) => [finding.kind, finding.severity])).toEqual([['replay-divergence-expected', 'info']])
    expect(passing.findings[0]!.details).toMatchObject({ transaction: repayAll, expectedReason: reason })
    expect(passing.findings[0]!.message).toContain(`Expected: ${reason}`)
  })

  test('an upgrade that reverts on the fork is an upgrade-reverted finding (a fact about the patch), never the old code compared with itself', async () => {
    const context = await demoStageContext(chain, 'LendingPoolV2', { differentialReplay: { transactions: 2 } })
    const output = await differentialReplay({ ...context, builds: [{ ...context.builds[0]!, initializerCalldata: '0xdeadbeef' }] })
    expect(output.findings.map((finding) => [finding.kind, finding.severity])).toEqual([['upgrade-reverted', 'critical']])
    const transaction = (output.data as { upgradeReverted: { transaction: string } }).upgradeReverted.transaction
    expect(transaction).toMatch(/^0x[0-9a-f]{64}$/)
    expect(output.findings[0]!.message).toBe(`LendingPool: the upgrade reverted at the start of the first replayed block (transaction ${transaction}); no transaction could be replayed after it`)
    expect(output.data).toMatchObject({ transactions: 0 })
  })

  test('compareEffects names each kind of difference', () => {
    const base = { status: 'success' as const, output: '0x' as const, logs: [], balances: {}, storage: {} }
    expect(compareEffects(base, base)).toEqual([])
    expect(
      compareEffects(base, {
        status: 'reverted',
        output: '0x08c379a0',
        logs: [{ address: '0x0000000000000000000000000000000000000001', topics: [], data: '0x' }],
        balances: { '0x0000000000000000000000000000000000000002': '-5' },
        storage: { '0x0000000000000000000000000000000000000001:0x01': '0x02' },
      }),
    ).toEqual([
      'status success → reverted',
      'return data 0x → 0x08c379a0',
      'events 0 → 1',
      'balance change of 0x0000000000000000000000000000000000000002 0 → -5',
      'storage 0x0000000000000000000000000000000000000001:0x01 unchanged → 0x02',
    ])
  })
})
