import path from 'node:path'
import { encodeFunctionData, keccak256, type Abi, type AbiFunction, type AbiParameter, type Address, type Hex } from 'viem'
import { getProxyInfo } from '../../chain/getProxyInfo.js'
import { artifactsFromBuildInfo, fullyQualifiedName, type Artifact } from '../../compile/artifacts.js'
import type { BuildInfo, CompileSettings, SolcInput } from '../../compile/buildInfo.js'
import { compileFoundryProject } from '../../compile/compileFoundryProject.js'
import { compileProject } from '../../compile/compileProject.js'
import { getArtifact } from '../../compile/getArtifact.js'
import { buildCacheDir } from '../../compile/loadCompiler.js'
import { readBuildInfo } from '../../compile/readBuildInfo.js'
import { readCodeMetadata } from '../../compile/readCodeMetadata.js'
import { readFoundryConfig } from '../../compile/readFoundryConfig.js'
import { hardhatConfigSolcVersion, readHardhatBuild, readProjectBuild } from '../../compile/readHardhatBuild.js'
import { reproduceBuild, reproductionKey, startReproduceBuild, type ReproduceBuildReturnType } from '../../compile/reproduceBuild.js'
import { createFinding } from '../findings.js'
import { targetName, type BuildSource, type ManifestTarget } from '../manifest.js'
import type { BuiltContract, Finding, StageContext, TargetBuild } from '../stage.js'

type Build = { buildInfo: BuildInfo; artifacts: Artifact[] }

/** Reproducibility recompiles started beside the first compilations, by `reproductionKey` of their input. */
export type StartedReproductions = ReadonlyMap<string, Promise<ReproduceBuildReturnType>>

export type BuildTargetsReturnType = {
  builds: TargetBuild[]
  findings: Finding[]
  /** Empty unless `reproduce` was asked for; give it to `checkReproducible`. */
  reproductions: StartedReproductions
}

/**
 * The first half of the build stage: compiles (or reads) every target's new implementation and
 * reference build, picks the contracts, and encodes the initializer call. Identical sources are
 * compiled once. Compile failures throw (the stage could not run); a bad initializer is a finding.
 *
 * The compiler of each build is the team's: a build-info's own; else the manifest's `compiler`;
 * else foundry.toml's; else, with a client, the release named in the metadata of the code the
 * proxy runs now (when the pragmas allow it); else the pragmas. Builds go to the machine's shared
 * build cache, never into the project.
 */
export async function buildTargets(
  context: Pick<StageContext, 'manifest' | 'manifestDir' | 'progress'> & Partial<Pick<StageContext, 'client' | 'blockNumber' | 'signal'>>,
  options: { reproduce?: boolean } = {},
): Promise<BuildTargetsReturnType> {
  const builds = new Map<string, Promise<Build>>()
  const reproductions = new Map<string, Promise<ReproduceBuildReturnType>>()
  // Stops the recompiles when the first build fails (nobody will read them) or the run is cancelled.
  const stopReproductions = new AbortController()
  const cancel = () => stopReproductions.abort()
  context.signal?.addEventListener('abort', cancel, { once: true })
  // Every implementation's contract, by name in whichever file: the recompile starts before the
  // build says where each contract is, and a name the input lacks selects nothing.
  const implementationNames = [...new Set(context.manifest.targets.map((target) => target.implementation.contract.split(':').at(-1)!))]
  const beforeCompile = async (input: SolcInput, release: string) => {
    const key = reproductionKey(input, release)
    if (reproductions.has(key)) return
    const contracts = implementationNames.map((contractName) => ({ sourceName: '*', contractName }))
    const { result } = await startReproduceBuild({ input, solcVersion: release, contracts, signal: stopReproductions.signal })
    reproductions.set(key, result)
  }
  // The stages read the code of the implementations (and of references compiled from sources), never
  // of the rest of the closure, so only those are code-generated. A reference found by annotation in
  // the implementation's own build is not known before that build: then every contract gets its code.
  const codeFor = context.manifest.targets.every((target) => target.reference !== undefined)
    ? [...new Set(context.manifest.targets.flatMap((target) => [target.implementation.contract, ...(target.reference && target.reference.buildInfo === undefined ? [target.reference.contract] : [])]))]
    : undefined
  const load = (source: BuildSource, chainSolc: string | undefined, reproduce: boolean) => {
    // Project folders are narrowed or looked up by contract; plain sources and build-infos are not.
    const byContract = source.foundry !== undefined || source.hardhat !== undefined
    const key = JSON.stringify({ ...source, contract: byContract ? source.contract : undefined, chainSolc: source.buildInfo === undefined ? chainSolc : undefined })
    let build = builds.get(key)
    if (!build) {
      build = loadBuild(source, context, chainSolc, options.reproduce && reproduce ? beforeCompile : undefined, codeFor)
      builds.set(key, build)
    }
    return build
  }
  try {
    return { ...(await buildEach(context, load)), reproductions }
  } catch (error) {
    cancel()
    throw error
  } finally {
    context.signal?.removeEventListener('abort', cancel)
  }
}

