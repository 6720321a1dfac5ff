import { describe, expect, test } from 'vitest'
import { canonicalHash } from '../release/canonicalHash.js'
import { combineChainReports, type ChainReportFile } from './combineChainReports.js'

const proxy = '0x5FbDB2315678afecb367f032d93F642f64180aa3'

function chainReport(chainId: number, verdict: 'pass' | 'fail' = 'pass', codehash = '0x01'): ChainReportFile {
  const document = { reportVersion: 1, verdict, chain: { chainId, blockNumber: '7' }, targets: [{ name: 'Pool', proxy, implementation: { runtimeCodeHash: codehash } }], blockingFindings: verdict === 'pass' ? 0 : 1, erroredStages: [] as string[] }
  return { hash: canonicalHash(document), ...document }
}

describe('combineChainReports', () => {
  test('one report over every chain: each chain report whole, targets tagged by chain, hash over it all', () => {
    const combined = combineChainReports([chainReport(1), chainReport(10)])
    expect(combined).toMatchObject({ kind: 'multi-chain', verdict: 'pass', chain: { chainId: 1, blockNumber: '7' }, chainIds: [1, 10], blockingFindings: 0 })
    expect(combined.targets.map((target) => [target.chainId, target.proxy])).toEqual([
      [1, proxy],
      [10, proxy],
    ])
    expect(combined.chains.map((entry) => entry.reportHash)).toEqual([chainReport(1).hash, chainReport(10).hash])
    expect(combined.hash).toBe(canonicalHash(combined))
    // Another implementation on one chain is another combined hash: the approval binds every chain's code.
    expect(combineChainReports([chainReport(1), chainReport(10, 'pass', '0x02')]).hash).not.toBe(combined.hash)
  })

  test('one failing chain fails the patch; a chain twice is refused', () => {
    expect(combineChainReports([chainReport(1), chainReport(10, 'fail')])).toMatchObject({ verdict: 'fail', blockingFindings: 1 })
    expect(() => combineChainReports([chainReport(1), chainReport(1)])).toThrow('repeat a chain id')
  })
})
