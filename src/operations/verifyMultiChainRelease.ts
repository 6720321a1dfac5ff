import type { Hex } from 'viem'
import type { LifecycleContext } from '../lifecycle/context.js'
import { getPatch } from '../lifecycle/getPatch.js'
import { recordVerification, type StoredVerification } from '../lifecycle/recordVerification.js'
import type { Actor, Patch } from '../lifecycle/types.js'
import { parseReleaseReport } from '../release/readReleaseReport.js'
import { loadRelease, markReleaseVerified } from '../release/releaseRecords.js'
import { verifyRelease, type VerifyReleaseReturnType } from '../release/verifyRelease.js'
import { chainReleaseId, connectReleaseChain, matchPatchChains, type ReleaseChain } from './releaseChains.js'

export type VerifyMultiChainReleaseReturnType = {
  /** Each chain's own result, against that chain's report and gate. */
  chains: { chainId: number; result: VerifyReleaseReturnType }[]
  /** All chains' checks under the combined report hash (each check named by its chain): what the lifecycle stores. */
  result: VerifyReleaseReturnType
  verification: StoredVerification
  patch: Patch
}

/**
 * Verifies a multi-chain release from each chain (`verifyRelease` against that chain's stored
 * report and gate) and stores one result for the patch's combined report: it passes only if every
 * chain passed, which is what moves the patch and its advisory to `verified`. A chain that fails
 * is stored with the others and moves nothing.
 *
 * @throws {MultiChainChainMissingError} the chains given are not exactly the patch's chains.
 */
export async function verifyMultiChainRelease(
  context: LifecycleContext,
  { patchId, chains: given, chainsFile, actor, onProgress }: { patchId: string; chains: readonly Pick<ReleaseChain, 'chainId' | 'rpcUrl'>[]; chainsFile: string; actor: Actor; onProgress?: ((message: string) => void) | undefined },
): Promise<VerifyMultiChainReleaseReturnType> {
  const patch = await getPatch(context, patchId, actor)
  const chains = matchPatchChains(patch, given, chainsFile)
  const results: VerifyMultiChainReleaseReturnType['chains'] = []
  for (const chain of chains) {
    const record = await loadRelease(context.store, chainReleaseId(patchId, chain.chainId))
    const { client } = await connectReleaseChain(chain)
    const report = parseReleaseReport(JSON.stringify(record.report), `the chain ${chain.chainId} report of ${patchId}`)
    onProgress?.(`verifying chain ${chain.chainId} (report ${report.hash}, gate ${record.plan.gate})`)
    results.push({ chainId: chain.chainId, result: await verifyRelease(client, { report, gate: record.plan.gate }) })
  }
  const result: VerifyReleaseReturnType = {
    ok: results.every((entry) => entry.result.ok),
    reportHash: (patch.reportHash ?? '0x') as Hex,
    gate: null,
    gatePatchId: null,
    targets: results.flatMap((entry) => entry.result.targets.map((target) => ({ ...target, name: `${target.name}@${entry.chainId}` }))),
    checks: results.flatMap((entry) => entry.result.checks.map((check) => ({ ...check, check: `chain ${entry.chainId}: ${check.check}` }))),
  }
  const { patch: current, verification } = await recordVerification(context, { patchId, result }, actor)
  if (verification.ok) for (const chain of chains) await markReleaseVerified(context.store, { patchId: chainReleaseId(patchId, chain.chainId), at: verification.verifiedAt })
  return { chains: results, result, verification, patch: current }
}
