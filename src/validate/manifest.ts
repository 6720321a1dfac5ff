import { isAddress, isHash } from 'viem'
import { z } from 'zod'

/**
 * The patch manifest (version 1): what a patch changes and how to prove it is safe. Every
 * path in it is relative to the manifest file's directory. `docs/validate.md` documents each field.
 */

const address = z.string().refine((value) => isAddress(value, { strict: true }), {
  message: 'must be 0x followed by 40 hex digits (mixed case must match the EIP-55 checksum)',
})

const name = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'must start with a letter and use only letters, digits, _ . - (max 64)')

const rpcUrl = z.string().refine((value) => /^env:[A-Z_][A-Z0-9_]*$/.test(value) || /^(?:https?|wss?):\/\/[^\s]+$/.test(value), {
  message: 'must be an http(s):// or ws(s):// URL, or env:VARIABLE_NAME',
})

/**
 * Where a contract's code comes from: exactly one of
 * - `sources`: Solidity files or folders compiled with solc (imports from `root` and node_modules),
 * - `foundry`: a Foundry project folder (its `src` compiled as foundry.toml says: version, settings, remappings, lib/),
 * - `hardhat`: a Hardhat project folder (its artifacts/build-info read as given; compiled from contracts/ when it has none),
 * - `buildInfo`: a Bulwark, Hardhat (2 or 3) or Foundry build-info file (compiler and settings are its own).
 * `contract` picks the contract: short name (`LendingPoolV2`) or full name (`contracts/LendingPoolV2.sol:LendingPoolV2`).
 * Without `compiler.version`, the version comes from foundry.toml, else the chain (the metadata of the code
 * the proxy runs now) when the pragmas allow it, else the pragmas.
 */
export const buildSourceSchema = z
  .strictObject({
    contract: z.string().min(1),
    sources: z.array(z.string().min(1)).min(1).optional(),
    /** Project root for `sources` and their imports; default: the manifest's directory. */
    root: z.string().min(1).optional(),
    foundry: z.string().min(1).optional(),
    hardhat: z.string().min(1).optional(),
    buildInfo: z.string().min(1).optional(),
    /** The compiler for `sources`/`foundry`/`hardhat` (ignored for `buildInfo`, which names its own). */
    compiler: z
      .strictObject({
        /** A solc release ('0.8.19'), fetched from the npm registry as solc@<version> when not bundled. */
        version: z.string().regex(/^\d+\.\d+\.\d+(?:\+commit\.[0-9a-f]+)?$/, 'must be a solc release like 0.8.19').optional(),
        /** A native solc binary (relative to the manifest), run with --standard-json. */
        solcPath: z.string().min(1).optional(),
      })
      .refine((compiler) => !(compiler.version !== undefined && compiler.solcPath !== undefined), { message: 'give "version" or "solcPath", not both' })
      .optional(),
    /** Compiler settings for `sources`/`foundry` (ignored for `buildInfo`, which fixes its own). */
    settings: z
      .strictObject({
        optimizer: z.boolean().optional(),
        optimizerRuns: z.number().int().min(0).optional(),
        evmVersion: z.string().min(1).optional(),
        viaIR: z.boolean().optional(),
        /** Import remappings (`prefix=target`), added to the project's own. */
        remappings: z.array(z.string().regex(/^(?:[^:=]*:)?[^=]+=.*$/, 'must be a remapping like @oz/=lib/openzeppelin-contracts/')).optional(),
        /** solc `metadata.bytecodeHash` ('none' drops the metadata hash from the code). */
        bytecodeHash: z.enum(['ipfs', 'bzzr1', 'none']).optional(),
        /** solc `metadata.appendCBOR` (false: no metadata at the end of the code). */
        appendCBOR: z.boolean().optional(),
      })
      .optional(),
  })
  .superRefine((source, context) => {
    const given = (['sources', 'foundry', 'hardhat', 'buildInfo'] as const).filter((key) => source[key] !== undefined)
    if (given.length !== 1) {
      context.addIssue({
        code: 'custom',
        path: [],
        message: given.length === 0 ? 'needs one of "sources", "foundry", "hardhat" or "buildInfo"' : `gives ${given.join(' and ')}: use exactly one`,
      })
    }
    if (source.root !== undefined && source.sources === undefined) {
      context.addIssue({ code: 'custom', path: ['root'], message: 'only applies with "sources"' })
    }
  })

/** Arguments as JSON: numbers above 2^53 as decimal strings, bytes and addresses as hex strings. */
const jsonArgument: z.ZodType<unknown> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.array(jsonArgument)]))

