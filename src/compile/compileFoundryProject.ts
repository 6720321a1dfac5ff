import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { CompileSettings } from './buildInfo.js'
import { compileProject, solidityFiles } from './compileProject.js'
import type { CompileSourcesParameters, CompileSourcesReturnType } from './compileSources.js'
import { SolcVersionUnresolvedError } from './errors.js'
import { readFoundryConfig, type FoundryConfig } from './readFoundryConfig.js'

export type CompileFoundryProjectParameters = {
  /** The Foundry project folder (holds foundry.toml). */
  root: string
  cacheDir?: string
  /** Settings that override foundry.toml's (e.g. from a manifest). */
  settings?: CompileSettings
  /** Overrides foundry.toml's `solc`. */
  solcVersion?: string
  solcPath?: string
  /** Releases to try first when neither the caller nor foundry.toml fixes the version. */
  preferredSolcVersions?: readonly string[]
  /**
   * The contract wanted (`Pool` or `src/Pool.sol:Pool`). When the files of `src` admit no common
   * release (a project built with several compilers), only the file declaring it is compiled.
   */
  contract?: string
  onProgress?: (message: string) => void
  /** See `compileSources`. */
  beforeCompile?: CompileSourcesParameters['beforeCompile']
  /** See `compileSources`. */
  codeFor?: CompileSourcesParameters['codeFor']
}

export type CompileFoundryProjectReturnType = CompileSourcesReturnType & { config: FoundryConfig }

/**
 * Compiles a Foundry project's `src` as `forge build` does, without touching the project: version,
 * optimizer, EVM version, via-IR, metadata and libraries from foundry.toml; imports through its
 * remappings (foundry.toml, remappings.txt, and those detected in `lib/`). Build output goes to
 * `cacheDir`, never into the project.
 */
export async function compileFoundryProject(parameters: CompileFoundryProjectParameters): Promise<CompileFoundryProjectReturnType> {
  const root = path.resolve(parameters.root)
  const config = readFoundryConfig(root)
  const settings: CompileSettings = { ...config.settings, ...parameters.settings, remappings: [...config.remappings, ...(parameters.settings?.remappings ?? [])] }
  const solcPath = parameters.solcVersion === undefined ? (parameters.solcPath ?? config.solcPath) : parameters.solcPath
  const solcVersion = parameters.solcVersion ?? (solcPath === undefined ? config.solcVersion : undefined)
  const common = {
    root,
    settings,
    ...(parameters.cacheDir === undefined ? {} : { cacheDir: parameters.cacheDir }),
    ...(solcVersion === undefined ? {} : { solcVersion }),
    ...(solcPath === undefined ? {} : { solcPath }),
    ...(parameters.preferredSolcVersions === undefined ? {} : { preferredSolcVersions: parameters.preferredSolcVersions }),
    ...(parameters.onProgress === undefined ? {} : { onProgress: parameters.onProgress }),
    ...(parameters.beforeCompile === undefined ? {} : { beforeCompile: parameters.beforeCompile }),
    ...(parameters.codeFor === undefined ? {} : { codeFor: parameters.codeFor }),
  }
  try {
    return { ...(await compileProject({ ...common, sources: [config.src] })), config }
  } catch (error) {
    if (!(error instanceof SolcVersionUnresolvedError) || parameters.contract === undefined) throw error
    const file = await declaringFile(root, config.src, parameters.contract)
    if (file === undefined) throw error
    parameters.onProgress?.(`src needs several compilers; compiling ${file} alone`)
    return { ...(await compileProject({ ...common, sources: [file] })), config }
  }
}

async function declaringFile(root: string, src: string, contract: string): Promise<string | undefined> {
  const colon = contract.lastIndexOf(':')
  if (colon !== -1) return contract.slice(0, colon)
  const declaration = new RegExp(`\\b(?:contract|library|interface)\\s+${contract.replace(/[$]/g, '\\$')}\\b`)
  const matches: string[] = []
  for (const file of await solidityFiles(root, src)) {
    if (declaration.test(await readFile(file, 'utf8'))) matches.push(path.relative(root, file).split(path.sep).join('/'))
  }
  return matches.length === 1 ? matches[0] : undefined
}
