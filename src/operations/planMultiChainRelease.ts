import { encodeFunctionData, getAddress, parseAbiItem, type Hex, type LocalAccount } from 'viem'
import { signReleaseAttestation } from '../chain/signReleaseAttestation.js'
import type { Artifact } from '../compile/artifacts.js'
import { bulwarkRoot } from '../compile/bulwarkRoot.js'
import { compileProject } from '../compile/compileProject.js'
import type { LifecycleContext } from '../lifecycle/context.js'
import { getPatch } from '../lifecycle/getPatch.js'
import { loadValidationReport } from '../lifecycle/recordValidationRun.js'
import { transitionPatch } from '../lifecycle/transitionPatch.js'
import type { Actor, Patch } from '../lifecycle/types.js'
import { buildReleasePlan } from '../release/buildReleasePlan.js'
import { ReleasePlanInvalidError } from '../release/errors.js'
import { MultiChainChainMissingError } from '../release/multiChainErrors.js'
import type { PlannedCall, SignedReleasePlan } from '../release/plan.js'
import { parseReleaseReport } from '../release/readReleaseReport.js'
import { saveReleasePlan } from '../release/releaseRecords.js'
import { isMultiChainReport } from '../validate/combineChainReports.js'
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

export type PlannedChainRelease = { chainId: number; releaseId: string; plan: SignedReleasePlan; reportHash: Hex }
export type PlanMultiChainReleaseReturnType = { patch: Patch; chains: PlannedChainRelease[] }

/**
 * Plans a validated multi-chain patch: for every chain it targets, the atomic batch of that
 * chain's route built from that chain's own report inside the patch's combined report, ending with
 * the chain's `unpause` when a pause is configured (the chain reopens in the transaction that
 * fixes it). Each plan is stored under `PATCH-n@chainId`; the patch moves to `awaiting_approval`,
 * where one PatchApproval over the combined report hash approves every chain's code.
 *
 * @throws {MultiChainChainMissingError} the chains given are not the patch's, or the validated report lacks one.
 */
export async function planMultiChainRelease(parameters: PlanMultiChainReleaseParameters): Promise<PlanMultiChainReleaseReturnType> {
  const { context, actor, patchId } = parameters
  const say = parameters.onProgress ?? (() => undefined)
  const patch = await getPatch(context, patchId, actor)
  const replace = parameters.replace ?? false
  if (patch.status !== 'validated' && !(replace && patch.status === 'awaiting_approval')) {
    throw new ReleasePlanInvalidError({ reason: `patch ${patchId} is ${patch.status}; only a validated patch gets a release plan.` })
  }
  const chains = matchPatchChains(patch, parameters.chains, parameters.chainsFile)
  const stored = await loadValidationReport(context, { patchId })
  if (!stored || !isMultiChainReport(stored)) throw new ReleasePlanInvalidError({ reason: `patch ${patchId} was not validated on several chains (run bulwark multichain validate ${patchId}).` })
  const reportChains = stored.chains.map((entry) => entry.chainId)
  const unreported = chains.map((chain) => chain.chainId).filter((id) => !reportChains.includes(id))
  if (unreported.length > 0) throw new MultiChainChainMissingError({ patchId, missing: unreported, extra: [], where: `its validated report ${stored.hash}` })

  let artifacts = parameters.artifacts ? [...parameters.artifacts] : undefined
  if (!artifacts) {
    say('compiling the implementations and Create2Deployer')
    artifacts = [...(await compileProject({ root: bulwarkRoot() })).artifacts]
  }
  for (const root of parameters.roots ?? []) artifacts.push(...(await compileProject({ root })).artifacts)
  const auditors = parameters.auditors ?? []

  const planned: PlannedChainRelease[] = []
  for (const chain of chains) {
    if (!chain.release) throw new ReleasePlanInvalidError({ reason: `${parameters.chainsFile} gives no release section (gate, routes) for chain ${chain.chainId}.` })
    const { client } = await connectReleaseChain(chain)
    const entry = stored.chains.find((candidate) => candidate.chainId === chain.chainId)!
    const report = parseReleaseReport(JSON.stringify(entry.report), `the chain ${chain.chainId} report of ${patchId}`)
    const route = releaseRouteOf(chain.release, chain.route ?? patch.route, parameters.chainsFile)
    const releaseId = chainReleaseId(patchId, chain.chainId)
    say(`building the ${route.name} plan on chain ${chain.chainId}`)
    const plan = await buildReleasePlan(client, {
      patchId: releaseId,
      report,
      artifacts,
      route,
      gate: getAddress(chain.release.releaseGate),
      create2Deployer: chain.release.create2Deployer === undefined ? undefined : getAddress(chain.release.create2Deployer),
      attest: async (request) => Promise.all(auditors.map(async (auditor) => ({ auditor: auditor.address, signature: await signReleaseAttestation(auditor, request) }))),
      followUpCalls: chain.pause ? [unpauseCall(chain.pause)] : [],
    })
    await saveReleasePlan(context.store, { plan, report: report.file, replace })
    planned.push({ chainId: chain.chainId, releaseId, plan, reportHash: report.hash })
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