export const initializerSchema = z.strictObject({
  /** `initializeV2` or, when overloaded, the full signature `initializeV2(uint256,address)`. */
  function: z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]*(?:\(.*\))?$/, 'must be a function name or signature like initializeV2(uint256)'),
  args: z.array(jsonArgument).default([]),
})

export const targetSchema = z.strictObject({
  /** How findings and the report name this proxy; default: the new implementation's contract name. */
  name: name.optional(),
  proxy: address,
  /** What the proxy is expected to be; a different kind on chain is a finding. Default: whatever the chain shows. */
  kind: z.enum(['uups', 'transparent', 'beacon-proxy']).optional(),
  /** The new implementation. */
  implementation: buildSourceSchema,
  /** The build of the implementation on chain now (default: `@custom:oz-upgrades-from` in the new build). */
  reference: buildSourceSchema.optional(),
  /** Called through `upgradeToAndCall` right after the upgrade. */
  initializer: initializerSchema.optional(),
})

/** A Foundry test selection: run with `forge test --offline` against a fork of the chain. */
export const foundryTestSchema = z.strictObject({
  /** The Foundry project folder (holds foundry.toml). */
  root: z.string().min(1),
  /** `--match-path` glob. */
  path: z.string().min(1).optional(),
  /** `--match-contract` regex. */
  contract: z.string().min(1).optional(),
  /** `--match-test` regex. */
  test: z.string().min(1).optional(),
  /** Environment for the tests (`vm.envAddress("POOL")`…); added by part B. */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'), z.string()).optional(),
})

// Part B (dynamic stages) added: the Solidity-contract and TypeScript PoC formats, TypeScript regression
// checks, view-call invariants (`call`), `expectDivergence` entries with a reason, and `rehearsal`.
// Each PoC/regression/invariant gives exactly one of its formats (checked by `exactlyOneOf`).

const uintString = z.string().regex(/^\d+$/, 'must be a decimal integer string')

/** A TypeScript module run in-process against a fork: its default export receives the fork's RPC URL and addresses. */
export const scriptCheckSchema = z.strictObject({
  /** Path of the .ts/.js module (relative to the manifest). */
  path: z.string().min(1),
  /** Named export to call instead of the default export. */
  export: z.string().min(1).optional(),
  /** Values handed to the script as `env` (addresses, amounts…). */
  env: z.record(z.string(), z.string()).optional(),
})

/** A Solidity exploit contract: deployed on the fork by `attacker`, then `function` is called. */
export const contractProofOfConceptSchema = z.strictObject({
  build: buildSourceSchema,
  /** Constructor arguments. */
  args: z.array(jsonArgument).default([]),
  /** The function that runs the exploit (no arguments); default `exploit`. */
  function: z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/, 'must be a function name').default('exploit'),
  /** The account that deploys and calls the PoC (impersonated on the fork); default a fresh address. */
  attacker: address.optional(),
  /** Tokens moved to the PoC contract before the exploit, from holders that are impersonated on the fork. */
  fund: z.array(z.strictObject({ token: address, from: address, amount: uintString })).default([]),
  /** Success = the PoC's plus the attacker's balance of this token grows (else: the call does not revert). */
  profitToken: address.optional(),
})

function exactlyOneOf<T extends Record<string, unknown>>(keys: readonly (keyof T & string)[]) {
  return (entry: T, context: z.RefinementCtx) => {
    const given = keys.filter((key) => entry[key] !== undefined)
    if (given.length !== 1) {
      context.addIssue({
        code: 'custom',
        path: [],
        message: given.length === 0 ? `needs one of ${keys.map((key) => `"${key}"`).join(', ')}` : `gives ${given.join(' and ')}: use exactly one`,
      })
    }
  }
}

export const proofOfConceptSchema = z
  .strictObject({
    name,
    description: z.string().optional(),
    /** Must succeed (the exploit works) before the upgrade, and fail after it. */
    foundry: foundryTestSchema.optional(),
    contract: contractProofOfConceptSchema.optional(),
    /** Default export resolves `{ exploited: boolean, details?: string }`. */
    script: scriptCheckSchema.optional(),
  })
  .superRefine(exactlyOneOf(['foundry', 'contract', 'script']))

export const regressionCheckSchema = z
  .strictObject({
    name,
    description: z.string().optional(),
    /** Must pass after the upgrade. */
    foundry: foundryTestSchema.optional(),
    /** Default export resolves when the check holds and throws (with the reason) when it does not. */
    script: scriptCheckSchema.optional(),
  })
  .superRefine(exactlyOneOf(['foundry', 'script']))

