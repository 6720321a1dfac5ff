import type { Hex, LocalAccount } from 'viem'
import { connectChain } from '../chain/connectChain.js'
import type { Artifact } from '../compile/artifacts.js'
import type { ProjectRelease } from '../config/projectSchema.js'
import type { LifecycleContext } from '../lifecycle/context.js'
import { getPatch } from '../lifecycle/getPatch.js'
import { loadValidationReport } from '../lifecycle/recordValidationRun.js'
import { transitionPatch } from '../lifecycle/transitionPatch.js'
import type { Actor, Patch } from '../lifecycle/types.js'
import type { ReleaseRouteConfig } from '../release/buildReleasePlan.js'
import { ReleasePlanInvalidError } from '../release/errors.js'
import type { PlannedCall, ReleaseRouteName, SignedReleasePlan } from '../release/plan.js'
import { parseReleaseReport } from '../release/readReleaseReport.js'
import type { ReleaseRecord } from '../release/releaseRecords.js'
import { isMultiChainReport } from '../validate/combineChainReports.js'
import { assertReleasePlannable, proposeReleasePlan, releaseArtifacts, type ReleaseProposal } from './proposeReleasePlan.js'
import { releaseReportHash } from './releaseReportHash.js'
import { releaseRouteOf } from './releaseRoute.js'

export type PlanReleaseParameters = {
  context: LifecycleContext
  actor: Actor
  patchId: string
  rpcUrl: string
  /** The project file's `release` section (gate, Create2Deployer, routes) and the file, for messages. */
  release: ProjectRelease
  projectFile: string
  /** Default: the patch's own route. */
  route?: ReleaseRouteName | undefined
  /** A report file the operator holds: it must be the patch's stored validated report. */
  reportHash?: Hex | undefined
  /** Project roots compiled for the implementations, besides Bulwark's own contracts. */
  roots?: readonly string[] | undefined
  /** Builds already at hand (skips compiling Bulwark's contracts). */
  artifacts?: readonly Artifact[] | undefined
  /** Auditor keys that sign the gate's ReleaseAttestation. */
  auditors?: readonly LocalAccount[] | undefined
  /** Calls appended to the atomic batch (an unpause). */
  followUpCalls?: readonly PlannedCall[] | undefined
  replace?: boolean | undefined
  onProgress?: ((message: string) => void) | undefined
}

export type PlanReleaseReturnType = {
  plan: SignedReleasePlan
  record: ReleaseRecord
  route: ReleaseRouteConfig
  proposals: ReleaseProposal[]
  patch: Patch
}

/**
 * Plans the release of a validated patch on a route of the project file: the atomic batch built
 * from the patch's stored validation report (`buildReleasePlan`: the proxies' upgrades, or the
 * diamond cut the report approves, through the ReleaseGate either way), each Safe transaction proposed
 * for the route's owners (bound to the report hash), the plan stored, and the patch moved to
 * `awaiting_approval`. Proposals go first (idempotent), so a failure leaves no stored plan.
 */
export async function planRelease(parameters: PlanReleaseParameters): Promise<PlanReleaseReturnType> {
  const { context, actor, patchId, release } = parameters
  const say = parameters.onProgress ?? (() => undefined)
  const patch = await getPatch(context, patchId, actor)
  const replace = parameters.replace ?? false
  assertReleasePlannable(patch, replace)
  const stored = await loadValidationReport(context, { patchId })
  if (!stored || patch.reportHash === null) throw new ReleasePlanInvalidError({ reason: `patch ${patchId} has no stored validation run (it was validated by an override); run bulwark validate --patch ${patchId}.` })
  if (isMultiChainReport(stored)) throw new ReleasePlanInvalidError({ reason: `patch ${patchId} was validated on several chains: plan it with bulwark multichain plan ${patchId} --chains FILE.` })
  if (parameters.reportHash !== undefined && parameters.reportHash.toLowerCase() !== patch.reportHash.toLowerCase()) {
    throw new ReleasePlanInvalidError({ reason: `the report ${parameters.reportHash} is not patch ${patchId}'s validated report (${patch.reportHash}); run bulwark validate --patch ${patchId}.` })
  }
  const report = parseReleaseReport(JSON.stringify(stored), `the stored report of ${patchId}`)
  const { client, chainId } = await connectChain({ rpcUrl: parameters.rpcUrl })
  const route = releaseRouteOf(release, parameters.route ?? patch.route, parameters.projectFile)
  const artifacts = await releaseArtifacts({ artifacts: parameters.artifacts, roots: parameters.roots, say })

  say(`building the ${route.name} plan on chain ${chainId}`)
  const { plan, record, proposals } = await proposeReleasePlan({
    context,
    actor,
    client,
    releaseId: patchId,
    report,
    route,
    release,
    artifacts,
    auditors: parameters.auditors ?? [],
    followUpCalls: parameters.followUpCalls,
    currentReportHash: releaseReportHash(context),
    replace,
    say,
  })
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
            note: `release plan ${plan.hash} (${route.name}): ${plan.safeTransactions.length} Safe transaction(s) to sign`,
            data: { planHash: plan.hash, reportHash: plan.reportHash, route: route.name, safe: route.safe, safeTxHashes: plan.safeTransactions.map((t) => t.safeTxHash) },
          },
        },
        actor,
      )
    ).patch
  }
  return { plan, record, route, proposals, patch: current }
}
