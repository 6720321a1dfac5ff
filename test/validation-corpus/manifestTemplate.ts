import { patchManifestSchema, type PatchManifest } from '../../src/validate/manifest.js'

/**
 * The corpus's one manifest template: every case fills the same slots (the advisory, the targets with
 * their new implementation and the team's reference build-info, an optional initializer and PoCs);
 * everything else is fixed, as a team would keep it in its repository. Differential replay is on with
 * its defaults (the last 200 transactions whose trace touches a target, integrators included).
 */
export type CorpusPatch = {
  id: string
  title: string
  targets: CorpusTarget[]
  proofsOfConcept?: PatchManifest['proofsOfConcept'] | undefined
}

export type CorpusTarget = {
  name: string
  proxy: string
  kind: 'uups' | 'transparent' | 'beacon-proxy' | undefined
  /** The patched contract (short or fully qualified name), its sources (relative to `root`, default the repository) and settings. */
  implementation: { contract: string; sources: string[]; root?: string | undefined; settings: NonNullable<PatchManifest['targets'][number]['implementation']['settings']> }
  /** The build-info the code on chain came from, and the contract in it. */
  reference: { buildInfo: string; contract: string }
  initializer?: { function: string; args: unknown[] } | undefined
}

/** Fills the template; the RPC URL comes from `BULWARK_CORPUS_RPC` (or `--rpc`). Returns the manifest as the schema parses it. */
export function corpusManifest(patch: CorpusPatch): PatchManifest {
  return patchManifestSchema.parse({
    version: 1,
    advisory: { id: patch.id, title: patch.title, severity: 'high' },
    chain: { rpcUrl: 'env:BULWARK_CORPUS_RPC' },
    targets: patch.targets.map((target) => ({
      name: target.name,
      proxy: target.proxy,
      ...(target.kind ? { kind: target.kind } : {}),
      implementation: { contract: target.implementation.contract, sources: target.implementation.sources, ...(target.implementation.root ? { root: target.implementation.root } : {}), settings: target.implementation.settings },
      reference: { buildInfo: target.reference.buildInfo, contract: target.reference.contract },
      ...(target.initializer ? { initializer: target.initializer } : {}),
    })),
    proofsOfConcept: patch.proofsOfConcept ?? [],
    differentialReplay: { transactions: 200 },
  })
}
