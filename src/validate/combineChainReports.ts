import type { Hex } from 'viem'
import { canonicalHash } from '../release/canonicalHash.js'

/** One chain's validation report as stored and published: `{ hash, ...document }`. */
export type ChainReportFile = Record<string, unknown> & {
  hash: Hex
  verdict: 'pass' | 'fail'
  chain: { chainId: number; blockNumber?: string | undefined }
  targets: readonly (Record<string, unknown> & { proxy: string })[]
  blockingFindings?: number | undefined
  erroredStages?: readonly string[] | undefined
}

/**
 * The report of a patch validated on several chains: each chain's own report, whole (so its hash
 * can be recomputed and its chain's release plan built from it), and the union of their targets,
 * each tagged with its chain id and carrying that chain's runtime codehash. Its hash is what one
 * PatchApproval signs: approving it approves every chain's implementation hashes at once.
 * `chain` is the first chain's (the lifecycle keeps one chain id per report: the approval's
 * EIP-712 domain); `chains` lists them all.
 */
export type MultiChainReportDocument = {
  reportVersion: 1
  kind: 'multi-chain'
  verdict: 'pass' | 'fail'
  chain: { chainId: number; blockNumber: string }
  chainIds: number[]
  chains: { chainId: number; reportHash: Hex; report: ChainReportFile }[]
  targets: (Record<string, unknown> & { proxy: string; chainId: number })[]
  blockingFindings: number
  erroredStages: string[]
}

export type MultiChainReportFile = MultiChainReportDocument & { hash: Hex }

/** Combines per-chain reports (one per chain, in release order) into the report the patch is validated and approved by. */
export function combineChainReports(reports: readonly ChainReportFile[]): MultiChainReportFile {
  const first = reports[0]
  if (!first) throw new RangeError('combineChainReports needs at least one chain report')
  const chainIds = reports.map((report) => report.chain.chainId)
  if (new Set(chainIds).size !== chainIds.length) throw new RangeError(`chain reports repeat a chain id (${chainIds.join(', ')})`)
  const document: MultiChainReportDocument = {
    reportVersion: 1,
    kind: 'multi-chain',
    verdict: reports.every((report) => report.verdict === 'pass') ? 'pass' : 'fail',
    chain: { chainId: first.chain.chainId, blockNumber: first.chain.blockNumber ?? '0' },
    chainIds,
    chains: reports.map((report) => ({ chainId: report.chain.chainId, reportHash: report.hash, report })),
    targets: reports.flatMap((report) => report.targets.map((target) => ({ ...target, chainId: report.chain.chainId }))),
    blockingFindings: reports.reduce((sum, report) => sum + (report.blockingFindings ?? 0), 0),
    erroredStages: reports.flatMap((report) => (report.erroredStages ?? []).map((stage) => `${report.chain.chainId}:${stage}`)),
  }
  return { hash: canonicalHash(document as never), ...document }
}

/** True when a stored report is a multi-chain one (its per-chain reports are under `chains`). */
export function isMultiChainReport(report: Record<string, unknown>): report is MultiChainReportFile {
  return report.kind === 'multi-chain' && Array.isArray(report.chains)
}
