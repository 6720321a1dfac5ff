import { readFileSync } from 'node:fs'
import path from 'node:path'
import { lineColumnAt } from './diagnostics.js'
import { SourceNotFoundError, type MissingImport } from './errors.js'
import { parseImports } from './parseImports.js'
import { applyRemappings, parseRemapping, type Remapping } from './remappings.js'

export type ResolveSourcesParameters = {
  /** Project root: non-relative imports are looked up here first, then in node_modules. */
  root: string
  /** The sources to compile, by source unit name (`contracts/Vault.sol`) → content. */
  sources: Readonly<Record<string, string>>
  /** Import remappings (`[context:]prefix=target`), applied as solc applies them. */
  remappings?: readonly string[]
}

export type ResolveSourcesReturnType = {
  /** Every source unit the build needs, imports included, sorted by name. */
  sources: Record<string, string>
  /** Where each imported source was read from (absolute path); given sources are absent. */
  origins: Record<string, string>
}

/**
 * Follows imports transitively, the way solc names source units: `./` and `../` are resolved
 * against the importing unit's name, anything else is taken as a unit name as written
 * (`@openzeppelin/contracts/…`), then read from the project root or from `node_modules` in the
 * root or one of its parents. Every missing import is reported at once.
 *
 * @throws {SourceNotFoundError} when an import cannot be read.
 */
export function resolveSources({ root, sources, remappings = [] }: ResolveSourcesParameters): ResolveSourcesReturnType {
  const remaps = remappings.map(parseRemapping).filter((r): r is Remapping => r !== undefined)
  const resolved = new Map<string, string>(Object.entries(sources))
  const origins: Record<string, string> = {}
  const missing: MissingImport[] = []
  const queue = [...resolved.keys()]
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    const content = resolved.get(name)!
    for (const statement of parseImports(content)) {
      const sourceName = applyRemappings(remaps, name, importedSourceName(name, statement.path))
      if (resolved.has(sourceName)) continue
      const located = locateSource(root, sourceName)
      if (located.kind === 'found') {
        resolved.set(sourceName, located.content)
        origins[sourceName] = located.file
        queue.push(sourceName)
        continue
      }
      if (missing.some((m) => m.sourceName === sourceName && m.importer === name)) continue
      missing.push({
        importPath: statement.path,
        sourceName,
        importer: name,
        ...lineColumnAt(content, statement.index),
        reason: located.kind === 'outside-project' ? 'outside-project' : 'not-found',
      })
    }
  }
  if (missing.length > 0) throw new SourceNotFoundError({ missing })
  const sorted = [...resolved.keys()].sort()
  return { sources: Object.fromEntries(sorted.map((name) => [name, resolved.get(name)!])), origins }
}

/** solc's rule: only paths starting with `./` or `../` are relative to the importing unit. */
export function importedSourceName(importer: string, importPath: string): string {
  if (!importPath.startsWith('./') && !importPath.startsWith('../')) return importPath
  return path.posix.normalize(path.posix.join(path.posix.dirname(importer), importPath))
}

type Located = { kind: 'found'; file: string; content: string } | { kind: 'not-found'; searched: string[] } | { kind: 'outside-project' }

/**
 * Reads a source unit from disk. Names that climb out of the root or are absolute are refused:
 * sources may come from a submitted patch, and a build must not pull in arbitrary files.
 */
export function locateSource(root: string, sourceName: string): Located {
  const normalized = path.posix.normalize(sourceName)
  if (path.posix.isAbsolute(normalized) || normalized === '..' || normalized.startsWith('../')) return { kind: 'outside-project' }
  const searched: string[] = []
  for (const file of candidateFiles(root, normalized)) {
    searched.push(file)
    try {
      return { kind: 'found', file, content: readFileSync(file, 'utf8') }
    } catch (error) {
      if (!isMissingFile(error)) throw error
    }
  }
  return { kind: 'not-found', searched }
}

function* candidateFiles(root: string, sourceName: string): Generator<string> {
  yield path.join(root, sourceName)
  for (let dir = root; ; dir = path.dirname(dir)) {
    yield path.join(dir, 'node_modules', sourceName)
    if (path.dirname(dir) === dir) return
  }
}

function isMissingFile(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR'
}
