import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import type { CompileSettings } from './buildInfo.js'
import { compileSources, type CompileSourcesParameters, type CompileSourcesReturnType } from './compileSources.js'
import { SourcePathNotFoundError } from './errors.js'

export type CompileProjectParameters = {
  /** Project root; default process.cwd(). */
  root?: string
  /** Source folders or .sol files, relative to root; default ['contracts']. */
  sources?: string[]
  /** default `${root}/cache/bulwark` */
  cacheDir?: string
  /** defaults: optimizer on, 200 runs, evmVersion 'cancun' on the bundled solc; `remappings` also steer import lookup */
  settings?: CompileSettings
  /** solc release; default: chosen from the pragmas (see `compileSources`). */
  solcVersion?: string
  /** Releases to try first when the version comes from the pragmas. */
  preferredSolcVersions?: readonly string[]
  /** A native solc binary instead of solc-js. */
  solcPath?: string
  /** e.g. 'compiling 42 files with solc 0.8.30…', 'cache hit' */
  onProgress?: (message: string) => void
  /** See `compileSources`. */
  beforeCompile?: CompileSourcesParameters['beforeCompile']
  /** See `compileSources`. */
  codeFor?: CompileSourcesParameters['codeFor']
}

export type CompileProjectReturnType = CompileSourcesReturnType

/**
 * Compiles every .sol file under the project's source folders, with all their imports
 * (OpenZeppelin and other npm packages) resolved from the root and node_modules.
 *
 * @throws {SourcePathNotFoundError} a listed source folder or file is missing or holds no .sol file.
 * @throws {SourceNotFoundError} an import cannot be resolved.
 * @throws {CompileError} solc reported errors.
 */
export async function compileProject(parameters: CompileProjectParameters = {}): Promise<CompileProjectReturnType> {
  const root = path.resolve(parameters.root ?? process.cwd())
  const files = new Set<string>()
  for (const sourcePath of parameters.sources ?? ['contracts']) {
    for (const file of await solidityFiles(root, sourcePath)) files.add(file)
  }
  const sources: Record<string, string> = {}
  for (const file of [...files].sort()) {
    sources[path.relative(root, file).split(path.sep).join('/')] = await readFile(file, 'utf8')
  }
  return compileSources({
    root,
    sources,
    ...(parameters.cacheDir === undefined ? {} : { cacheDir: parameters.cacheDir }),
    ...(parameters.settings === undefined ? {} : { settings: parameters.settings }),
    ...(parameters.solcVersion === undefined ? {} : { solcVersion: parameters.solcVersion }),
    ...(parameters.preferredSolcVersions === undefined ? {} : { preferredSolcVersions: parameters.preferredSolcVersions }),
    ...(parameters.solcPath === undefined ? {} : { solcPath: parameters.solcPath }),
    ...(parameters.onProgress === undefined ? {} : { onProgress: parameters.onProgress }),
    ...(parameters.beforeCompile === undefined ? {} : { beforeCompile: parameters.beforeCompile }),
    ...(parameters.codeFor === undefined ? {} : { codeFor: parameters.codeFor }),
  })
}

export async function solidityFiles(root: string, sourcePath: string): Promise<string[]> {
  const absolute = path.resolve(root, sourcePath)
  const relative = path.relative(root, absolute)
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new SourcePathNotFoundError({ sourcePath, root, reason: 'outside-project' })
  }
  const stats = await stat(absolute).catch(() => undefined)
  if (!stats) throw new SourcePathNotFoundError({ sourcePath, root, reason: 'missing' })
  if (stats.isFile()) return [absolute]
  const entries = await readdir(absolute, { recursive: true, withFileTypes: true })
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.sol'))
    .map((entry) => path.join(entry.parentPath, entry.name))
  if (files.length === 0) throw new SourcePathNotFoundError({ sourcePath, root, reason: 'empty' })
  return files
}
