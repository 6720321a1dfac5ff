import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { artifactsFromBuildInfo, type Artifact } from './artifacts.js'
import { analysisOutputSelection, buildInfoFormat, codeOutputSelection, outputSelectionFor, solcSettings, type BuildInfo, type CompileSettings, type SolcInput } from './buildInfo.js'
import { writeFileAtomic } from './cacheFiles.js'
import { toDiagnostics, type CompilerDiagnostic } from './diagnostics.js'
import { CompileError, SolcVersionUnresolvedError } from './errors.js'
import { nativeSolcVersion } from './nativeSolc.js'
import { parseRange, readPragmas, type VersionRange } from './pragmaRange.js'
import { pickSolcRelease } from './solcReleases.js'
import { RecentBuilds } from './recentBuilds.js'
import { locateSource, resolveSources } from './resolveSources.js'
import { releaseOf } from './loadCompiler.js'
import { runSolc, solcVersion, type RunSolcReturnType } from './runSolc.js'

export type CompileSourcesParameters = {
  /** Project root for import lookup (and node_modules above it); default process.cwd(). */
  root?: string
  /**
   * The sources to compile: source unit name (`contracts/VaultV2.sol`) → content. Their
   * imports are read from `root` and node_modules. These count as the project's own sources.
   */
  sources: Readonly<Record<string, string>>
  /** default `${root}/cache/bulwark` */
  cacheDir?: string
  settings?: CompileSettings
  /**
   * solc release to compile with ('0.8.10'). Default: chosen from the sources' `pragma solidity`
   * ranges: the first of `preferredSolcVersions` that satisfies them all, else the bundled solc-js,
   * else the newest satisfying release. Others than the bundled one are fetched from the npm registry once.
   */
  solcVersion?: string
  /** Releases to try first when the version comes from the pragmas (e.g. the compiler that built the code on chain). */
  preferredSolcVersions?: readonly string[]
  /** A native solc binary (run with `--standard-json`) instead of solc-js; its own version is used. */
  solcPath?: string
  onProgress?: (message: string) => void
  /**
   * Called with the exact Standard JSON input and release just before solc runs (not on a cache
   * hit) and awaited: e.g. to start the reproducibility recompile in a worker beside this one.
   */
  beforeCompile?: (input: SolcInput, release: string) => Promise<void>
  /**
   * Generate code only for these contracts (`Name` or `path/File.sol:Name`); the others keep their
   * ABI, storage layout and AST but come without bytecode (`0x` in the artifacts, none written to
   * `cacheDir/artifacts`). Default: every contract. See `outputSelectionFor`.
   */
  codeFor?: readonly string[]
}

export type CompileSourcesReturnType = {
  buildInfo: BuildInfo
  /** `cacheDir/build-info/<id>.json` */
  buildInfoPath: string
  /** Every contract of the build, imported ones marked `external: true`. */
  artifacts: Artifact[]
  /** True when the build-info came from the cache and solc did not run. */
  cached: boolean
  /** solc warnings (and infos) of the build; warnings never make it fail. */
  warnings: CompilerDiagnostic[]
  durationMs: number
}

/**
 * Compiles an explicit set of sources with the given solc release (default: the one their pragmas ask for), every import inlined in the
 * Standard JSON input. The build is cached by a hash of (solc version, settings, every source
 * content): an unchanged set is answered from `cacheDir` without running solc.
 *
 * @throws {SourceNotFoundError} an import cannot be resolved.
 * @throws {CompileError} solc reported errors.
 */
export async function compileSources(parameters: CompileSourcesParameters): Promise<CompileSourcesReturnType> {
  const started = performance.now()
  const root = path.resolve(parameters.root ?? process.cwd())
  const cacheDir = path.resolve(root, parameters.cacheDir ?? path.join('cache', 'bulwark'))
  const onProgress = parameters.onProgress ?? (() => {})

  const { sources } = resolveSources({ root, sources: parameters.sources, ...(parameters.settings?.remappings ? { remappings: parameters.settings.remappings } : {}) })
  const version =
    parameters.solcPath !== undefined
      ? releaseOf(await nativeSolcVersion(parameters.solcPath))
      : parameters.solcVersion !== undefined
        ? releaseOf(parameters.solcVersion)
        : await versionFromPragmas(sources, parameters.preferredSolcVersions ?? [])
  const input: SolcInput = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([name, content]) => [name, { content }])),
    settings: solcSettings(parameters.settings, { bundled: version === solcVersion() }),
  }
  if (parameters.codeFor !== undefined) input.settings.outputSelection = outputSelectionFor(parameters.codeFor)
  const userSourceNameMap = Object.fromEntries(Object.keys(parameters.sources).sort().map((name) => [name, name]))
  // Which sources are the project's own is part of the key: it decides `external` in the artifacts.
  const id = createHash('sha256')
    .update(JSON.stringify({ solc: version, input, userSourceNameMap }))
    .digest('hex')
    .slice(0, 32)
  const buildInfoPath = path.join(cacheDir, 'build-info', `${id}.json`)

  const cachedBuildInfo = await readCachedBuildInfo(buildInfoPath)
  if (cachedBuildInfo) {
    onProgress('cache hit')
    return {
      buildInfo: cachedBuildInfo,
      buildInfoPath,
      artifacts: artifactsFromBuildInfo(cachedBuildInfo),
      cached: true,
      warnings: toDiagnostics(cachedBuildInfo.output.errors, cachedBuildInfo.input),
      durationMs: performance.now() - started,
    }
  }

  const fileCount = Object.keys(input.sources).length
  onProgress(`compiling ${fileCount} file${fileCount === 1 ? '' : 's'} with solc ${version}…`)
  await parameters.beforeCompile?.(input, version)
  const readSource = (sourceName: string) => {
    const located = locateSource(root, sourceName)
    return located.kind === 'found' ? located.content : undefined
  }
  const options = { version, ...(parameters.solcPath !== undefined ? { solcPath: parameters.solcPath } : {}) }
  const { output, solcLongVersion, loadedSources } =
    parameters.codeFor === undefined ? await runSolc(input, readSource, options) : await runSolcWithCodeFor(input, parameters.codeFor, readSource, options)
  // The import scan should find everything; if solc still fetched a file, keep the input complete.
  for (const [name, content] of Object.entries(loadedSources)) input.sources[name] = { content }

  const diagnostics = toDiagnostics(output.errors, input)
  const errors = diagnostics.filter((d) => d.severity === 'error')
  if (errors.length > 0) throw new CompileError({ errors })

  const buildInfo: BuildInfo = {
    _format: buildInfoFormat,
    id,
    solcVersion: version,
    solcLongVersion,
    input,
    output,
    userSourceNameMap,
  }
  const artifacts = artifactsFromBuildInfo(buildInfo)
  // A contract compiled without code (see `codeFor`) would overwrite a complete artifact of the same name.
  const withCode = artifacts.filter((artifact) => output.contracts[artifact.sourceName]?.[artifact.contractName]?.evm?.bytecode !== undefined)
  await Promise.all(
    withCode.map((artifact) =>
      writeFileAtomic(
        path.join(cacheDir, 'artifacts', artifact.sourceName, `${artifact.contractName}.json`),
        `${JSON.stringify(artifact, null, 2)}\n`,
      ),
    ),
  )
  // Written last: its presence is what marks the build as cached, so it must follow the artifacts.
  await writeFileAtomic(buildInfoPath, JSON.stringify(buildInfo))
  recent.set(buildInfoPath, buildInfo)
  return {
    buildInfo,
    buildInfoPath,
    artifacts,
    cached: false,
    warnings: diagnostics.filter((d) => d.severity !== 'error'),
    durationMs: performance.now() - started,
  }
}

