import type { Hash } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createReadClient } from '../../src/chain/clients.js'
import { readCheckpoint } from '../../src/monitor/sources/checkpoint.js'
import { createBenignTraffic } from './benignTraffic.js'
import { deployRealMarket, startMarketMonitor, type RealMarket } from './realMarket.js'

/**
 * Benign traffic on real protocols (Aave V3 1.19.3, Uniswap V2, Balancer V2 from npm) with the monitor
 * running live, every detector on, traces on, mempool source on, policy armed with the protocols' own
 * pauses (dry run: decided and recorded, not sent, so a wrong decision is counted rather than hidden by a
 * paused market). BULWARK_BENIGN_TXS sets the size (default 20,000).
 */
const total = Number(process.env['BULWARK_BENIGN_TXS'] ?? 20_000)
let market: RealMarket

beforeAll(async () => {
  market = await deployRealMarket()
}, 600_000)
afterAll(async () => {
  await market?.anvil.stop()
})

describe('benign traffic on Aave V3 + Uniswap V2 + Balancer V2', () => {
  test(`${total} mixed transactions raise at most 0.5 alerts per 1,000 and no pause decision`, async () => {
    const reader = createReadClient({ rpcUrl: market.anvil.rpcUrl, timeoutMs: 120_000 })
    await reader.request({ method: 'evm_setAutomine', params: [false] } as never)
    const traffic = await createBenignTraffic(market, { seed: 14, perBlock: 200 })
    // history the detectors learn from (the market's usual activity), replayed as the monitor's warm-up
    const warmupFromBlock = BigInt(market.aave.blockNumber) + 1n
    await traffic.send(2_000)
    const logs: string[] = []
    const handle = await startMarketMonitor(market, { warmupFromBlock, dryRun: true, log: (line) => logs.push(line) })
    const started = performance.now()
    const hashes: Hash[] = []
    try {
      hashes.push(...(await traffic.send(Math.floor(total / 2))))
      hashes.push(...(await traffic.adminWork()))
      hashes.push(...(await traffic.send(total - hashes.length)))
      hashes.push(...(await traffic.adminWork()))
      const head = await reader.getBlockNumber({ cacheTime: 0 })
      for (;;) {
        const checkpoint = await readCheckpoint(handle.store, market.anvil.chainId)
        if (checkpoint && checkpoint.blockNumber >= head) break
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    } finally {
      await handle.stop()
      await reader.request({ method: 'evm_setAutomine', params: [true] } as never)
    }
    const seconds = (performance.now() - started) / 1000
    const receipts = await Promise.all(hashes.map((hash) => reader.request({ method: 'eth_getTransactionReceipt', params: [hash] })))
    const reverted = receipts.filter((r) => r?.status !== '0x1').length
    const alerts = handle.alerts
    const pauses = alerts.filter((a) => a.response.kind === 'pause' || /would (pause|contract-call)/.test(a.response.detail ?? ''))
    const perThousand = (alerts.length * 1000) / hashes.length
    console.log(
      `benign: ${hashes.length} transactions (${reverted} reverted) in ${seconds.toFixed(1)} s with the monitor live; ${alerts.length} alerts (${perThousand.toFixed(2)} per 1,000), ${pauses.length} pause decisions; mix ${JSON.stringify(traffic.counts)}\n` +
        alerts.map((a) => `  ${a.pending ? 'pending' : `#${a.block?.number}`} ${a.detector} ${a.severity} score ${a.riskScore} → ${a.response.kind} ${a.response.detail ?? ''}: ${a.summary}`).join('\n'),
    )
    if (logs.length > 0) console.log(logs.slice(0, 40).join('\n'))
    await handle.close()
    expect(hashes.length).toBeGreaterThanOrEqual(total)
    // realistic traffic, not a wall of reverts the detectors would ignore
    expect(reverted / hashes.length).toBeLessThan(0.02)
    expect(traffic.counts.liquidation).toBeGreaterThan(0)
    expect(pauses.map((a) => `${a.detector}: ${a.summary}`)).toEqual([])
    expect(perThousand).toBeLessThanOrEqual(0.5)
  }, 1_500_000)
})
