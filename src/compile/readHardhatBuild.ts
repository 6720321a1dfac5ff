import { readFile, readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { BuildInfo } from './buildInfo.js'
import { ProjectConfigInvalidError } from './errors.js'
import { readBuildInfo } from './readBuildInfo.js'

export type ReadHardhatBuildReturnType = {
  buildInfo: BuildInfo
  /** The build-info file used. */
  file: string
}

/**
 * The build-info Hardhat (2 or 3) wrote for a contract under `<root>/artifacts/build-info`, read as
 * given: hardhat.config is code and is never run, so its compiler and settings are known only from
 * what Hardhat recorded. A build-info whose project sources differ from the files on disk is stale
 * and not used. Among fresh ones holding the contract, the newest wins.
 *
 * @returns undefined when the project has no build-info at all (never compiled).
 * @throws {ProjectConfigInvalidError} build-infos exist, but none is fresh and holds the contract.
 */
export async function readHardhatBuild({ root, contract }: { root: string; contract: string }): Promise<ReadHardhatBuildReturnType | undefined> {
  return readProjectBuild({ root, directory: path.join(root, 'artifacts', 'build-info'), contract, hint: 'Run `npx hardhat compile` in the project, or give the build-info file itself ("buildInfo").' })
}

/**
 * The newest fresh build-info in a project's build-info folder (Hardhat's `artifacts/build-info`,
 * Foundry's `out/build-info`) that holds `contract`. With `complete`, only build-infos that carry
 * everything validation needs (the contract's storage layout and code, every source's AST) count,
 * and stale ones are skipped rather than refused (the caller compiles instead).
 */
export async function readProjectBuild({
  root,
  directory,
  contract,
  hint,
  complete = false,
}: {
  root: string
  directory: string
  contract: string
  hint: string
  complete?: boolean
}): Promise<ReadHardhatBuildReturnType | undefined> {
  let names: string[]
  try {
    names = (await readdir(directory)).filter((name) => name.endsWith('.json') && !name.endsWith('.output.json'))
  } catch {
    return undefined
  }
  if (names.length === 0) return undefined
  const [sourceName, contractName] = contract.includes(':') ? [contract.slice(0, contract.lastIndexOf(':')), contract.slice(contract.lastIndexOf(':') + 1)] : [undefined, contract]
  const candidates: { file: string; buildInfo: BuildInfo; modified: number }[] = []
  let stale = 0
  for (const name of names) {
    const file = path.join(directory, name)
    const buildInfo = await readBuildInfo(file)
    const holders = Object.entries(buildInfo.output.contracts).filter(([source, contracts]) => (sourceName === undefined || source === sourceName) && contractName in contracts)
    if (holders.length === 0) continue
    if (complete && !holders.every(([, contracts]) => isComplete(buildInfo, contracts[contractName]!))) continue
    if (!(await isFresh(root, buildInfo))) {
      stale += 1
      continue
    }
    candidates.push({ file, buildInfo, modified: (await stat(file)).mtimeMs })
  }
  const newest = candidates.sort((a, b) => b.modified - a.modified)[0]
  if (newest) return { buildInfo: newest.buildInfo, file: newest.file }
  if (complete) return undefined
  throw new ProjectConfigInvalidError({
    path: directory,
    problem: stale > 0 ? `every build-info holding ${contract} is older than the sources on disk (${stale} stale)` : `no build-info holds ${contract}`,
    hint,
  })
}

/** upgrades-core needs each source's AST and the contract's storage layout; stages need its code. */
function isComplete(buildInfo: BuildInfo, output: BuildInfo['output']['contracts'][string][string]): boolean {
  return (
    output.storageLayout !== undefined &&
    typeof output.evm?.deployedBytecode?.object === 'string' &&
    Object.keys(buildInfo.input.sources).every((name) => buildInfo.output.sources[name]?.ast !== undefined)
  )
}

/** Every source of the build that lies in the project (not node_modules) still has the recorded content. */
async function isFresh(root: string, buildInfo: BuildInfo): Promise<boolean> {
  for (const [sourceName, { content }] of Object.entries(buildInfo.input.sources)) {
    // Hardhat 3 prefixes project files with `project/`; npm packages live under node_modules or `npm/`.
    const relative = sourceName.startsWith('project/') ? sourceName.slice('project/'.length) : sourceName
    if (relative.startsWith('npm/') || relative.startsWith('@') || relative.startsWith('node_modules/')) continue
    let onDisk: string
    try {
      onDisk = await readFile(path.join(root, relative), 'utf8')
    } catch {
      continue
    }
    if (onDisk !== content) return false
  }
  return true
}

/**
 * The solc release a never-compiled Hardhat project names in its config, read as text (the config is
 * code and is never run): `solidity: "0.8.19"` or a single `version: "0.8.19"`. Undefined when the
 * config names none or several (multiple compilers, overrides): the pragmas decide then.
 */
export async function hardhatConfigSolcVersion(root: string): Promise<string | undefined> {
  for (const name of ['hardhat.config.ts', 'hardhat.config.js', 'hardhat.config.cjs', 'hardhat.config.mjs', 'hardhat.config.cts', 'hardhat.config.mts']) {
    let text: string
    try {
      text = await readFile(path.join(root, name), 'utf8')
    } catch {
      continue
    }
    const code = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:])\/\/[^\n]*/g, '$1')
    const versions = new Set([...code.matchAll(/\b(?:solidity|version)\s*:\s*["'`](\d+\.\d+\.\d+)["'`]/g)].map((match) => match[1]!))
    return versions.size === 1 ? [...versions][0] : undefined
  }
  return undefined
}
