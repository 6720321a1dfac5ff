import { getAddress } from 'viem'
import type { LifecycleContext } from '../lifecycle/context.js'
import { getPatch } from '../lifecycle/getPatch.js'
import { recordValidationRun, type ValidationOutcome } from '../lifecycle/recordValidationRun.js'
import { transitionPatch } from '../lifecycle/transitionPatch.js'
import type { Actor, Patch } from '../lifecycle/types.js'
import { combineChainReports, type ChainReportFile, type MultiChainReportFile } from '../validate/combineChainReports.js'
import type { PatchManifest } from '../validate/manifest.js'
import type { ValidationReport } from '../validate/report.js'
import type { StageId } from '../validate/stage.js'
import { connectReleaseChain, matchPatchChains, type ReleaseChain } from './releaseChains.js'
import { validatePatch } from './validatePatch.js'

export type ValidateMultiChainPatchParameters = {
  context: LifecycleContext
  actor: Actor
  patchId: string
  /** One manifest for every chain: its targets are matched to each chain by the patch's targets there. */
  manifest: PatchManifest
  manifestFile: string
  manifestDir: string
  chains: readonly Pick<ReleaseChain, 'chainId' | 'rpcUrl'>[]
  stages?: readonly StageId[] | undefined
  reproducibility?: boolean | undefined
  env?: NodeJS.ProcessEnv | undefined
  toolVersion: string
  onProgress?: ((message: string) => void) | undefined
}

export type ValidateMultiChainPatchReturnType = {
  /** One report per chain, in the patch's chain order. */
  chainReports: { chainId: number; report: ValidationReport }[]
  report: MultiChainReportFile
  patch: Patch
  outcome: ValidationOutcome
}

/**
 * Validates one patch on each chain it targets — a pipeline run per chain against that chain's
 * deployed code, with the manifest's targets that the patch upgrades there — and stores the
 * combined report (`combineChainReports`) as the patch's validation run: the patch is validated
 * only if every chain's run passed, and its report hash (what one PatchApproval signs) covers
 * every chain's implementation hashes. RPCs are checked against their chain ids before anything moves.
 *
 * @throws {MultiChainChainMissingError} the chains given are not exactly the patch's chains.
 * @throws {MultiChainChainMismatchError} an RPC answers for another chain.
 */
export async function validateMultiChainPatch(parameters: ValidateMultiChainPatchParameters): Promise<ValidateMultiChainPatchReturnType> {
  const { context, actor, patchId, manifest } = parameters
  const say = parameters.onProgress ?? (() => undefined)
  let patch = await getPatch(context, patchId, actor)
  const chains = matchPatchChains(patch, parameters.chains, 'the chains given for validation')
  for (const chain of chains) await connectReleaseChain(chain)
  if (patch.status !== 'validating') {
    patch = (await transitionPatch(context, { id: patchId, to: 'validating', expectedStatus: patch.status, evidence: { note: `validation of ${parameters.manifestFile} on chains ${chains.map((c) => c.chainId).join(', ')}` } }, actor)).patch
  }

  const chainReports: ValidateMultiChainPatchReturnType['chainReports'] = []
  for (const chain of chains) {
    const proxies = new Set(patch.targets.filter((target) => Number(target.chain) === chain.chainId).map((target) => getAddress(target.proxy)))
    // A pinned block belongs to one chain: each chain's run starts at its own latest block.
    const chainSection = Object.fromEntries(Object.entries(manifest.chain).filter(([key]) => key !== 'blockNumber'))
    const chainManifest: PatchManifest = { ...manifest, chain: { ...chainSection, rpcUrl: chain.rpcUrl, chainId: chain.chainId }, targets: manifest.targets.filter((target) => proxies.has(getAddress(target.proxy))) }
    say(`validating on chain ${chain.chainId} (${chainManifest.targets.length} target(s))`)
    const { report } = await validatePatch({
      manifest: chainManifest,
      manifestFile: `${parameters.manifestFile} (chain ${chain.chainId})`,
      manifestDir: parameters.manifestDir,
      rpcUrl: chain.rpcUrl,
      stages: parameters.stages,
      reproducibility: parameters.reproducibility,
      env: parameters.env,
      toolVersion: parameters.toolVersion,
    })
    say(`chain ${chain.chainId}: ${report.document.verdict}, report ${report.hash}`)
    chainReports.push({ chainId: chain.chainId, report })
  }
  const report = combineChainReports(chainReports.map(({ report }) => JSON.parse(JSON.stringify({ hash: report.hash, ...report.document })) as ChainReportFile))
  const recorded = await recordValidationRun(context, { patchId, report: report as never }, actor)
  return { chainReports, report, patch: recorded.patch, outcome: recorded.outcome }
}
