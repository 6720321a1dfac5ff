import type { SolcInput, SolcOutput } from './buildInfo.js'
import { CompileError } from './errors.js'
import { bundledSolcVersion, loadCompiler } from './loadCompiler.js'
import { compileWithNativeSolc, nativeSolcVersion } from './nativeSolc.js'

/** The bundled solc version ('0.8.30'), read from the package without loading the compiler. */
export function solcVersion(): string {
  return bundledSolcVersion()
}

export type RunSolcReturnType = {
  output: SolcOutput
  /** e.g. '0.8.30+commit.73712a01' (the platform suffix solc-js reports is dropped). */
  solcLongVersion: string
  /** Sources solc asked for through the import callback, i.e. ones the import scan missed. */
  loadedSources: Record<string, string>
}

/**
 * Runs solc's Standard JSON interface with the given release (default: the bundled one), or with a
 * native solc binary when `solcPath` is given. The import callback is a fallback only: callers pass
 * every source inline, and whatever solc still asks for is reported back so it can be added
 * to the build-info input.
 */
export async function runSolc(
  input: SolcInput,
  readSource: (sourceName: string) => string | undefined,
  options: { version?: string; solcPath?: string } = {},
): Promise<RunSolcReturnType> {
  const loadedSources: Record<string, string> = {}
  if (options.solcPath !== undefined) {
    const solcLongVersion = await nativeSolcVersion(options.solcPath)
    return { output: parseOutput(await compileWithNativeSolc(options.solcPath, JSON.stringify(input))), solcLongVersion, loadedSources }
  }
  const solc = await loadCompiler(options.version)
  let raw: string
  try {
    raw = solc.compile(JSON.stringify(input), {
      import: (sourceName) => {
        const content = readSource(sourceName)
        if (content === undefined) return { error: 'File not found in the project or node_modules' }
        loadedSources[sourceName] = content
        return { contents: content }
      },
    })
  } catch (error) {
    // solc-js aborts (rather than reporting) on internal compiler errors.
    throw new CompileError({
      errors: [{ severity: 'error', type: 'InternalCompilerError', message: error instanceof Error ? error.message : String(error) }],
    })
  }
  return { output: parseOutput(raw), solcLongVersion: longVersion(solc.version()), loadedSources }
}

function parseOutput(raw: string): SolcOutput {
  const output = JSON.parse(raw) as Partial<SolcOutput>
  return { ...(output.errors ? { errors: output.errors } : {}), sources: output.sources ?? {}, contracts: output.contracts ?? {} }
}

function longVersion(reported: string): string {
  return /^\d+\.\d+\.\d+(?:-[\w.]+)?\+commit\.[0-9a-f]+/.exec(reported)?.[0] ?? reported
}