async function buildEach(
  context: Pick<StageContext, 'manifest' | 'manifestDir' | 'progress'> & Partial<Pick<StageContext, 'client' | 'blockNumber'>>,
  load: (source: BuildSource, chainSolc: string | undefined, reproduce: boolean) => Promise<Build>,
): Promise<{ builds: TargetBuild[]; findings: Finding[] }> {
  const findings: Finding[] = []
  const targets: TargetBuild[] = []
  // Sequential: solc-js is synchronous, so concurrent compiles would only interleave progress lines.
  for (const target of context.manifest.targets) {
    const name = targetName(target)
    const chainSolc = await chainCompiler(context, target.proxy as Address)
    if (chainSolc) context.progress(`${name}: the code on chain was built by solc ${chainSolc} (from its metadata)`)
    const implementationBuild = await load(target.implementation, chainSolc, true)
    const implementation = builtContract(implementationBuild, target.implementation.contract)
    let reference: TargetBuild['reference']
    if (target.reference) {
      reference = { ...builtContract(await load(target.reference, chainSolc, false), target.reference.contract), origin: 'manifest' }
    } else {
      const annotated = upgradesFrom(implementationBuild.buildInfo, implementation.artifact)
      const artifact = annotated === undefined ? undefined : findArtifact(implementationBuild, annotated)
      if (artifact) reference = { ...builtContract(implementationBuild, fullyQualifiedName(artifact)), origin: 'annotation' }
    }
    const initializer = encodeInitializer(target, implementation.artifact.abi)
    if (initializer.problem !== undefined) {
      findings.push(
        createFinding('build', 'initializer-invalid', {
          target: name,
          message: `${name}: initializer ${target.initializer?.function ?? ''}: ${initializer.problem}`,
          location: { contract: implementation.contract },
        }),
      )
    }
    targets.push({
      target: name,
      proxy: target.proxy as TargetBuild['proxy'],
      declaredKind: target.kind,
      implementation,
      reference,
      initializerCalldata: initializer.calldata,
    })
  }
  return { builds: targets, findings }
}

/**
 * Compiles (or reads) one build source and picks its contract: how the diamond-cut stage builds its
 * facets and init contract. The compiler is the source's own (build-info), the manifest's, or the pragmas'.
 */
export async function buildSourceContract(source: BuildSource, context: Pick<StageContext, 'manifestDir' | 'progress'>): Promise<BuiltContract> {
  return builtContract(await loadBuild(source, context, undefined, undefined), source.contract)
}

/**
 * The solc release named in the metadata of the code the proxy runs now. Undefined without a
 * client, when the address is no proxy (upgrade safety reports that), or when the code carries no version.
 */
async function chainCompiler(context: Partial<Pick<StageContext, 'client' | 'blockNumber'>>, proxy: Address): Promise<string | undefined> {
  if (!context.client) return undefined
  try {
    const info = await getProxyInfo(context.client, { address: proxy, blockNumber: context.blockNumber })
    if (!info) return undefined
    const code = await context.client.getCode({ address: info.implementation, ...(context.blockNumber === undefined ? {} : { blockNumber: context.blockNumber }) })
    const solc = code ? readCodeMetadata(code)?.solc : undefined
    return solc !== undefined && /^\d+\.\d+\.\d+$/.test(solc) ? solc : undefined
  } catch {
    // Unreadable proxies are upgrade safety's to report; the build falls back to the pragmas.
    return undefined
  }
}