/**
 * The output of `input` (whose selection is `outputSelectionFor(codeFor)`) in two solc runs: the
 * analysis of every contract, then the code of `codeFor` alone. One run with that selection would
 * give the same output but generate code for every contract (solc decides per contract), which is
 * most of the time of a large closure. The second run is skipped when the first reports errors.
 */
async function runSolcWithCodeFor(
  input: SolcInput,
  codeFor: readonly string[],
  readSource: (sourceName: string) => string | undefined,
  options: { version: string; solcPath?: string },
): Promise<RunSolcReturnType> {
  const withSelection = (outputSelection: NonNullable<SolcInput['settings']['outputSelection']>): SolcInput => ({ ...input, settings: { ...input.settings, outputSelection } })
  const analysis = await runSolc(withSelection(analysisOutputSelection), readSource, options)
  if ((analysis.output.errors ?? []).some((error) => error.severity === 'error')) return analysis
  const code = await runSolc(withSelection(codeOutputSelection(codeFor)), readSource, options)
  const contracts = Object.fromEntries(Object.entries(analysis.output.contracts).map(([file, byName]) => [file, { ...byName }]))
  for (const [file, byName] of Object.entries(code.output.contracts)) {
    for (const [name, contract] of Object.entries(byName)) contracts[file] = { ...contracts[file], [name]: { ...contracts[file]?.[name], ...contract } }
  }
  // Code generation reports its own errors (stack too deep) and warnings; analysis ones come twice.
  const seen = new Set((analysis.output.errors ?? []).map((error) => error.formattedMessage ?? error.message))
  const errors = [...(analysis.output.errors ?? []), ...(code.output.errors ?? []).filter((error) => !seen.has(error.formattedMessage ?? error.message))]
  return {
    output: { ...(errors.length > 0 ? { errors } : {}), sources: analysis.output.sources, contracts },
    solcLongVersion: analysis.solcLongVersion,
    loadedSources: { ...analysis.loadedSources, ...code.loadedSources },
  }
}

// Cache files are content-addressed and written once, so the path alone identifies the content.
const recent = new RecentBuilds()

async function readCachedBuildInfo(file: string): Promise<BuildInfo | undefined> {
  const known = recent.get(file)
  if (known) return known
  const read = await parseCachedBuildInfo(file)
  if (read) recent.set(file, read)
  return read
}

async function parseCachedBuildInfo(file: string): Promise<BuildInfo | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return undefined
  }
  try {
    const buildInfo = JSON.parse(text) as BuildInfo
    return buildInfo._format === buildInfoFormat && buildInfo.output?.contracts ? buildInfo : undefined
  } catch {
    // A corrupt cache entry (disk full, manual edit) is rebuilt rather than trusted.
    return undefined
  }
}

/**
 * The release every `pragma solidity` of the source closure accepts: a preferred one (the chain's,
 * then the bundled solc-js, which needs no fetch and keeps builds stable as new releases appear),
 * else the newest satisfying release.
 *
 * @throws {SolcVersionUnresolvedError} no release satisfies every pragma.
 */
export async function versionFromPragmas(sources: Readonly<Record<string, string>>, preferred: readonly string[] = []): Promise<string> {
  const pragmas: Record<string, string[]> = {}
  const ranges: VersionRange[] = []
  for (const [name, content] of Object.entries(sources)) {
    const found = readPragmas(content)
    if (found.length > 0) pragmas[name] = found
    for (const text of found) {
      const range = parseRange(text)
      // A pragma this reader does not understand is left for solc to judge.
      if (range) ranges.push(range)
    }
  }
  const release = await pickSolcRelease(ranges, { preferred: [...preferred, solcVersion()] })
  if (release === undefined) throw new SolcVersionUnresolvedError({ pragmas })
  return release
}