/** A view call compared with a constant, checked before and after the upgrade. */
export const invariantCallSchema = z.strictObject({
  address,
  /** Human-readable ABI: `function totalDeposits() view returns (uint256)`. */
  signature: z.string().regex(/^function\s+[A-Za-z_$][A-Za-z0-9_$]*\s*\(/, 'must be a human-readable ABI function like "function f() view returns (uint256)"'),
  args: z.array(jsonArgument).default([]),
  /** The result compared with `value`; without `op`, the check is that the call does not revert. */
  op: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte']).optional(),
  /** Decimal integer, `true`/`false`, or hex (addresses, bytes). */
  value: z.string().optional(),
  /** The value after the upgrade must equal the value before it. */
  unchanged: z.boolean().default(false),
})

export const invariantSchema = z
  .strictObject({
    name,
    description: z.string().optional(),
    /** Foundry invariant tests (`invariant_*`), run after the upgrade. */
    foundry: foundryTestSchema.optional(),
    call: invariantCallSchema.optional(),
  })
  .superRefine(exactlyOneOf(['foundry', 'call']))

/** How the fork rehearsal signs for the Safe: owners whose keys are given sign; the rest are impersonated. */
export const rehearsalSchema = z.strictObject({
  /** `env:VARIABLE` names holding Safe owners' private keys (never the keys themselves). */
  signers: z.array(z.string().regex(/^env:[A-Z_][A-Z0-9_]*$/, 'must be env:VARIABLE_NAME')).default([]),
  /** `env:VARIABLE` names holding release-gate auditor keys; without enough of them the rehearsal registers throw-away auditors on the fork. */
  auditors: z.array(z.string().regex(/^env:[A-Z_][A-Z0-9_]*$/, 'must be env:VARIABLE_NAME')).default([]),
})

export const differentialReplaySchema = z.strictObject({
  /** Replay the last N transactions that touch the targets before the pinned block (default 200). */
  transactions: z.number().int().min(1).max(10_000).default(200),
  /**
   * Which transactions touch a target: `touching` (default) — every transaction whose trace calls a
   * target at any depth, so integrators, routers, multicalls and flash-loan callbacks are replayed too
   * (needs trace_filter, trace_block or debug_traceBlockByNumber); `direct` — only those sent to one.
   */
  scope: z.enum(['touching', 'direct']).default('touching'),
  /** Or an explicit list of transaction hashes (overrides `transactions`). */
  hashes: z.array(z.string().refine((value) => isHash(value), { message: 'must be a 32-byte 0x hash' })).optional(),
  /** Scan no further back than this block. */
  fromBlock: z.number().int().min(0).optional(),
  /** Transactions whose divergence is expected (e.g. the exploit itself). */
  expectDivergence: z
    .array(
      z.strictObject({
        transaction: z.string().refine((value) => isHash(value), { message: 'must be a 32-byte 0x hash' }),
        /** Why the patch may change this transaction's outcome; kept in the report. */
        reason: z.string().min(1),
      }),
    )
    .default([]),
})

/** A 4-byte selector (`0x1f931c1c`) or a function signature (`withdraw(uint256)`). */
const selectorOrSignature = z.string().refine((value) => /^0x[0-9a-fA-F]{8}$/.test(value) || /^[A-Za-z_$][A-Za-z0-9_$]*\(.*\)$/.test(value), {
  message: 'must be a 4-byte selector like 0x1f931c1c or a signature like withdraw(uint256)',
})

/** An audited contract: its address on this chain, or the keccak256 of its runtime code. */
const auditedCode = z.string().refine((value) => isAddress(value, { strict: true }) || isHash(value), {
  message: 'must be an address or a 32-byte runtime codehash',
})

/** One facet change of a diamond cut (EIP-2535 `FacetCut`). */
export const diamondFacetCutSchema = z
  .strictObject({
    /** How findings, the report and the release plan name this facet. */
    name,
    action: z.enum(['add', 'replace', 'remove']),
    /** The facet's build (add, replace): deployed by the release with CREATE2. Not for remove. */
    build: buildSourceSchema.optional(),
    /** Selectors routed to the facet (add, replace) or removed (remove). Default for add/replace: every external function of the build. */
    selectors: z.array(selectorOrSignature).min(1).optional(),
  })
  .superRefine((facet, context) => {
    if (facet.action === 'remove' && facet.build !== undefined) context.addIssue({ code: 'custom', path: ['build'], message: 'a remove cut has no facet: leave "build" out' })
    if (facet.action === 'remove' && facet.selectors === undefined) context.addIssue({ code: 'custom', path: ['selectors'], message: 'a remove cut must list the selectors it removes' })
    if (facet.action !== 'remove' && facet.build === undefined) context.addIssue({ code: 'custom', path: ['build'], message: `an ${facet.action} cut needs the facet's "build"` })
  })

/** The init delegatecall of a cut: a deployed contract (`address`) or one the release deploys (`build`). */
export const diamondInitSchema = z
  .strictObject({
    address: address.optional(),
    build: buildSourceSchema.optional(),
    /** `init` or, for an `address` init (no ABI at hand), the full signature `setERC165(bytes4[],bytes4[])`. */
    function: z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]*(?:\(.*\))?$/, 'must be a function name or signature like init(uint256)'),
    args: z.array(jsonArgument).default([]),
  })
  .superRefine(exactlyOneOf(['address', 'build']))

