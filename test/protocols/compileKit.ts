import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Abi, Hex } from 'viem'
import type { Artifact } from '../../src/compile/artifacts.js'
import type { BuildInfo, CompileSettings } from '../../src/compile/buildInfo.js'
import { compileSources } from '../../src/compile/compileSources.js'
import { getArtifact } from '../../src/compile/getArtifact.js'

/** The repository root: imports are resolved from its node_modules, builds cached in its cache/bulwark. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** One protocol kit's build: every contract of it, the build-info, and how long it took. */
export type KitBuild = {
  /** Kit name (`aave-v3`, `uniswap-v2`, …), used in messages. */
  kit: string
  solcVersion: string
  settings: CompileSettings
  artifacts: Artifact[]
  buildInfo: BuildInfo
  buildInfoPath: string
  /** True when the content-hash cache answered and solc did not run. */
  cached: boolean
  durationMs: number
}

export type CompileKitParameters = {
  kit: string
  /**
   * Entry source unit names as they resolve from node_modules (`@aave/core-v3/contracts/…`) or
   * from the repository (`test/protocols/contracts/…`); their imports are followed.
   */
  entries: readonly string[]
  solcVersion: string
  settings: CompileSettings
  /**
   * Source units whose content replaces what node_modules holds (a patched `Pool.sol`), or that are
   * added to the build; given by source unit name, they win over the imported file of that name.
   */
  overrides?: Readonly<Record<string, string>> | undefined
  /** Build cache (default `cache/bulwark` in the repository). */
  cacheDir?: string | undefined
  onProgress?: ((message: string) => void) | undefined
}

/** Compiles a kit's entry sources with the given solc release, cached by content hash in cache/bulwark. */
export async function compileKit({ kit, entries, solcVersion, settings, overrides, cacheDir, onProgress }: CompileKitParameters): Promise<KitBuild> {
  const sources = { ...Object.fromEntries(entries.map((entry) => [entry, readFileSync(locate(entry), 'utf8')])), ...overrides }
  const result = await compileSources({
    root: repoRoot,
    sources,
    solcVersion,
    settings,
    ...(cacheDir !== undefined ? { cacheDir } : {}),
    ...(onProgress ? { onProgress: (message: string) => onProgress(`${kit}: ${message}`) } : {}),
  })
  return {
    kit,
    solcVersion,
    settings,
    artifacts: result.artifacts,
    buildInfo: result.buildInfo,
    buildInfoPath: result.buildInfoPath,
    cached: result.cached,
    durationMs: result.durationMs,
  }
}

function locate(sourceName: string): string {
  if (sourceName.startsWith('test/')) return path.join(repoRoot, sourceName)
  return path.join(repoRoot, 'node_modules', sourceName)
}

/** A contract of a kit build by short or full name (see `getArtifact`), with its ABI typed loosely. */
export function kitArtifact(build: KitBuild, name: string): Artifact & { abi: Abi; bytecode: Hex } {
  return getArtifact(build, name)
}
