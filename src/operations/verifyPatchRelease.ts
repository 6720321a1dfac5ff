import { connectChain } from '../chain/connectChain.js'
import type { LifecycleContext } from '../lifecycle/context.js'
import { recordVerification, type StoredVerification } from '../lifecycle/recordVerification.js'
import type { Actor, Patch } from '../lifecycle/types.js'
import { parseReleaseReport } from '../release/readReleaseReport.js'
import { loadRelease, type ReleaseRecord } from '../release/releaseRecords.js'
import { verifyRelease, type VerifyReleaseReturnType } from '../release/verifyRelease.js'

export type VerifyPatchReleaseReturnType = { result: VerifyReleaseReturnType; verification: StoredVerification; patch: Patch; release: ReleaseRecord }

/**
 * Verifies a released patch from the chain (`verifyRelease` against its stored plan's report and
 * gate) and stores the result; a passing result for the patch's validated report is what moves the
 * patch, and its advisory, to `verified` (`recordVerification`). A failing one is stored and moves nothing.
 */
export async function verifyPatchRelease(
  context: LifecycleContext,
  { patchId, rpcUrl, actor, onProgress }: { patchId: string; rpcUrl: string; actor: Actor; onProgress?: ((message: string) => void) | undefined },
): Promise<VerifyPatchReleaseReturnType> {
  const record = await loadRelease(context.store, patchId)
  const { client } = await connectChain({ rpcUrl })
  // The stored report went through the same hash check when the plan was made; check it again.
  const report = parseReleaseReport(JSON.stringify(record.report), `the stored report of ${patchId}`)
  onProgress?.(`verifying ${patchId} (report ${report.hash}, gate ${record.plan.gate})`)
  const result = await verifyRelease(client, { report, gate: record.plan.gate })
  const { patch, verification } = await recordVerification(context, { patchId, result }, actor)
  return { result, verification, patch, release: await loadRelease(context.store, patchId) }
}
