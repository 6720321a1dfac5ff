import type { Address, Hex } from 'viem'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { listResponses } from '../../src/monitor/responders/responseLedger.js'
import { attackClasses, flashLoanManipulation, type AttackClass, type AttackMode, type AttackOutcome } from './attacks.js'
import { deployRealMarket, pausedState, setMining, startMarketMonitor, type MonitorHandle, type RealMarket } from './realMarket.js'

/**
 * Attacks on real protocols deployed from their npm sources (Aave V3 core 1.19.3, Uniswap V2 core,
 * Balancer V2 vault, and a vault integrator built on the Aave pool) with Bulwark's monitor answering with the protocols' own pauses. Each attack runs
 * on the same deployed state (anvil snapshot) without the monitor, then with it: detected, the pause
 * mined ahead of the first value-taking transaction, and the loss with Bulwark at most 10% of the
 * loss without.
 */
let market: RealMarket
/** The deployed market before any attack; `fresh` is the state each run starts from (after the attack's prepare). */
let pristine: Hex
let fresh: Hex
/** Contracts the current attack adds to the watched set (its prepare's integrator). */
let extraContracts: Address[] = []
const results: Record<string, { without: bigint; withBulwark: bigint; mode: string }> = {}

beforeAll(async () => {
  market = await deployRealMarket()
  pristine = await market.test.snapshot()
  fresh = pristine
}, 600_000)

beforeEach(async () => {
  await market.test.revert({ id: pristine })
  pristine = await market.test.snapshot()
  fresh = pristine
  extraContracts = []
})

afterAll(async () => {
  if (Object.keys(results).length > 0) {
    console.log(Object.entries(results).map(([id, r]) => `${id} [${r.mode}]: loss without ${Number(r.without) / 1e6} USDX, with Bulwark ${Number(r.withBulwark) / 1e6} USDX`).join('\n'))
  }
  await market?.anvil.stop()
})

/** Back to the state runs start from, with a new snapshot of it (anvil consumes a snapshot when it reverts to it). */
async function restore(): Promise<void> {
  const startsPristine = fresh === pristine
  await market.test.revert({ id: fresh })
  fresh = await market.test.snapshot()
  if (startsPristine) pristine = fresh
}

const usdx = (amount: bigint) => `${Number(amount) / 1e6} USDX`

/** Runs the attack with the monitor on, and returns what happened; the chain is reverted by the caller. */
async function withMonitor(attack: AttackClass, mode: AttackMode, options: { pending: boolean; balancer?: boolean }): Promise<{ outcome: AttackOutcome; handle: MonitorHandle }> {
  const logs: string[] = []
  const handle = await startMarketMonitor(market, { pending: options.pending, balancer: options.balancer, extraContracts, log: (line) => logs.push(line) })
  await setMining(market, mode)
  try {
    const outcome = await attack.run(market, mode)
    // let the block follower finish the last block
    await new Promise((resolve) => setTimeout(resolve, 1500))
    return { outcome, handle }
  } finally {
    await handle.stop()
    await setMining(market, 'auto')
    if (logs.length > 0) console.log(`${attack.id} monitor log:\n${logs.join('\n')}`)
  }
}

async function withoutMonitor(attack: AttackClass): Promise<AttackOutcome> {
  const outcome = await attack.run(market, 'auto')
  await restore()
  return outcome
}

/** Asserts the pause was mined, and ahead of the first transaction of the attack that takes value. */
async function expectPausedBeforeLoss(handle: MonitorHandle, outcome: AttackOutcome): Promise<void> {
  const responses = await listResponses(handle.store, { chainId: market.anvil.chainId })
  const sent = responses.filter((response) => response.txHashes.length > 0)
  expect(sent.map((r) => `${r.kind}:${r.status}`), 'a pause was sent').not.toEqual([])
  const receipts = await Promise.all(sent.flatMap((r) => r.txHashes).map((hash) => market.test.getTransactionReceipt({ hash })))
  const firstPause = receipts.filter((r) => r.status === 'success').sort((a, b) => Number(a.blockNumber - b.blockNumber) || a.transactionIndex - b.transactionIndex)[0]
  expect(firstPause, 'a pause transaction succeeded').toBeDefined()
  const firstLoss = outcome.transactions.find((t) => t.takesValue)!.receipt
  const ahead = firstPause!.blockNumber < firstLoss.blockNumber || (firstPause!.blockNumber === firstLoss.blockNumber && firstPause!.transactionIndex < firstLoss.transactionIndex)
  expect(ahead, `pause at ${firstPause!.blockNumber}/${firstPause!.transactionIndex}, first loss at ${firstLoss.blockNumber}/${firstLoss.transactionIndex}`).toBe(true)
  expect((await pausedState(market)).aave).toBe(true)
}