async function loadBuild(
  source: BuildSource,
  context: Pick<StageContext, 'manifestDir' | 'progress'>,
  chainSolc: string | undefined,
  beforeCompile: ((input: SolcInput, release: string) => Promise<void>) | undefined,
  codeFor?: readonly string[],
): Promise<Build> {
  if (source.buildInfo !== undefined) {
    const file = path.resolve(context.manifestDir, source.buildInfo)
    context.progress(`reading build-info ${path.relative(context.manifestDir, file)}`)
    const buildInfo = await readBuildInfo(file)
    return { buildInfo, artifacts: artifactsFromBuildInfo(buildInfo) }
  }
  const compiler = {
    ...(source.compiler?.version === undefined ? {} : { solcVersion: source.compiler.version }),
    ...(source.compiler?.solcPath === undefined ? {} : { solcPath: path.resolve(context.manifestDir, source.compiler.solcPath) }),
    ...(chainSolc === undefined ? {} : { preferredSolcVersions: [chainSolc] }),
    cacheDir: buildCacheDir(),
    onProgress: (message: string) => context.progress(message),
    ...(beforeCompile ? { beforeCompile } : {}),
    ...(codeFor ? { codeFor } : {}),
  }
  const settings = manifestSettings(source.settings)
  if (source.foundry !== undefined) {
    const root = path.resolve(context.manifestDir, source.foundry)
    // The team's own `forge build --build-info` output, when fresh and complete, is used as it is.
    if (source.compiler === undefined && source.settings === undefined) {
      const found = await readProjectBuild({ root, directory: path.join(root, readFoundryConfig(root).out, 'build-info'), contract: source.contract, hint: '', complete: true })
      if (found) {
        context.progress(`reading Foundry build-info ${path.relative(context.manifestDir, found.file)}`)
        return { buildInfo: found.buildInfo, artifacts: artifactsFromBuildInfo(found.buildInfo) }
      }
    }
    context.progress(`compiling Foundry project ${path.relative(context.manifestDir, root) || '.'}`)
    const result = await compileFoundryProject({ root, contract: source.contract, ...(settings ? { settings } : {}), ...compiler })
    return { buildInfo: result.buildInfo, artifacts: result.artifacts }
  }
  if (source.hardhat !== undefined) {
    const root = path.resolve(context.manifestDir, source.hardhat)
    const found = await readHardhatBuild({ root, contract: source.contract })
    if (found) {
      context.progress(`reading Hardhat build-info ${path.relative(context.manifestDir, found.file)}`)
      return { buildInfo: found.buildInfo, artifacts: artifactsFromBuildInfo(found.buildInfo) }
    }
    const configured = source.compiler === undefined ? await hardhatConfigSolcVersion(root) : undefined
    context.progress(`no Hardhat build-info in ${path.relative(context.manifestDir, root) || '.'}: compiling contracts/${configured ? ` with solc ${configured} (hardhat.config)` : ''}`)
    const result = await compileProject({ root, sources: ['contracts'], ...(settings ? { settings } : {}), ...compiler, ...(configured ? { solcVersion: configured } : {}) })
    return { buildInfo: result.buildInfo, artifacts: result.artifacts }
  }
  const root = path.resolve(context.manifestDir, source.root ?? '.')
  const sources = source.sources ?? []
  context.progress(`compiling ${sources.join(', ')}`)
  const result = await compileProject({ root, sources, ...(settings ? { settings } : {}), ...compiler })
  return { buildInfo: result.buildInfo, artifacts: result.artifacts }
}

function manifestSettings(settings: BuildSource['settings']): CompileSettings | undefined {
  if (!settings) return undefined
  const { bytecodeHash, appendCBOR, ...rest } = settings
  const compile: CompileSettings = stripUndefined(rest)
  const metadata = stripUndefined({ bytecodeHash, appendCBOR })
  if (Object.keys(metadata).length > 0) compile.metadata = metadata
  return compile
}

function builtContract(build: Build, contract: string): BuiltContract {
  const artifact = getArtifact(build, contract)
  return {
    contract: fullyQualifiedName(artifact),
    artifact,
    buildInfo: build.buildInfo,
    runtimeCodeHash: keccak256(artifact.deployedBytecode),
    creationCodeHash: keccak256(artifact.bytecode),
  }
}

function findArtifact(build: Build, name: string): Artifact | undefined {
  try {
    return getArtifact(build, name)
  } catch {
    return undefined
  }
}

type AstNode = { nodeType: string; name?: string; documentation?: string | { text?: string } | null; nodes?: AstNode[] }

/** The contract named by `@custom:oz-upgrades-from` in the implementation's NatSpec, if any. */
export function upgradesFrom(buildInfo: BuildInfo, artifact: Artifact): string | undefined {
  const ast = buildInfo.output.sources[artifact.sourceName]?.ast as AstNode | undefined
  const definition = ast?.nodes?.find((node) => node.nodeType === 'ContractDefinition' && node.name === artifact.contractName)
  const doc = typeof definition?.documentation === 'string' ? definition.documentation : definition?.documentation?.text
  return doc === undefined ? undefined : /@custom:oz-upgrades-from\s+(\S+)/.exec(doc)?.[1]
}

