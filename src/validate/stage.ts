import type { Address, Hex } from 'viem'
import type { ReadClient } from '../chain/clients.js'
import type { ProxyKind } from '../chain/getProxyInfo.js'
import type { Artifact } from '../compile/artifacts.js'
import type { BuildInfo } from '../compile/buildInfo.js'
import type { FindingKind, Severity } from './findings.js'
import type { PatchManifest } from './manifest.js'
import type { ForkPool } from './stages/forkPool.js'

/** Anything that survives `JSON.stringify` unchanged: the report hashes its canonical JSON. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue }
export type JsonObject = { readonly [key: string]: JsonValue }

/**
 * The pipeline's stages, in report order. `build` runs first (the others need its output);
 * the rest run concurrently.
 */
export const stageIds = [
  'build',
  'upgrade-safety',
  'diamond-cut',
  'diff-review',
  'initializer-safety',
  'fork-rehearsal',
  'exploit-replay',
  'regression',
  'differential-replay',
  'prover',
  'differential-fuzz',
] as const
export type StageId = (typeof stageIds)[number]

/**
 * One thing a stage found. Findings are data: a stage that *could not run* throws instead
 * (its result is then `status: 'errored'`). `severity` always comes from the message table in
 * `findings.ts` for the kind, so the same problem never gets two severities.
 */
export type Finding = {
  kind: FindingKind
  severity: Severity
  stage: StageId
  /** The manifest target (by its name) the finding is about; absent for patch-wide findings. */
  target?: string
  /** One line, specific: names the contract, function, variable and values involved. */
  message: string
  /** Where a reviewer should look. `file` is a source unit name from the build (`contracts/x/Y.sol`). */
  location?: FindingLocation
  /** Machine-readable evidence (old/new types, selectors, tx hashes, balances as decimal strings…). */
  details?: JsonObject
}

export type FindingLocation = {
  file?: string
  /** 1-based. */
  line?: number
  contract?: string
  function?: string
  variable?: string
}

/** `passed`: ran, nothing blocks. `failed`: ran, a blocking finding. `errored`: could not run (blocks). `skipped`: nothing to do. */
export type StageStatus = 'passed' | 'failed' | 'errored' | 'skipped'

/** What a stage function returns; the runner adds timing and status. */
export type StageOutput = {
  findings: Finding[]
  /** One line for the terminal and the report ("3 PoCs replayed, 0 still drain"). */
  summary?: string
  /** Set when the stage had nothing to do (e.g. no PoCs in the manifest); the reason is shown. */
  skipped?: string
  /** Stage-specific figures and evidence for the report (counts, gas, block ranges). JSON only. */
  data?: JsonObject
}

/** A stage's entry in the report. */
export type StageResult = {
  stage: StageId
  status: StageStatus
  /** ISO 8601, when the stage started. */
  startedAt: string
  durationMs: number
  findings: Finding[]
  summary?: string
  skipped?: string
  data?: JsonObject
  /** When `status` is `errored`: the stable error code and message of what stopped it. */
  error?: { code: string; message: string }
}

/** One side of a target's build: a contract, its artifact and the solc run it came from. */
export type BuiltContract = {
  /** Fully qualified: `contracts/examples/LendingPoolV2.sol:LendingPoolV2`. */
  contract: string
  artifact: Artifact
  buildInfo: BuildInfo
  /** keccak256 of the runtime bytecode (immutables unfilled, metadata included). */
  runtimeCodeHash: Hex
  /** keccak256 of the creation bytecode. */
  creationCodeHash: Hex
}

/** The build stage's output for one manifest target; every later stage reads it. */
export type TargetBuild = {
  /** The target's name in the manifest. */
  target: string
  proxy: Address
  /** The kind the manifest declares (undefined: take what the chain says). */
  declaredKind: ProxyKind | undefined
  /** The new implementation. */
  implementation: BuiltContract
  /**
   * The build of the implementation running on chain now: from the manifest's `reference`,
   * or else the contract named by `@custom:oz-upgrades-from` in the new build. Undefined when neither.
   */
  reference: (BuiltContract & { origin: 'manifest' | 'annotation' }) | undefined
  /** ABI-encoded initializer/reinitializer call for `upgradeToAndCall`; `0x` when the manifest gives none. */
  initializerCalldata: Hex
}

/** Progress events for the terminal (stderr) and the server's live view. */
export type PipelineEvent =
  | { type: 'stage-started'; stage: StageId; at: string }
  | { type: 'stage-progress'; stage: StageId; message: string }
  | { type: 'stage-finished'; stage: StageId; result: StageResult }

/** Everything a stage may use. Stages read the chain at `blockNumber` so all of them see the same state. */
export type StageContext = {
  manifest: PatchManifest
  /** Absolute directory of the manifest file: relative paths in the manifest resolve from here. */
  manifestDir: string
  /** The chain the proxies live on (or a fork of it); never contains secrets in messages (use redactSecrets). */
  rpcUrl: string
  chainId: number
  /** The block the run is pinned to (forks are taken at this block). */
  blockNumber: bigint
  client: ReadClient
  /** The build stage's output, one per target in manifest order. Empty while the build stage itself runs. */
  builds: readonly TargetBuild[]
  /** Stage-scoped progress line (shown live on stderr). */
  progress: (message: string) => void
  /** Aborted when the run is cancelled; long stages should stop (and stop their anvil forks). */
  signal: AbortSignal
  /** The run's shared forks of the pinned block (see `stages/forkPool.ts`); absent when a stage runs alone. */
  forks?: ForkPool | undefined
}

/** A pipeline stage: reads the context, returns findings as data; throws only when it cannot run. */
export type Stage = (context: StageContext) => Promise<StageOutput>