describe('attacks on Aave V3 + Uniswap V2 + Balancer V2 (published sources), answered by their own pauses', () => {
  for (const attack of attackClasses) {
    test(`${attack.id}: ${attack.title}`, async () => {
      if (attack.prepare) {
        extraContracts = (await attack.prepare(market)).watched
        fresh = await market.test.snapshot()
      }
      const without = await withoutMonitor(attack)
      expect(without.transactions.every((t) => t.receipt.status === 'success'), 'the attack works without Bulwark').toBe(true)
      expect(without.profit, `loss without Bulwark (${usdx(without.profit)})`).toBeGreaterThan(50_000_000_000n)

      // mempool mode: interval mining, each attack transaction waits in the pool
      const { outcome, handle } = await withMonitor(attack, 'interval', { pending: true })
      const attackHashes = new Set(outcome.transactions.map((t) => t.hash))
      const attackBlocks = new Set(outcome.transactions.map((t) => t.receipt.blockNumber.toString()))
      // a finding on an attack transaction (pending or mined), or an end-of-block finding on a block holding one
      const detected = handle.alerts.filter((alert) => (alert.tx && attackHashes.has(alert.tx)) || (!alert.tx && alert.block && attackBlocks.has(alert.block.number)))
      console.log(`${attack.id}: ${handle.alerts.map((a) => `${a.pending ? 'pending' : `#${a.block?.number}`} ${a.detector} ${a.severity} score ${a.riskScore} → ${a.response.kind}${a.tx && attackHashes.has(a.tx) ? ' (attack tx)' : ''}`).join('\n  ')}`)
      expect(detected.map((a) => a.detector), 'the attack is detected').not.toEqual([])
      await expectPausedBeforeLoss(handle, outcome)
      const loss = outcome.profit > 0n ? outcome.profit : 0n
      results[`${attack.id}`] = { without: without.profit, withBulwark: loss, mode: 'mempool' }
      expect(loss * 10n, `loss with Bulwark ${usdx(loss)} vs ${usdx(without.profit)}`).toBeLessThanOrEqual(without.profit)
      await handle.close()

      if (attack === flashLoanManipulation) {
        // the lender unwatched: Balancer is no part of the monitored scope nor of the policy
        await restore()
        const unwatched = await withMonitor(attack, 'interval', { pending: true, balancer: false })
        console.log(`${attack.id} (lender unwatched): ${unwatched.handle.alerts.map((a) => `${a.pending ? 'pending' : `#${a.block?.number}`} ${a.detector} ${a.severity} score ${a.riskScore} → ${a.response.kind}`).join('\n  ')}`)
        await expectPausedBeforeLoss(unwatched.handle, unwatched.outcome)
        const unwatchedLoss = unwatched.outcome.profit > 0n ? unwatched.outcome.profit : 0n
        results[`${attack.id} (lender unwatched)`] = { without: without.profit, withBulwark: unwatchedLoss, mode: 'mempool' }
        expect(unwatchedLoss * 10n).toBeLessThanOrEqual(without.profit)
        await unwatched.handle.close()
      }

      if (attack.multiTransaction) {
        // blocks only (no mempool source): the pause must still be mined before the first transaction that takes value
        await restore()
        const blocksOnly = await withMonitor(attack, 'interval', { pending: false })
        console.log(`${attack.id} (blocks only): ${blocksOnly.handle.alerts.map((a) => `#${a.block?.number} ${a.detector} ${a.severity} score ${a.riskScore} → ${a.response.kind}`).join('\n  ')}`)
        await expectPausedBeforeLoss(blocksOnly.handle, blocksOnly.outcome)
        const blocksLoss = blocksOnly.outcome.profit > 0n ? blocksOnly.outcome.profit : 0n
        results[`${attack.id} (blocks only)`] = { without: without.profit, withBulwark: blocksLoss, mode: 'blocks' }
        expect(blocksLoss * 10n).toBeLessThanOrEqual(without.profit)
        await blocksOnly.handle.close()
      }
    }, 300_000)
  }
})