/** A diamond cut (EIP-2535 `diamondCut`): the facet changes, the optional init call, and what the checks compare against. */
export const diamondCutSchema = z.strictObject({
  /** How findings and the report name the diamond; default `diamond`. */
  name: name.default('diamond'),
  diamond: address,
  facets: z.array(diamondFacetCutSchema).min(1, 'must list at least one facet cut'),
  init: diamondInitSchema.optional(),
  /** Builds of facets the diamond runs now, by address: their storage is compared with the new facets' (namespaces, AppStorage). */
  deployedFacets: z.array(z.strictObject({ address, build: buildSourceSchema })).default([]),
  /** The audited set: init contracts (addresses or runtime codehashes) a cut may delegatecall. */
  auditedInits: z.array(auditedCode).default([]),
  /** Recent transactions replayed on a fork with the cut applied (removed selectors still in use). */
  replay: z
    .strictObject({
      /** Blocks before the pinned block scanned for transactions to the diamond (default 1000). */
      blocks: z.number().int().min(1).max(100_000).default(1000),
      /** At most this many of the latest ones are replayed (default 200). */
      transactions: z.number().int().min(1).max(10_000).default(200),
    })
    .default({ blocks: 1000, transactions: 200 }),
})

/** Issue 10: formal properties (Solidity harnesses checked by the SMTChecker) and differential fuzzing. */
const harnessSchema = z.strictObject({
  /** Solidity files (relative to `root`, default the manifest's directory). */
  sources: z.array(z.string().min(1)).min(1),
  root: z.string().min(1).optional(),
  /** The harness contract: `assert`-based invariants, external calls to unknown contracts model callbacks. */
  contract: z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/, 'must be a contract name'),
})

export const specificationSchema = z.strictObject({
  /** Per-query solver limit in milliseconds (default 20 000). */
  timeoutMs: z.number().int().min(1000).max(600_000).default(20_000),
  /** z3 binary (default `$BULWARK_Z3`, else `z3` on the PATH). */
  solverPath: z.string().min(1).optional(),
  properties: z
    .array(
      z.strictObject({
        name,
        description: z.string().optional(),
        /** The harness for the patched code and, optionally, the same property on the unpatched code. */
        harness: z.strictObject({ patched: harnessSchema, unpatched: harnessSchema.optional() }),
        /** The model checker's targets (default: assertions only). */
        targets: z.array(z.enum(['assert', 'underflow', 'overflow', 'divByZero', 'outOfBounds', 'balance'])).min(1).default(['assert']),
        /** Replay violations on a fork of the chain (default true). */
        replay: z.boolean().default(true),
      }),
    )
    .min(1),
})

export const differentialFuzzSchema = z.strictObject({
  /** The proxy to fuzz (default: the first target). */
  target: z.string().min(1).optional(),
  /** Random call sequences to run (default 50). */
  sequences: z.number().int().min(1).max(100_000).default(50),
  /** Calls per sequence (default 6). */
  length: z.number().int().min(1).max(100).default(6),
  /** Senders (default: the first 3 anvil dev accounts, funded on the fork). */
  senders: z.array(address).optional(),
  /** Integer arguments are drawn from these (decimal strings) and small random values. */
  values: z.array(uintString).default(['0', '1', '1000000000000000000']),
  /** Seed for reproducible runs. */
  seed: z.number().int().min(0).default(1),
})

