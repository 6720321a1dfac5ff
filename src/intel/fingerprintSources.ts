import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { SourcePathNotFoundError } from '../compile/errors.js'
import { resolveSources } from '../compile/resolveSources.js'
import type { SourceFingerprint } from './fingerprintBuildInfo.js'
import { createPackageLocator, identifyLibraryComponent, type PackageLocator } from './libraryComponent.js'

/**
 * What a contract contains when only its source is known (the project file's `source`,
 * `path/File.sol:Contract`): the file and its imports as resolved from the project root and
 * node_modules, with package versions read from the package.json files they sit in.
 *
 * @throws {SourcePathNotFoundError} the file does not exist or lies outside the root.
 * @throws {SourceNotFoundError} an import cannot be resolved.
 */
export async function fingerprintSourceFile({ root, source, locate }: { root: string; source: string; locate?: PackageLocator }): Promise<SourceFingerprint> {
  const [file, contractName] = source.split(':') as [string, string | undefined]
  const sourceName = path.relative(root, path.resolve(root, file)).split(path.sep).join('/')
  if (sourceName.startsWith('..') || path.isAbsolute(sourceName)) throw new SourcePathNotFoundError({ sourcePath: file, root, reason: 'outside-project' })
  let content: string
  try {
    content = await readFile(path.resolve(root, file), 'utf8')
  } catch {
    throw new SourcePathNotFoundError({ sourcePath: file, root, reason: 'missing' })
  }
  const { sources } = resolveSources({ root, sources: { [sourceName]: content } })
  return describeSources(sources, locate ?? createPackageLocator(root), contractName ? `${sourceName}:${contractName}` : undefined)
}

/**
 * What a folder of Solidity sources contains (a verified-source dump, a flattened repository, a
 * Foundry `lib/`): every `.sol` file below it, named by its path in the folder.
 */
export async function fingerprintSourceFolder({ folder }: { folder: string }): Promise<SourceFingerprint> {
  let names: string[]
  try {
    names = (await readdir(folder, { recursive: true })).filter((name) => name.endsWith('.sol')).sort()
  } catch {
    throw new SourcePathNotFoundError({ sourcePath: folder, root: folder, reason: 'missing' })
  }
  if (names.length === 0) throw new SourcePathNotFoundError({ sourcePath: folder, root: folder, reason: 'empty' })
  const sources: Record<string, string> = {}
  for (const name of names) sources[name.split(path.sep).join('/')] = await readFile(path.join(folder, name), 'utf8')
  return describeSources(sources, createPackageLocator(folder), undefined)
}

function describeSources(sources: Record<string, string>, locate: PackageLocator, contract: string | undefined): SourceFingerprint {
  const components = Object.entries(sources).flatMap(([name, content]) => identifyLibraryComponent(name, content, locate) ?? [])
  const library = new Set(components.map((component) => component.sourceName))
  return {
    ...(contract ? { contract } : {}),
    components,
    sources,
    regions: Object.keys(sources)
      .filter((name) => !library.has(name))
      .map((name) => ({ sourceName: name, start: 0, end: sources[name]!.length })),
  }
}
