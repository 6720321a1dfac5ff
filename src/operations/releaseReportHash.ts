import type { Hex } from 'viem'
import type { ReportHashSource } from '../authorize/safeTransactionRecords.js'
import type { LifecycleContext } from '../lifecycle/context.js'
import { patchReportHash } from '../lifecycle/patchReportHash.js'
import { loadValidationReport } from '../lifecycle/recordValidationRun.js'
import { isMultiChainReport } from '../validate/combineChainReports.js'

/**
 * The report hash a release's Safe transactions are bound to, by release id: a patch's own
 * validated report hash, or, for one chain of a multi-chain patch (`PATCH-3@10`), that chain's report
 * inside the patch's validated combined report. Null once the patch is validated again without it,
 * so a confirmation under a superseded report is refused, on every chain as on one.
 */
export function releaseReportHash(context: Pick<LifecycleContext, 'store'>): ReportHashSource {
  const ofPatch = patchReportHash(context.store)
  return async (releaseId) => {
    const match = /^(.+)@(\d+)$/.exec(releaseId)
    if (!match) return ofPatch(releaseId)
    const [, patchId, chainId] = match as unknown as [string, string, string]
    const current = await ofPatch(patchId)
    const stored = current === null ? null : await loadValidationReport(context, { patchId })
    if (!stored || !isMultiChainReport(stored) || stored.hash.toLowerCase() !== current!.toLowerCase()) return null
    return (stored.chains.find((entry) => entry.chainId === Number(chainId))?.reportHash ?? null) as Hex | null
  }
}
