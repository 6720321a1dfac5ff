import type { Hex } from 'viem'
import { artifactsFromBuildInfo, fullyQualifiedName } from '../compile/artifacts.js'
import type { BuildInfo, SolcContractOutput } from '../compile/buildInfo.js'
import { getArtifact } from '../compile/getArtifact.js'
import { parseImports } from '../compile/parseImports.js'
import { importedSourceName } from '../compile/resolveSources.js'
import { stripMetadata } from './bytecode.js'
import type { SourceRegion } from './fingerprint.js'
import { identifyLibraryComponent, type LibraryComponent, type PackageLocator } from './libraryComponent.js'

export type FingerprintBuildInfoParameters = {
  buildInfo: BuildInfo
  /** `path/File.sol:Contract` (or a unique contract name) of the implementation; found from `code` when absent. */
  contract?: string | undefined
  /** The deployed code, used to find the implementation in the build when `contract` is not given. */
  code?: Hex | undefined
  locate?: PackageLocator | undefined
}

export type SourceFingerprint = {
  /** `source:Contract`, or undefined when the build holds several candidates and none was named or matched by code. */
  contract?: string
  components: LibraryComponent[]
  sources: Record<string, string>
  regions: SourceRegion[]
}

/**
 * What an implementation compiled from a build-info contains: its import closure (from the AST's
 * resolved imports), the package files and versions in it, and the text regions of the contract
 * and its bases for source patterns. With neither `contract` nor a matching `code`, every project
 * source of the build is taken.
 *
 * @throws {ArtifactNotFoundError} `contract` names no contract of the build.
 */
export function fingerprintBuildInfo({ buildInfo, contract, code, locate }: FingerprintBuildInfoParameters): SourceFingerprint {
  const artifacts = artifactsFromBuildInfo(buildInfo)
  const target = contract !== undefined ? getArtifact({ artifacts }, contract) : code !== undefined ? findByCode(buildInfo, code) : undefined
  const roots = target ? [target.sourceName] : artifacts.filter((artifact) => !artifact.external).map((artifact) => artifact.sourceName)
  const closure = importClosure(buildInfo, roots.length > 0 ? roots : Object.keys(buildInfo.input.sources))
  const sources = Object.fromEntries(closure.map((name) => [name, buildInfo.input.sources[name]!.content]))
  const components = closure.flatMap((name) => identifyLibraryComponent(name, sources[name]!, locate) ?? [])
  const regions = target ? contractRegions(buildInfo, closure, target.sourceName, target.contractName) : undefined
  const library = new Set(components.map((component) => component.sourceName))
  return {
    ...(target ? { contract: fullyQualifiedName(target) } : {}),
    components,
    sources,
    regions: regions ?? closure.filter((name) => !library.has(name)).map((name) => ({ sourceName: name, start: 0, end: sources[name]!.length })),
  }
}

type AstNode = { nodeType?: string; id?: number; name?: string; src?: string; absolutePath?: string; contractKind?: string; linearizedBaseContracts?: number[]; nodes?: AstNode[] }

function astOf(buildInfo: BuildInfo, sourceName: string): AstNode | undefined {
  const ast = buildInfo.output.sources[sourceName]?.ast
  return typeof ast === 'object' && ast !== null ? (ast as AstNode) : undefined
}

/** Source units reachable from `roots` through imports, resolved by solc (AST) or, without AST, by path and remappings. */
function importClosure(buildInfo: BuildInfo, roots: readonly string[]): string[] {
  const known = buildInfo.input.sources
  const remappings = ((buildInfo.input.settings as { remappings?: unknown }).remappings as string[] | undefined) ?? []
  const seen = new Set<string>()
  const queue = roots.filter((name) => name in known)
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (seen.has(name)) continue
    seen.add(name)
    const ast = astOf(buildInfo, name)
    const imported = ast
      ? (ast.nodes ?? []).filter((node) => node.nodeType === 'ImportDirective' && node.absolutePath).map((node) => node.absolutePath!)
      : parseImports(known[name]!.content).map((statement) => remap(importedSourceName(name, statement.path), remappings))
    for (const next of imported) if (next in known && !seen.has(next)) queue.push(next)
  }
  return [...seen].sort()
}

function remap(sourceName: string, remappings: readonly string[]): string {
  let best: { from: string; to: string } | undefined
  for (const remapping of remappings) {
    const [from, to] = remapping.replace(/^[^:=]*:/, '').split('=')
    if (from && to !== undefined && sourceName.startsWith(from) && (!best || from.length > best.from.length)) best = { from, to }
  }
  return best ? best.to + sourceName.slice(best.from.length) : sourceName
}

/** The source text of the contract and of every base it inherits, plus the libraries of its closure (byte offsets → string offsets). */
function contractRegions(buildInfo: BuildInfo, closure: readonly string[], sourceName: string, contractName: string): SourceRegion[] | undefined {
  const definitions = new Map<number, { sourceName: string; node: AstNode }>()
  for (const name of closure) {
    const ast = astOf(buildInfo, name)
    if (!ast) return undefined
    for (const node of ast.nodes ?? []) if (node.nodeType === 'ContractDefinition' && node.id !== undefined) definitions.set(node.id, { sourceName: name, node })
  }
  const target = [...definitions.values()].find((definition) => definition.sourceName === sourceName && definition.node.name === contractName)
  if (!target) return undefined
  const ids = new Set(target.node.linearizedBaseContracts ?? [target.node.id!])
  for (const [id, definition] of definitions) if (definition.node.contractKind === 'library') ids.add(id)
  const regions: SourceRegion[] = []
  for (const id of ids) {
    const definition = definitions.get(id)
    const [start, length] = (definition?.node.src ?? '').split(':').map(Number)
    if (!definition || start === undefined || length === undefined || Number.isNaN(start)) continue
    const content = buildInfo.input.sources[definition.sourceName]!.content
    const bytes = Buffer.from(content, 'utf8')
    const from = bytes.subarray(0, start).toString('utf8').length
    const to = from + bytes.subarray(start, start + length).toString('utf8').length
    regions.push({ sourceName: definition.sourceName, start: from, end: to, ...(definition.node.name ? { contract: definition.node.name } : {}) })
  }
  return regions
}

/** The build's contract whose runtime code is the deployed code (immutables and metadata aside), if exactly one is. */
function findByCode(buildInfo: BuildInfo, code: Hex) {
  const matches: { sourceName: string; contractName: string }[] = []
  for (const [sourceName, contracts] of Object.entries(buildInfo.output.contracts ?? {})) {
    for (const [contractName, output] of Object.entries(contracts)) {
      if (sameRuntime(code, output)) matches.push({ sourceName, contractName })
    }
  }
  return matches.length === 1 ? matches[0] : undefined
}

function sameRuntime(code: Hex, output: SolcContractOutput): boolean {
  const object = output.evm?.deployedBytecode?.object
  if (!object || object.length !== code.length - 2) return false
  let onChain = code.slice(2).toLowerCase()
  const immutables = (output.evm?.deployedBytecode as { immutableReferences?: Record<string, { start: number; length: number }[]> } | undefined)?.immutableReferences ?? {}
  for (const references of Object.values(immutables)) {
    for (const { start, length } of references) onChain = onChain.slice(0, start * 2) + object.slice(start * 2, (start + length) * 2).toLowerCase() + onChain.slice((start + length) * 2)
  }
  return stripMetadata(`0x${onChain}`) === stripMetadata(`0x${object}`)
}
