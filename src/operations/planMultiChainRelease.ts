import { encodeFunctionData, getAddress, parseAbiItem, type Hex, type LocalAccount } from 'viem'
import type { Artifact } from '../compile/artifacts.js'
import type { LifecycleContext } from '../lifecycle/context.js'
import { getPatch } from '../lifecycle/getPatch.js'
import { loadValidationReport } from '../lifecycle/recordValidationRun.js'
import { transitionPatch } from '../lifecycle/transitionPatch.js'
import type { Actor, Patch } from '../lifecycle/types.js'
import { ReleasePlanInvalidError } from '../release/errors.js'
import { MultiChainChainMissingError } from '../release/multiChainErrors.js'
import type { PlannedCall, SignedReleasePlan } from '../release/plan.js'
import { parseReleaseReport } from '../release/readReleaseReport.js'
import { isMultiChainReport } from '../validate/combineChainReports.js'
import { assertReleasePlannable, proposeReleasePlan, releaseArtifacts, type ReleaseProposal } from './proposeReleasePlan.js'
import { releaseReportHash } from './releaseReportHash.js'
import { releaseRouteOf } from './releaseRoute.js'
import { chainReleaseId, connectReleaseChain, matchPatchChains, type ChainPause, type ReleaseChain } from './releaseChains.js'

export type PlanMultiChainReleaseParameters = {
  context: LifecycleContext
  actor: Actor
  patchId: string
  chains: readonly ReleaseChain[]
  /** Named in messages about a chain's `release` section. */
  chainsFile: string
  artifacts?: readonly Artifact[] | undefined
  roots?: readonly string[] | undefined
  /** Auditor keys that sign each chain gate's ReleaseAttestation. */
  auditors?: readonly LocalAccount[] | undefined
  replace?: boolean | undefined
  onProgress?: ((message: string) => void) | undefined
}

export type PlannedChainRelease = { chainId: number; releaseId: string; plan: SignedReleasePlan; reportHash: Hex; proposals: ReleaseProposal[] }
export type PlanMultiChainReleaseReturnType = { patch: Patch; chains: PlannedChainRelease[] }

/**
 * Plans a validated multi-chain patch: for every chain it targets, the atomic batch of that
 * chain's route built from that chain's own report inside the patch's combined report, ending with
 * the chain's `unpause` when a pause is configured (the chain reopens in the transaction that
 * fixes it). Each plan is stored, and its Safe transactions proposed for that chain's owners
 * (`bulwark sign view|confirm`), under `PATCH-n@chainId`; the patch moves to `awaiting_approval`,
 * where one PatchApproval over the combined report hash approves every chain's code.
 *
 * @throws {MultiChainChainMissingError} the chains given are not the patch's, or the validated report lacks one.
 */
export async function planMultiChainRelease(parameters: PlanMultiChainReleaseParameters): Promise<PlanMultiChainReleaseReturnType> {
  const { context, actor, patchId } = parameters
  const say = parameters.onProgress ?? (() => undefined)
  const patch = await getPatch(context, patchId, actor)
  const replace = parameters.replace ?? false
  assertReleasePlannable(patch, replace)
  const chains = matchPatchChains(patch, parameters.chains, parameters.chainsFile)
  const stored = await loadValidationReport(context, { patchId })
  if (!stored || !isMultiChainReport(stored)) throw new ReleasePlanInvalidError({ reason: `patch ${patchId} was not validated on several chains (run bulwark multichain validate ${patchId}).` })
  const reportChains = stored.chains.map((entry) => entry.chainId)
  const unreported = chains.map((chain) => chain.chainId).filter((id) => !reportChains.includes(id))
  if (unreported.length > 0) throw new MultiChainChainMissingError({ patchId, missing: unreported, extra: [], where: `its validated report ${stored.hash}` })
  const artifacts = await releaseArtifacts({ artifacts: parameters.artifacts, roots: parameters.roots, say })

  const planned: PlannedChainRelease[] = []
  for (const chain of chains) {
    if (!chain.release) throw new ReleasePlanInvalidError({ reason: `${parameters.chainsFile} gives no release section (gate, routes) for chain ${chain.chainId}.` })
    const { client } = await connectReleaseChain(chain)
    const entry = stored.chains.find((candidate) => candidate.chainId === chain.chainId)!
    const report = parseReleaseReport(JSON.stringify(entry.report), `the chain ${chain.chainId} report of ${patchId}`)
    const route = releaseRouteOf(chain.release, chain.route ?? patch.route, parameters.chainsFile)
    const releaseId = chainReleaseId(patchId, chain.chainId)
    say(`building the ${route.name} plan on chain ${chain.chainId}`)
    // Proposed under the chain's release id and report, so each chain's owners review and sign with bulwark sign.
    const { plan, proposals } = await proposeReleasePlan({
      context,
      actor,
      client,
      releaseId,
      report,
      route,
      release: chain.release,
      artifacts,
      auditors: parameters.auditors ?? [],
      followUpCalls: chain.pause ? [unpauseCall(chain.pause)] : [],
      currentReportHash: releaseReportHash(context),
      replace,
      say,
    })
    planned.push({ chainId: chain.chainId, releaseId, plan, reportHash: report.hash, proposals })
  }

  let current = patch
  if (patch.status === 'validated') {
    current = (
      await transitionPatch(
        context,
        {
          id: patchId,
          to: 'awaiting_approval',
          expectedStatus: 'validated',
          evidence: {
            note: `multi-chain release plans on chains ${planned.map((entry) => entry.chainId).join(', ')}; one PatchApproval of report ${stored.hash} approves them all`,
            data: { reportHash: stored.hash, chains: planned.map((entry) => ({ chainId: entry.chainId, planHash: entry.plan.hash, reportHash: entry.reportHash, route: entry.plan.route.name, safeTxHashes: entry.plan.safeTransactions.map((t) => t.safeTxHash) })) },
          },
        },
        actor,
      )
    ).patch
  }
  return { patch: current, chains: planned }
}

/** The call that reopens a paused chain, appended to its release batch. */
export function unpauseCall(pause: ChainPause): PlannedCall {
  const signature = pause.unpause ?? 'unpause()'
  const item = parseAbiItem(`function ${signature}`)
  if (item.type !== 'function' || item.inputs.length > 0) throw new ReleasePlanInvalidError({ reason: `the unpause function "${signature}" must take no arguments.` })
  return { target: getAddress(pause.target), value: '0', data: encodeFunctionData({ abi: [item], functionName: item.name }), description: `${signature} on ${getAddress(pause.target)}` }
}
