import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { writeFileAtomic } from './cacheFiles.js'
import { solcCacheDir } from './loadCompiler.js'
import { compareVersions, formatVersion, parseVersion, satisfies, type Version, type VersionRange } from './pragmaRange.js'

const run = promisify(execFile)

/**
 * solc-js releases published on the npm registry as `solc@x.y.z` (0.4.12 never was). Newer
 * releases are learnt from the registry (`npm view solc versions`) when no listed one fits.
 */
const knownReleases: readonly string[] = [
  ...range(0, 4, [0, 11]),
  ...range(0, 4, [13, 26]),
  ...range(0, 5, [0, 17]),
  ...range(0, 6, [0, 12]),
  ...range(0, 7, [0, 6]),
  ...range(0, 8, [0, 37]),
]

function range(major: number, minor: number, [from, to]: [number, number]): string[] {
  return Array.from({ length: to - from + 1 }, (_, index) => `${major}.${minor}.${from + index}`)
}

/** Every solc release Bulwark knows of, newest last: the built-in list plus any learnt from the registry earlier. */
export async function solcReleases(env: NodeJS.ProcessEnv = process.env): Promise<Version[]> {
  const learnt = await readLearnt(env)
  return toVersions([...knownReleases, ...learnt])
}

/**
 * The solc release a set of pragma ranges asks for. The first of `preferred` that satisfies
 * every range wins (the compiler that built the code on chain, the bundled one); otherwise the
 * newest satisfying release, asking the registry for newer releases when none is known.
 *
 * @returns undefined when no release satisfies every range.
 */
export async function pickSolcRelease(
  ranges: readonly VersionRange[],
  options: { preferred?: readonly string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<string | undefined> {
  const fits = (version: Version) => ranges.every((r) => satisfies(version, r))
  for (const candidate of options.preferred ?? []) {
    const version = parseVersion(candidate)
    if (version && fits(version)) return formatVersion(version)
  }
  const env = options.env ?? process.env
  const newest = (versions: Version[]) => versions.filter(fits).sort(compareVersions).pop()
  const known = newest(await solcReleases(env))
  if (known) return formatVersion(known)
  const learnt = await learnReleases(env)
  const found = newest(toVersions(learnt))
  return found ? formatVersion(found) : undefined
}

function toVersions(texts: readonly string[]): Version[] {
  const seen = new Set<string>()
  const versions: Version[] = []
  for (const text of texts) {
    // Only plain releases: npm also carries '0.8.7-fixed' style re-publications.
    if (!/^\d+\.\d+\.\d+$/.test(text) || seen.has(text)) continue
    seen.add(text)
    versions.push(parseVersion(text)!)
  }
  return versions.sort(compareVersions)
}

function learntFile(env: NodeJS.ProcessEnv): string {
  return path.join(solcCacheDir(env), 'releases.json')
}

async function readLearnt(env: NodeJS.ProcessEnv): Promise<string[]> {
  try {
    const value = JSON.parse(await readFile(learntFile(env), 'utf8')) as unknown
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
  } catch {
    return []
  }
}

/** Asks the registry which solc releases exist (once; the answer is kept beside the fetched compilers). */
async function learnReleases(env: NodeJS.ProcessEnv): Promise<string[]> {
  try {
    const { stdout } = await run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['view', 'solc', 'versions', '--json'], { timeout: 60_000, maxBuffer: 1 << 20 })
    const versions = JSON.parse(stdout) as unknown
    if (!Array.isArray(versions)) return []
    const releases = versions.filter((v): v is string => typeof v === 'string' && /^\d+\.\d+\.\d+$/.test(v))
    await writeFileAtomic(learntFile(env), JSON.stringify(releases))
    return releases
  } catch {
    // Offline: the built-in list is all there is; the caller reports that nothing fits.
    return []
  }
}
