import { connectChain } from '../chain/connectChain.js'
import { redactSecrets, toBaseError } from '../errors/BaseError.js'
import { isBlocking } from './findings.js'
import type { PatchManifest } from './manifest.js'
import { ManifestInvalidError } from './errors.js'
import { buildTargets, checkReproducible } from './stages/build.js'
import { runDiffReview } from './stages/diffReview.js'
import { differentialReplay } from './stages/differentialReplay.js'
import { exploitReplay } from './stages/exploitReplay.js'
import { forkRehearsal } from './stages/forkRehearsal.js'
import { initializerSafety } from './stages/initializerSafety.js'
import { regression } from './stages/regression.js'
import { prover } from './stages/prover.js'
import { differentialFuzz } from './stages/differentialFuzz.js'
import { diamondCut } from './stages/diamondCut.js'
import { createForkPool, type ForkPool } from './stages/forkPool.js'
import { runUpgradeSafety } from './stages/upgradeSafety.js'
import { stageIds, type PipelineEvent, type Stage, type StageContext, type StageId, type StageOutput, type StageResult, type TargetBuild } from './stage.js'

/** The stages that run after the build, all concurrently (each reads the pinned block; forks are their own). */
const laterStages: Partial<Record<Exclude<StageId, 'build'>, Stage>> = {
  'upgrade-safety': runUpgradeSafety,
  'diamond-cut': diamondCut,
  'diff-review': runDiffReview,
  'initializer-safety': initializerSafety,
  'fork-rehearsal': forkRehearsal,
  'exploit-replay': exploitReplay,
  regression,
  'differential-replay': differentialReplay,
  prover,
  'differential-fuzz': differentialFuzz,
}

export type RunPipelineParameters = {
  manifest: PatchManifest
  /** Absolute directory of the manifest: its relative paths resolve from here. */
  manifestDir: string
  /** Overrides the manifest's `chain.rpcUrl` (which may be `env:NAME`). */
  rpcUrl?: string | undefined
  /** Pin the run to this block (default: the manifest's `chain.blockNumber`, else the latest). */
  blockNumber?: bigint | undefined
  /** Run only these stages (the build always runs). Default: every stage. */
  stages?: readonly StageId[] | undefined
  /** Compile the new implementations a second time and compare bytecode hashes (default true). */
  reproducibility?: boolean | undefined
  onEvent?: ((event: PipelineEvent) => void) | undefined
  signal?: AbortSignal | undefined
  env?: NodeJS.ProcessEnv | undefined
}

export type PipelineRun = {
  manifest: PatchManifest
  chainId: number
  blockNumber: bigint
  startedAt: string
  durationMs: number
  /** In `stageIds` order; stages not asked for are absent. */
  stages: StageResult[]
  builds: TargetBuild[]
}

/**
 * Runs the validation pipeline: the build first (every other stage needs its contracts), then
 * all other stages concurrently. The build's reproducibility recompile runs in a worker thread,
 * started just before each first compilation of the same input, so the two compile side by side.
 * A stage that throws is recorded as `errored` with the error's code; the run itself only throws
 * when it cannot start (no RPC, an invalid chain in the manifest).
 */