function encodeInitializer(target: ManifestTarget, abi: Abi): { calldata: Hex; problem?: string } {
  if (!target.initializer) return { calldata: '0x' }
  const wanted = target.initializer.function
  const candidates = abi.filter(
    (item): item is AbiFunction =>
      item.type === 'function' &&
      (wanted.includes('(') ? `${item.name}(${item.inputs.map((input) => canonicalType(input)).join(',')})` === wanted.replace(/\s+/g, '') : item.name === wanted),
  )
  if (candidates.length === 0) return { calldata: '0x', problem: 'the new implementation has no such function' }
  if (candidates.length > 1) {
    return { calldata: '0x', problem: `is overloaded; give the full signature (${candidates.map((c) => `${c.name}(${c.inputs.map(canonicalType).join(',')})`).join(', ')})` }
  }
  const definition = candidates[0]!
  const args = target.initializer.args
  if (args.length !== definition.inputs.length) {
    return { calldata: '0x', problem: `takes ${definition.inputs.length} argument(s), the manifest gives ${args.length}` }
  }
  try {
    const converted = definition.inputs.map((input, index) => toAbiValue(input, args[index]))
    return { calldata: encodeFunctionData({ abi: [definition], functionName: definition.name, args: converted }) }
  } catch (error) {
    return { calldata: '0x', problem: error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error) }
  }
}

function canonicalType(parameter: AbiParameter): string {
  if (parameter.type.startsWith('tuple') && 'components' in parameter) {
    return `(${parameter.components.map(canonicalType).join(',')})${parameter.type.slice('tuple'.length)}`
  }
  return parameter.type
}

/** JSON manifest values → what viem encodes: integers as bigint (from numbers or decimal/hex strings), arrays and tuples recursively. */
function toAbiValue(parameter: AbiParameter, value: unknown): unknown {
  const array = /^(.*)\[(\d*)\]$/.exec(parameter.type)
  if (array) {
    if (!Array.isArray(value)) throw new Error(`${parameter.name ?? parameter.type}: expected an array`)
    const inner = { ...parameter, type: array[1]! } as AbiParameter
    return value.map((item) => toAbiValue(inner, item))
  }
  if (parameter.type === 'tuple' && 'components' in parameter) {
    if (!Array.isArray(value)) throw new Error(`${parameter.name ?? 'tuple'}: give tuples as arrays in component order`)
    return parameter.components.map((component, index) => toAbiValue(component, value[index]))
  }
  if (/^u?int\d*$/.test(parameter.type)) {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value)
    if (typeof value === 'string' && /^-?(?:\d+|0x[0-9a-fA-F]+)$/.test(value)) return BigInt(value)
    throw new Error(`${parameter.name ?? parameter.type}: expected an integer (a number, or a decimal string above 2^53)`)
  }
  return value
}

/**
 * The second half of the build stage: compiles the new implementations' exact Standard JSON input
 * again with the build's own solc release and settings, in a worker thread (so the other stages
 * keep running), and compares the bytecode hashes. Recompiles `buildTargets` started beside the
 * first compilation (`started`) are awaited instead when their input is the build's. A difference is a `build-not-reproducible`
 * finding. A (release, input) pair already reproduced on this machine is not compiled again.
 */
export async function checkReproducible(builds: readonly TargetBuild[], signal?: AbortSignal, started: StartedReproductions = new Map()): Promise<Finding[]> {
  const byBuild = new Map<BuildInfo, TargetBuild[]>()
  for (const build of builds) byBuild.set(build.implementation.buildInfo, [...(byBuild.get(build.implementation.buildInfo) ?? []), build])
  const findings: Finding[] = []
  for (const [buildInfo, targets] of byBuild) {
    const contracts = targets.map((target) => target.implementation.artifact)
    // A recompile started beside the first compile counts only for the very input that build used.
    const early = await started.get(reproductionKey(buildInfo.input, buildInfo.solcVersion))
    const again =
      early && contracts.every(({ sourceName, contractName }) => `${sourceName}:${contractName}` in early.contracts)
        ? early
        : await reproduceBuild({ input: buildInfo.input, solcVersion: buildInfo.solcVersion, contracts, ...(signal ? { signal } : {}) })
    for (const target of targets) {
      const { sourceName, contractName } = target.implementation.artifact
      const { runtimeCodeHash: runtime, creationCodeHash: creation } = again.contracts[`${sourceName}:${contractName}`]!
      if (runtime !== target.implementation.runtimeCodeHash || creation !== target.implementation.creationCodeHash) {
        findings.push(
          createFinding('build', 'build-not-reproducible', {
            target: target.target,
            message: `${target.implementation.contract}: a second compilation of the same input with solc ${buildInfo.solcVersion} gave runtime code ${runtime} (first: ${target.implementation.runtimeCodeHash})`,
            location: { file: sourceName, contract: contractName },
            details: {
              solcVersion: buildInfo.solcLongVersion,
              firstRuntimeHash: target.implementation.runtimeCodeHash,
              secondRuntimeHash: runtime,
              firstCreationHash: target.implementation.creationCodeHash,
              secondCreationHash: creation,
            },
          }),
        )
      }
    }
  }
  return findings
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never
}
