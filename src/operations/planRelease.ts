import { getAddress, type Hex, type LocalAccount } from 'viem'
import { proposeSafeTransaction } from '../authorize/proposeSafeTransaction.js'
import { connectChain } from '../chain/connectChain.js'
import { signReleaseAttestation } from '../chain/signReleaseAttestation.js'
import type { Artifact } from '../compile/artifacts.js'
import { bulwarkRoot } from '../compile/bulwarkRoot.js'
import { compileProject } from '../compile/compileProject.js'
import type { ProjectRelease } from '../config/projectSchema.js'
import type { LifecycleContext } from '../lifecycle/context.js'
import { getPatch } from '../lifecycle/getPatch.js'
import { patchReportHash } from '../lifecycle/patchReportHash.js'
import { loadValidationReport } from '../lifecycle/recordValidationRun.js'
import { transitionPatch } from '../lifecycle/transitionPatch.js'
import type { Actor, Patch } from '../lifecycle/types.js'
import { buildReleasePlan, type ReleaseRouteConfig } from '../release/buildReleasePlan.js'
import { ReleasePlanInvalidError } from '../release/errors.js'
import type { PlannedCall, ReleaseRouteName, SignedReleasePlan } from '../release/plan.js'
import { parseReleaseReport } from '../release/readReleaseReport.js'
import { saveReleasePlan, type ReleaseRecord } from '../release/releaseRecords.js'
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
  proposals: { purpose: string; safe: Hex; nonce: string; safeTxHash: Hex; domainHash: Hex; messageHash: Hex }[]
  patch: Patch
}

/**
 * Plans the release of a validated patch on a route of the project file: the atomic batch built
 * from the patch's stored validation report (`buildReleasePlan`), each Safe transaction proposed
 * for the route's owners (bound to the report hash), the plan stored, and the patch moved to
 * `awaiting_approval`. Proposals go first (idempotent), so a failure leaves no stored plan.
 */
export async function planRelease(parameters: PlanReleaseParameters): Promise<PlanReleaseReturnType> {
  const { context, actor, patchId, release } = parameters
  const say = parameters.onProgress ?? (() => undefined)
  const patch = await getPatch(context, patchId, actor)
  const replace = parameters.replace ?? false
  if (patch.status !== 'validated' && !(replace && patch.status === 'awaiting_approval')) {
    throw new ReleasePlanInvalidError({ reason: `patch ${patchId} is ${patch.status}; only a validated patch gets a release plan${patch.status === 'awaiting_approval' ? ' (pass --replace to plan it again)' : ''}.` })
  }
  const stored = await loadValidationReport(context, { patchId })
  if (!stored || patch.reportHash === null) throw new ReleasePlanInvalidError({ reason: `patch ${patchId} has no stored validation run (it was validated by an override); run bulwark validate --patch ${patchId}.` })
  if (parameters.reportHash !== undefined && parameters.reportHash.toLowerCase() !== patch.reportHash.toLowerCase()) {
    throw new ReleasePlanInvalidError({ reason: `the report ${parameters.reportHash} is not patch ${patchId}'s validated report (${patch.reportHash}); run bulwark validate --patch ${patchId}.` })
  }
  const report = parseReleaseReport(JSON.stringify(stored), `the stored report of ${patchId}`)
  const { client, chainId } = await connectChain({ rpcUrl: parameters.rpcUrl })
  const route = releaseRouteOf(release, parameters.route ?? patch.route, parameters.projectFile)

  let artifacts = parameters.artifacts ? [...parameters.artifacts] : undefined
  if (!artifacts) {
    say('compiling the implementations and Create2Deployer')
    artifacts = [...(await compileProject({ root: bulwarkRoot() })).artifacts]
  }
  for (const root of parameters.roots ?? []) artifacts.push(...(await compileProject({ root })).artifacts)

  say(`building the ${route.name} plan on chain ${chainId}`)
  const auditors = parameters.auditors ?? []
  const plan = await buildReleasePlan(client, {
    patchId,
    report,
    artifacts,
    route,
    gate: getAddress(release.releaseGate),
    create2Deployer: release.create2Deployer === undefined ? undefined : getAddress(release.create2Deployer),
    attest: async (request) => Promise.all(auditors.map(async (auditor) => ({ auditor: auditor.address, signature: await signReleaseAttestation(auditor, request) }))),
    followUpCalls: parameters.followUpCalls,
  })
  if (auditors.length === 0) say('warning: no auditor key given; the gate refuses a release with fewer attestations than its threshold')

  const currentReportHash = patchReportHash(context.store)
  const proposals: PlanReleaseReturnType['proposals'] = []
  for (const transaction of plan.safeTransactions) {
    say(`proposing the ${transaction.purpose} Safe transaction ${transaction.safeTxHash} (nonce ${transaction.nonce})`)
    const proposed = await proposeSafeTransaction(client, context.store, {
      chainId: transaction.chainId,
      safe: transaction.safe,
      to: transaction.to,
      value: BigInt(transaction.value),
      data: transaction.data,
      operation: transaction.operation,
      nonce: BigInt(transaction.nonce),
      safeTxHash: transaction.safeTxHash,
      patchId,
      reportHash: report.hash,
      validation: { verdict: report.document.verdict, rehearsal: `release plan ${plan.hash} (${route.name} route)` },
      currentReportHash,
      proposer: actor.id,
      multiSend: route.multiSendCallOnly ? [route.multiSendCallOnly] : [],
    })
    proposals.push({ purpose: transaction.purpose, safe: transaction.safe, nonce: transaction.nonce, safeTxHash: proposed.hashes.safeTxHash, domainHash: proposed.hashes.domainHash, messageHash: proposed.hashes.messageHash })
  }
  const record = await saveReleasePlan(context.store, { plan, report: report.file, replace })
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