export const patchManifestSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1),
    advisory: z.strictObject({
      /** The advisory this patch answers (the lifecycle's advisory id, or a GHSA/CVE id). */
      id: z.string().min(1).max(128),
      title: z.string().min(1).optional(),
      severity: z.enum(['critical', 'high', 'medium', 'low']).optional(),
      url: z.string().url().optional(),
    }),
    /** The chain the proxies live on; `--rpc` overrides `rpcUrl`. */
    chain: z
      .strictObject({
        rpcUrl: rpcUrl.optional(),
        chainId: z.number().int().positive().optional(),
        /** Pin the run to this block (default: the latest block when the run starts). */
        blockNumber: z.number().int().min(0).optional(),
      })
      .default({}),
    /** Proxies to upgrade; may be empty when the patch is a `diamondCut`. */
    targets: z.array(targetSchema).default([]),
    /** A diamond cut (EIP-2535) the patch makes; see docs/diamonds.md. */
    diamondCut: diamondCutSchema.optional(),
    proofsOfConcept: z.array(proofOfConceptSchema).default([]),
    regressions: z.array(regressionCheckSchema).default([]),
    invariants: z.array(invariantSchema).default([]),
    /** Off when absent. */
    differentialReplay: differentialReplaySchema.optional(),
    /** Fork rehearsal signing (part B). */
    rehearsal: rehearsalSchema.optional(),
    /** Formal properties for the prover stage (issue 10). */
    specification: specificationSchema.optional(),
    /** Functions the patch must not change: human-readable ABI signatures; fuzzed old vs new (issue 10). */
    unchangedFunctions: z.array(z.string().regex(/^function\s+[A-Za-z_$][A-Za-z0-9_$]*\s*\(/, 'must be a human-readable ABI function like "function f(uint256) returns (uint256)"')).default([]),
    differentialFuzz: differentialFuzzSchema.optional(),
  })
  .superRefine((manifest, context) => {
    if (manifest.targets.length === 0 && manifest.diamondCut === undefined) context.addIssue({ code: 'custom', path: ['targets'], message: 'must list at least one target proxy' })
    if (manifest.diamondCut) {
      const facetNames = new Set<string>()
      manifest.diamondCut.facets.forEach((facet, index) => {
        if (facetNames.has(facet.name)) context.addIssue({ code: 'custom', path: ['diamondCut', 'facets', index, 'name'], message: `"${facet.name}" is used twice` })
        facetNames.add(facet.name)
      })
    }
    const proxies = new Set<string>()
    const names = new Set<string>()
    manifest.targets.forEach((target, index) => {
      const proxy = target.proxy.toLowerCase()
      if (proxies.has(proxy)) context.addIssue({ code: 'custom', path: ['targets', index, 'proxy'], message: `${target.proxy} is listed twice` })
      proxies.add(proxy)
      // Findings and the report name targets, so two targets may not share a (default) name.
      const named = targetName(target)
      if (names.has(named)) {
        context.addIssue({
          code: 'custom',
          path: ['targets', index, 'name'],
          message: target.name === undefined ? `defaults to "${named}", which another target already uses: give a name` : `"${named}" is used twice`,
        })
      }
      names.add(named)
    })
    for (const listName of ['proofsOfConcept', 'regressions', 'invariants'] as const) {
      const seen = new Set<string>()
      manifest[listName].forEach((entry, index) => {
        if (seen.has(entry.name)) context.addIssue({ code: 'custom', path: [listName, index, 'name'], message: `"${entry.name}" is used twice` })
        seen.add(entry.name)
      })
    }
  })

export type PatchManifest = z.infer<typeof patchManifestSchema>
export type ManifestTarget = z.infer<typeof targetSchema>
export type BuildSource = z.infer<typeof buildSourceSchema>
export type FoundryTest = z.infer<typeof foundryTestSchema>
export type ProofOfConcept = z.infer<typeof proofOfConceptSchema>
export type RegressionCheck = z.infer<typeof regressionCheckSchema>
export type Invariant = z.infer<typeof invariantSchema>
export type DifferentialReplay = z.infer<typeof differentialReplaySchema>
export type ScriptCheck = z.infer<typeof scriptCheckSchema>
export type ContractProofOfConcept = z.infer<typeof contractProofOfConceptSchema>
export type InvariantCall = z.infer<typeof invariantCallSchema>
export type Specification = z.infer<typeof specificationSchema>
export type DifferentialFuzz = z.infer<typeof differentialFuzzSchema>
export type DiamondCutManifest = z.infer<typeof diamondCutSchema>
export type DiamondFacetCutManifest = z.infer<typeof diamondFacetCutSchema>

/** A target's display name: its `name`, or the new implementation's contract name. */
export function targetName(target: ManifestTarget): string {
  return target.name ?? target.implementation.contract.slice(target.implementation.contract.lastIndexOf(':') + 1)
}