export async function runPipeline(parameters: RunPipelineParameters): Promise<PipelineRun> {
  const started = performance.now()
  const startedAt = new Date().toISOString()
  const { manifest, manifestDir } = parameters
  const emit = parameters.onEvent ?? (() => {})
  const signal = parameters.signal ?? new AbortController().signal
  const wanted = new Set<StageId>(parameters.stages ?? stageIds)

  const rpcUrl = resolveRpcUrl(parameters.rpcUrl ?? manifest.chain.rpcUrl, parameters.env ?? process.env)
  const { client, chainId, blockNumber: latest } = await connectChain({ rpcUrl })
  if (manifest.chain.chainId !== undefined && manifest.chain.chainId !== chainId) {
    throw new ManifestInvalidError({ file: manifestDir, issues: [{ path: 'chain.chainId', message: `is ${manifest.chain.chainId} but ${redactSecrets(rpcUrl)} serves chain ${chainId}` }] })
  }
  const blockNumber = parameters.blockNumber ?? (manifest.chain.blockNumber === undefined ? latest : BigInt(manifest.chain.blockNumber))

  const contextFor = (stage: StageId, builds: readonly TargetBuild[]): StageContext => ({
    manifest,
    manifestDir,
    rpcUrl,
    chainId,
    blockNumber,
    client,
    builds,
    progress: (message) => emit({ type: 'stage-progress', stage, message }),
    signal,
    ...(forks ? { forks } : {}),
  })
  // Created once the build is known; forks start on the first stage's lease and stop with the run.
  let forks: ForkPool | undefined

  const results = new Map<StageId, StageResult>()
  const finish = (result: StageResult) => {
    results.set(result.stage, result)
    emit({ type: 'stage-finished', stage: result.stage, result })
    return result
  }

  // Build: compile, then (concurrently with everything else) recompile to prove it reproducible.
  const buildStart = begin('build', emit)
  let builds: TargetBuild[] = []
  let buildFailed = false
  let reproducible: Promise<StageResult> = Promise.resolve(undefined as never)
  try {
    const built = await buildTargets(contextFor('build', []), { reproduce: parameters.reproducibility ?? true })
    builds = built.builds
    const buildContext = contextFor('build', builds)
    reproducible = (async () => {
      const findings = [...built.findings]
      if (parameters.reproducibility ?? true) {
        buildContext.progress('recompiling to check the bytecode is reproducible')
        findings.push(...(await checkReproducible(builds, signal, built.reproductions)))
      }
      return settle(buildStart, {
        findings,
        summary: `${builds.length} target(s) built; ${parameters.reproducibility ?? true ? 'a second build gave the same bytecode' : 'reproducibility NOT checked (second build skipped)'}`,
        data: {
          reproducibilityChecked: parameters.reproducibility ?? true,
          targets: Object.fromEntries(
            builds.map((b) => [b.target, { contract: b.implementation.contract, runtimeCodeHash: b.implementation.runtimeCodeHash, reference: b.reference?.contract ?? null }]),
          ),
        },
      })
    })().catch((error: unknown) => settleError(buildStart, error))
  } catch (error) {
    buildFailed = true
    finish(settleError(buildStart, error))
  }

  if (!buildFailed) forks = createForkPool({ rpcUrl, chainId, blockNumber, client, builds, signal })
  const later = Object.entries(laterStages).filter(([stage]) => wanted.has(stage as StageId)) as [Exclude<StageId, 'build'>, Stage][]
  const laterResults = later.map(async ([stage, run]) => {
    if (buildFailed) return finish({ ...skippedResult(stage), skipped: 'the build failed' })
    const start = begin(stage, emit)
    try {
      return finish(settle(start, await run(contextFor(stage, builds))))
    } catch (error) {
      return finish(settleError(start, error))
    }
  })
  if (!buildFailed) finish(await reproducible)
  await Promise.all(laterResults).finally(() => forks?.stop())

  return {
    manifest,
    chainId,
    blockNumber,
    startedAt,
    durationMs: performance.now() - started,
    stages: stageIds.filter((stage) => results.has(stage)).map((stage) => results.get(stage)!),
    builds,
  }
}

type Started = { stage: StageId; startedAt: string; started: number }

function begin(stage: StageId, emit: (event: PipelineEvent) => void): Started {
  const startedAt = new Date().toISOString()
  emit({ type: 'stage-started', stage, at: startedAt })
  return { stage, startedAt, started: performance.now() }
}

function settle(start: Started, output: StageOutput): StageResult {
  const status = output.findings.some((finding) => isBlocking(finding.severity)) ? 'failed' : output.skipped !== undefined ? 'skipped' : 'passed'
  return {
    stage: start.stage,
    status,
    startedAt: start.startedAt,
    durationMs: performance.now() - start.started,
    findings: output.findings,
    ...(output.summary !== undefined ? { summary: output.summary } : {}),
    ...(output.skipped !== undefined ? { skipped: output.skipped } : {}),
    ...(output.data !== undefined ? { data: output.data } : {}),
  }
}

function settleError(start: Started, error: unknown): StageResult {
  const failure = toBaseError(error)
  return {
    stage: start.stage,
    status: 'errored',
    startedAt: start.startedAt,
    durationMs: performance.now() - start.started,
    findings: [],
    error: { code: failure.code, message: redactSecrets(failure.message) },
  }
}

function skippedResult(stage: StageId): StageResult {
  return { stage, status: 'skipped', startedAt: new Date().toISOString(), durationMs: 0, findings: [] }
}

function resolveRpcUrl(value: string | undefined, env: NodeJS.ProcessEnv): string {
  if (value === undefined) {
    throw new ManifestInvalidError({ file: '(manifest)', issues: [{ path: 'chain.rpcUrl', message: 'no RPC URL: set chain.rpcUrl in the manifest or pass --rpc' }] })
  }
  if (!value.startsWith('env:')) return value
  const resolved = env[value.slice(4)]
  if (!resolved) throw new ManifestInvalidError({ file: '(manifest)', issues: [{ path: 'chain.rpcUrl', message: `environment variable ${value.slice(4)} is not set` }] })
  return resolved
}
