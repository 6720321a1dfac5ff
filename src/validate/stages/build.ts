import { createRequire } from 'node:module'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { encodeFunctionData, keccak256, type Abi, type AbiFunction, type AbiParameter, type Hex } from 'viem'
import { artifactsFromBuildInfo, fullyQualifiedName, type Artifact } from '../../compile/artifacts.js'
import type { BuildInfo, SolcInput, SolcOutput } from '../../compile/buildInfo.js'
import { compileProject } from '../../compile/compileProject.js'
import { getArtifact } from '../../compile/getArtifact.js'
import { readBuildInfo } from '../../compile/readBuildInfo.js'
import { createFinding } from '../findings.js'
import { targetName, type BuildSource, type ManifestTarget } from '../manifest.js'
import type { BuiltContract, Finding, StageContext, TargetBuild } from '../stage.js'

type Build = { buildInfo: BuildInfo; artifacts: Artifact[] }

export type BuildTargetsReturnType = { builds: TargetBuild[]; findings: Finding[] }

/**
 * The first half of the build stage: compiles (or reads) every target's new implementation and
 * reference build, picks the contracts, and encodes the initializer call. Identical sources are
 * compiled once. Compile failures throw (the stage could not run); a bad initializer is a finding.
 */
export async function buildTargets(context: Pick<StageContext, 'manifest' | 'manifestDir' | 'progress'>): Promise<BuildTargetsReturnType> {
  const builds = new Map<string, Promise<Build>>()
  const load = (source: BuildSource) => {
    const key = JSON.stringify({ ...source, contract: undefined })
    let build = builds.get(key)
    if (!build) {
      build = loadBuild(source, context)
      builds.set(key, build)
    }
    return build
  }
  const findings: Finding[] = []
  const targets: TargetBuild[] = []
  // Sequential: solc-js is synchronous, so concurrent compiles would only interleave progress lines.
  for (const target of context.manifest.targets) {
    const name = targetName(target)
    const implementationBuild = await load(target.implementation)
    const implementation = builtContract(implementationBuild, target.implementation.contract)
    let reference: TargetBuild['reference']
    if (target.reference) {
      reference = { ...builtContract(await load(target.reference), target.reference.contract), origin: 'manifest' }
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

async function loadBuild(source: BuildSource, context: Pick<StageContext, 'manifestDir' | 'progress'>): Promise<Build> {
  const settings = source.settings ? stripUndefined(source.settings) : undefined
  if (source.buildInfo !== undefined) {
    const file = path.resolve(context.manifestDir, source.buildInfo)
    context.progress(`reading build-info ${path.relative(context.manifestDir, file)}`)
    const buildInfo = await readBuildInfo(file)
    return { buildInfo, artifacts: artifactsFromBuildInfo(buildInfo) }
  }
  const [root, sources] =
    source.foundry !== undefined
      ? [path.resolve(context.manifestDir, source.foundry), ['src']]
      : [path.resolve(context.manifestDir, source.root ?? '.'), source.sources ?? []]
  context.progress(`compiling ${sources.join(', ')}`)
  const result = await compileProject({
    root,
    sources,
    ...(settings ? { settings } : {}),
    onProgress: (message) => context.progress(message),
  })
  return { buildInfo: result.buildInfo, artifacts: result.artifacts }
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
 * again, in a worker thread (so the other stages keep running), and compares the bytecode hashes.
 * A difference is a `build-not-reproducible` finding.
 */
export async function checkReproducible(builds: readonly TargetBuild[], signal?: AbortSignal): Promise<Finding[]> {
  const byBuild = new Map<string, { input: SolcInput; targets: TargetBuild[] }>()
  for (const build of builds) {
    const id = build.implementation.buildInfo.id
    const entry = byBuild.get(id) ?? { input: build.implementation.buildInfo.input, targets: [] }
    entry.targets.push(build)
    byBuild.set(id, entry)
  }
  const findings: Finding[] = []
  for (const { input, targets } of byBuild.values()) {
    const selection: Record<string, Record<string, string[]>> = {}
    for (const target of targets) {
      const { sourceName, contractName } = target.implementation.artifact
      selection[sourceName] ??= {}
      selection[sourceName][contractName] = ['evm.bytecode.object', 'evm.deployedBytecode.object']
    }
    const output = await compileInWorker({ ...input, settings: { ...input.settings, outputSelection: selection } }, signal)
    for (const target of targets) {
      const { sourceName, contractName } = target.implementation.artifact
      const again = output.contracts[sourceName]?.[contractName]?.evm
      const runtime = keccak256(`0x${(again?.deployedBytecode?.object ?? '').replace(/^0x/, '')}`)
      const creation = keccak256(`0x${(again?.bytecode?.object ?? '').replace(/^0x/, '')}`)
      if (runtime !== target.implementation.runtimeCodeHash || creation !== target.implementation.creationCodeHash) {
        findings.push(
          createFinding('build', 'build-not-reproducible', {
            target: target.target,
            message: `${target.implementation.contract}: a second compilation of the same input gave runtime code ${runtime} (first: ${target.implementation.runtimeCodeHash})`,
            location: { file: sourceName, contract: contractName },
            details: { firstRuntimeHash: target.implementation.runtimeCodeHash, secondRuntimeHash: runtime, firstCreationHash: target.implementation.creationCodeHash, secondCreationHash: creation },
          }),
        )
      }
    }
  }
  return findings
}

const require = createRequire(import.meta.url)

// Plain JavaScript so the worker needs no TypeScript loader; it only runs solc-js on one input.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads')
const solc = require(workerData.solcPath)
parentPort.postMessage(solc.compile(workerData.input))
`

function compileInWorker(input: SolcInput, signal?: AbortSignal): Promise<SolcOutput> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerSource, { eval: true, workerData: { solcPath: require.resolve('solc'), input: JSON.stringify(input) } })
    const abort = () => void worker.terminate()
    signal?.addEventListener('abort', abort, { once: true })
    worker.once('message', (raw: string) => {
      signal?.removeEventListener('abort', abort)
      void worker.terminate()
      try {
        resolve(JSON.parse(raw) as SolcOutput)
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)))
      }
    })
    worker.once('error', (error) => {
      signal?.removeEventListener('abort', abort)
      reject(error)
    })
    worker.once('exit', (code) => {
      if (signal?.aborted) reject(new Error('the reproducibility build was cancelled'))
      else if (code !== 0) reject(new Error(`the reproducibility build worker exited with code ${code}`))
    })
  })
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never
}
