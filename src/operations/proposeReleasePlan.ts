import { getAddress, type Hex, type LocalAccount } from 'viem'
import { proposeSafeTransaction } from '../authorize/proposeSafeTransaction.js'
import type { ReportHashSource } from '../authorize/safeTransactionRecords.js'
import type { ReadClient } from '../chain/clients.js'
import { signReleaseAttestation } from '../chain/signReleaseAttestation.js'
import type { Artifact } from '../compile/artifacts.js'
import { bulwarkRoot } from '../compile/bulwarkRoot.js'
import { compileProject } from '../compile/compileProject.js'
import type { ProjectRelease } from '../config/projectSchema.js'
import type { LifecycleContext } from '../lifecycle/context.js'
import type { Actor, Patch } from '../lifecycle/types.js'
import { buildReleasePlan, type ReleaseRouteConfig } from '../release/buildReleasePlan.js'
import { ReleasePlanInvalidError } from '../release/errors.js'
import type { PlannedCall, SignedReleasePlan } from '../release/plan.js'
import type { PublicReleaseReport } from '../release/readReleaseReport.js'
import { saveReleasePlan, type ReleaseRecord } from '../release/releaseRecords.js'

export type ReleaseProposal = { purpose: string; safe: Hex; nonce: string; safeTxHash: Hex; domainHash: Hex; messageHash: Hex }

export type ProposeReleasePlanParameters = {
  context: LifecycleContext
  actor: Actor
  client: ReadClient
  /** What the plan is stored and proposed under: the patch id, or `PATCH-3@10` for one chain of a multi-chain patch. */
  releaseId: string
  report: PublicReleaseReport
  route: ReleaseRouteConfig
  /** The chain's `release` section: its ReleaseGate and Create2Deployer. */
  release: ProjectRelease
  artifacts: readonly Artifact[]
  /** Auditor keys that sign the gate's ReleaseAttestation. */
  auditors: readonly LocalAccount[]
  followUpCalls?: readonly PlannedCall[] | undefined
  /** Where the current report hash of `releaseId` is read (`releaseReportHash`): a proposal under an older report is refused. */
  currentReportHash: ReportHashSource
  replace: boolean
  say: (message: string) => void
}

/**
 * One chain's release of a validated report, made ready to sign: the atomic batch
 * (`buildReleasePlan`: proxy upgrades, or a diamond cut when the report approves one), each Safe
 * transaction proposed for the route's owners, bound to the report hash (what `bulwark sign` shows
 * and confirms), then the plan stored. Proposals go first (idempotent), so a failure stores no plan.
 */
export async function proposeReleasePlan(parameters: ProposeReleasePlanParameters): Promise<{ plan: SignedReleasePlan; record: ReleaseRecord; proposals: ReleaseProposal[] }> {
  const { context, actor, client, releaseId, report, route, release, auditors, say } = parameters
  const plan = await buildReleasePlan(client, {
    patchId: releaseId,
    report,
    artifacts: parameters.artifacts,
    route,
    gate: getAddress(release.releaseGate),
    create2Deployer: release.create2Deployer === undefined ? undefined : getAddress(release.create2Deployer),
    attest: async (request) => Promise.all(auditors.map(async (auditor) => ({ auditor: auditor.address, signature: await signReleaseAttestation(auditor, request) }))),
    followUpCalls: parameters.followUpCalls,
  })
  if (auditors.length === 0) say('warning: no auditor key given; the gate refuses a release with fewer attestations than its threshold')
  if (plan.diamondCut) say(`the report approves a diamond cut: releaseDiamondCut on ${plan.diamondCut.diamond} (cut hash ${plan.diamondCut.cutHash})`)

  const proposals: ReleaseProposal[] = []
  for (const transaction of plan.safeTransactions) {
    say(`proposing the ${transaction.purpose} Safe transaction ${transaction.safeTxHash} (chain ${transaction.chainId}, nonce ${transaction.nonce})`)
    const proposed = await proposeSafeTransaction(client, context.store, {
      chainId: transaction.chainId,
      safe: transaction.safe,
      to: transaction.to,
      value: BigInt(transaction.value),
      data: transaction.data,
      operation: transaction.operation,
      nonce: BigInt(transaction.nonce),
      safeTxHash: transaction.safeTxHash,
      patchId: releaseId,
      reportHash: report.hash,
      validation: { verdict: report.document.verdict, rehearsal: `release plan ${plan.hash} (${route.name} route)` },
      currentReportHash: parameters.currentReportHash,
      proposer: actor.id,
      multiSend: route.multiSendCallOnly ? [route.multiSendCallOnly] : [],
    })
    proposals.push({ purpose: transaction.purpose, safe: transaction.safe, nonce: transaction.nonce, safeTxHash: proposed.hashes.safeTxHash, domainHash: proposed.hashes.domainHash, messageHash: proposed.hashes.messageHash })
  }
  const record = await saveReleasePlan(context.store, { plan, report: report.file, replace: parameters.replace })
  return { plan, record, proposals }
}

/** Only a validated patch gets a release plan; `replace` plans again one none of whose steps ran (`awaiting_approval`). */
export function assertReleasePlannable(patch: Pick<Patch, 'id' | 'status'>, replace: boolean): void {
  if (patch.status === 'validated' || (replace && patch.status === 'awaiting_approval')) return
  throw new ReleasePlanInvalidError({ reason: `patch ${patch.id} is ${patch.status}; only a validated patch gets a release plan${patch.status === 'awaiting_approval' ? ' (pass --replace to plan it again)' : ''}.` })
}

/** The builds a release plan deploys from: those given (else Bulwark's own contracts, which hold Create2Deployer and the demo), plus each project root compiled. */
export async function releaseArtifacts({ artifacts, roots, say }: { artifacts?: readonly Artifact[] | undefined; roots?: readonly string[] | undefined; say: (message: string) => void }): Promise<Artifact[]> {
  const all: Artifact[] = artifacts ? [...artifacts] : []
  if (!artifacts) {
    say('compiling the implementations and Create2Deployer')
    all.push(...(await compileProject({ root: bulwarkRoot() })).artifacts)
  }
  for (const root of roots ?? []) all.push(...(await compileProject({ root })).artifacts)
  return all
}
