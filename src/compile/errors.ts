import { BaseError } from '../errors/BaseError.js'
import type { CompilerDiagnostic } from './diagnostics.js'
import { formatDiagnostic } from './diagnostics.js'

/** solc rejected the sources; every error is listed as `file:line:column: Type: message`. */
export class CompileError extends BaseError {
  override readonly name = 'CompileError'
  /** The errors only (warnings never make a build fail), in solc's order. */
  readonly errors: readonly CompilerDiagnostic[]

  constructor({ errors, details }: { errors: readonly CompilerDiagnostic[]; details?: string }) {
    super('BW_COMPILE_FAILED', `Compilation failed with ${errors.length} error${errors.length === 1 ? '' : 's'}.`, {
      metaMessages: errors.map(formatDiagnostic),
      ...(details ? { details } : {}),
    })
    this.errors = errors
  }
}

export type MissingImport = {
  /** The path exactly as written in the import statement. */
  importPath: string
  /** The source unit name the import path resolves to. */
  sourceName: string
  /** The importing file and the 1-based position of its `import` keyword. */
  importer: string
  line: number
  column: number
  /** Why it could not be read: absent everywhere, or refused because it points outside the project. */
  reason: 'not-found' | 'outside-project'
}

/** An import (or a listed source) names a file that neither the project nor node_modules holds. */
export class SourceNotFoundError extends BaseError {
  override readonly name = 'SourceNotFoundError'
  readonly missing: readonly MissingImport[]

  constructor({ missing }: { missing: readonly MissingImport[] }) {
    const first = missing[0]
    const describe = (m: MissingImport) =>
      `${m.importer}:${m.line}:${m.column}: import "${m.importPath}"${
        m.reason === 'outside-project' ? ' points outside the project root' : ' was not found'
      }`
    super(
      'BW_SOURCE_NOT_FOUND',
      first
        ? `Import "${first.importPath}" in ${first.importer} could not be resolved${
            missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''
          }.`
        : 'An import could not be resolved.',
      {
        metaMessages: [
          ...missing.map(describe),
          'Imports are looked up in the project root, then in node_modules of the root and each parent folder.',
          ...packageHints(missing),
        ],
      },
    )
    this.missing = missing
  }
}

/** A source file or folder given to the compiler does not exist (or lies outside the project). */
export class SourcePathNotFoundError extends BaseError {
  override readonly name = 'SourcePathNotFoundError'
  readonly sourcePath: string

  constructor({ sourcePath, root, reason }: { sourcePath: string; root: string; reason: 'missing' | 'empty' | 'outside-project' }) {
    super(
      'BW_SOURCE_NOT_FOUND',
      reason === 'missing'
        ? `Source path "${sourcePath}" does not exist in the project.`
        : reason === 'empty'
          ? `Source path "${sourcePath}" holds no .sol files.`
          : `Source path "${sourcePath}" lies outside the project root.`,
      { metaMessages: [`Project root: ${root}`] },
    )
    this.sourcePath = sourcePath
  }
}

/** A build-info file cannot be read, is not JSON, or lacks the compiler input or output. */
export class BuildInfoInvalidError extends BaseError {
  override readonly name = 'BuildInfoInvalidError'
  readonly path: string

  constructor({ path, problem, hint, cause }: { path: string; problem: string; hint?: string; cause?: unknown }) {
    super('BW_BUILD_INFO_INVALID', `Build-info ${path} is not usable: ${problem}.`, {
      ...(hint ? { metaMessages: [hint] } : {}),
      cause,
    })
    this.path = path
  }
}

/** No contract, or more than one, answers to the requested name. */
export class ArtifactNotFoundError extends BaseError {
  override readonly name = 'ArtifactNotFoundError'
  readonly contract: string
  /** Full names (`source:Contract`) of the close matches, or of every contract sharing an ambiguous name. */
  readonly candidates: readonly string[]
  readonly ambiguous: boolean

  constructor({ contract, candidates, ambiguous, total }: { contract: string; candidates: readonly string[]; ambiguous: boolean; total: number }) {
    super(
      'BW_ARTIFACT_NOT_FOUND',
      ambiguous
        ? `Contract name "${contract}" is ambiguous: ${candidates.length} contracts have it.`
        : `Contract "${contract}" was not found in the build output.`,
      {
        metaMessages: ambiguous
          ? ['Use the full name (source:Contract), one of:', ...candidates.map((c) => `  ${c}`)]
          : candidates.length > 0
            ? ['Did you mean:', ...candidates.map((c) => `  ${c}`)]
            : [`No similar name among the ${total} contracts of this build.`],
      },
    )
    this.contract = contract
    this.candidates = candidates
    this.ambiguous = ambiguous
  }
}

function packageHints(missing: readonly MissingImport[]): string[] {
  const packages = new Set<string>()
  for (const m of missing) {
    if (m.reason !== 'not-found' || m.importPath.startsWith('.')) continue
    // Only scoped names are surely packages; `contracts/X.sol` is as likely a typo in a local path.
    const segments = m.sourceName.split('/')
    if (segments[0]?.startsWith('@') && segments.length > 2) packages.add(segments.slice(0, 2).join('/'))
  }
  return [...packages].map((name) => `If "${name}" is an npm package, install it: npm install ${name}`)
}

/** The solc release a build needs cannot be loaded: a malformed version, or fetching it from the npm registry failed. */
export class CompilerUnavailableError extends BaseError {
  override readonly name = 'CompilerUnavailableError'
  readonly version: string

  constructor({ version, reason }: { version: string; reason: string }) {
    super('BW_COMPILER_UNAVAILABLE', `solc ${version} is not available: ${reason}.`, {
      metaMessages: ['Bulwark fetches solc-js releases from the npm registry (solc@<version>) into BULWARK_SOLC_CACHE (default ~/.cache/bulwark/solc).'],
    })
    this.version = version
  }
}

/** The sources' `pragma solidity` ranges have no solc release in common. */
export class SolcVersionUnresolvedError extends BaseError {
  override readonly name = 'SolcVersionUnresolvedError'
  readonly pragmas: Readonly<Record<string, readonly string[]>>

  constructor({ pragmas }: { pragmas: Readonly<Record<string, readonly string[]>> }) {
    super('BW_SOLC_VERSION_UNRESOLVED', 'No solc release satisfies every `pragma solidity` of the sources.', {
      metaMessages: [
        ...Object.entries(pragmas).map(([file, ranges]) => `${file}: pragma solidity ${ranges.join('; ')}`),
        'Give the version explicitly ("compiler": { "version": "0.8.x" } in the manifest), or compile fewer files.',
      ],
    })
    this.pragmas = pragmas
  }
}

/** A Foundry or Hardhat project folder cannot be used as given. */
export class ProjectConfigInvalidError extends BaseError {
  override readonly name = 'ProjectConfigInvalidError'
  readonly path: string

  constructor({ path, problem, hint, cause }: { path: string; problem: string; hint?: string; cause?: unknown }) {
    super('BW_PROJECT_CONFIG_INVALID', `${path}: ${problem}.`, { ...(hint ? { metaMessages: [hint] } : {}), cause })
    this.path = path
  }
}
