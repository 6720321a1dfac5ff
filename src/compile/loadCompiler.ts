import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { gunzipSync } from 'node:zlib'
import { CompilerUnavailableError } from './errors.js'
import { tarEntries } from './tarEntries.js'

const require = createRequire(import.meta.url)
const run = promisify(execFile)

/** The part of a solc-js compiler Bulwark uses, for every version (old ones wrapped by the bundled solc-js). */
export type SolcCompiler = {
  version(): string
  compile(input: string, callbacks?: { import?: (path: string) => { contents: string } | { error: string } }): string
}

const loaded = new Map<string, Promise<SolcCompiler>>()

/** The bundled solc-js version ('0.8.30'), read from the package without loading the compiler. */
export function bundledSolcVersion(): string {
  return (require('solc/package.json') as { version: string }).version
}

/**
 * Where fetched compilers live, shared by every project and run on the machine:
 * `BULWARK_SOLC_CACHE`, else `$XDG_CACHE_HOME/bulwark/solc`, else `~/.cache/bulwark/solc`.
 */
export function solcCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BULWARK_SOLC_CACHE) return path.resolve(env.BULWARK_SOLC_CACHE)
  const base = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache')
  return path.join(base, 'bulwark', 'solc')
}

/**
 * Where builds that Bulwark makes of other people's projects are cached (build-infos, artifacts,
 * reproducibility records), shared by every run on the machine and never inside the team's repo:
 * `BULWARK_BUILD_CACHE`, else `$XDG_CACHE_HOME/bulwark/builds`, else `~/.cache/bulwark/builds`.
 */
export function buildCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BULWARK_BUILD_CACHE) return path.resolve(env.BULWARK_BUILD_CACHE)
  const base = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache')
  return path.join(base, 'bulwark', 'builds')
}

/**
 * The solc-js compiler of one release ('0.8.10', '0.5.16'; a long version's commit part is
 * ignored). The bundled version is used as it is; any other is fetched once from the npm
 * registry as `solc@<version>` (its `soljson.js` only, through `npm pack` so the user's
 * registry, proxy and auth settings apply) into the shared cache and wrapped by the bundled
 * solc-js, which speaks to every soljson since 0.4. Loading is lazy and memoized per process.
 *
 * @throws {CompilerUnavailableError} the version is malformed or cannot be fetched.
 */
export function loadCompiler(version: string = bundledSolcVersion()): Promise<SolcCompiler> {
  const release = releaseOf(version)
  let compiler = loaded.get(release)
  if (!compiler) {
    compiler = loadRelease(release)
    loaded.set(release, compiler)
    // A failed fetch (registry down) may be retried by a later call.
    compiler.catch(() => loaded.delete(release))
  }
  return compiler
}

/** '0.8.10+commit.fc410830' → '0.8.10'. */
export function releaseOf(version: string): string {
  const match = /^v?(\d+\.\d+\.\d+)(?:$|[+-])/.exec(version.trim())
  if (!match?.[1]) throw new CompilerUnavailableError({ version, reason: 'not a solc version (expected e.g. 0.8.10 or 0.8.10+commit.fc410830)' })
  return match[1]
}

async function loadRelease(release: string): Promise<SolcCompiler> {
  if (release === bundledSolcVersion()) {
    const module = (await import('solc')) as { default?: SolcCompiler } & SolcCompiler
    return module.default ?? module
  }
  const soljson = await fetchSoljson(release)
  const wrap = require('solc/wrapper.js') as (soljson: unknown) => SolcCompiler
  return wrap(require(soljson))
}

/** Path of `soljson.js` for the release, fetched into the cache when missing. */
export async function fetchSoljson(release: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const directory = path.join(solcCacheDir(env), release)
  const file = path.join(directory, 'soljson.js')
  if (existsSync(file)) return file
  await mkdir(solcCacheDir(env), { recursive: true })
  // Each fetch works in its own temporary folder and renames the result into place, so
  // parallel processes never see half a compiler.
  const work = await mkdtemp(path.join(solcCacheDir(env), `.fetch-${release}-`))
  try {
    let tarball: string
    try {
      const { stdout } = await run(npmCommand(), ['pack', `solc@${release}`, '--silent', '--pack-destination', work], { cwd: work, maxBuffer: 1 << 20 })
      tarball = path.join(work, stdout.trim().split('\n').pop() ?? '')
    } catch (error) {
      throw new CompilerUnavailableError({ version: release, reason: `npm pack solc@${release} failed: ${firstLine(error)}` })
    }
    const soljson = readSoljson(await readFile(tarball))
    if (!soljson) throw new CompilerUnavailableError({ version: release, reason: `the solc@${release} package has no soljson.js` })
    const staged = path.join(work, 'soljson.js')
    await writeFile(staged, soljson)
    await mkdir(directory, { recursive: true })
    await rename(staged, file)
    return file
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

/** `package/soljson.js` of a gzipped npm tarball, unpacked in memory (no tar or gzip needed on the machine). */
function readSoljson(tarball: Buffer): Buffer | undefined {
  let archive: Buffer
  try {
    archive = gunzipSync(tarball)
  } catch {
    return undefined
  }
  for (const entry of tarEntries(archive)) if (entry.name === 'package/soljson.js' && entry.type === '0') return entry.content
  return undefined
}

function npmCommand(): string {
  return process.platform === 'win32' ? 'npm.cmd' : 'npm'
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? ((error as { stderr?: string }).stderr || error.message) : String(error)
  return text.trim().split('\n')[0] ?? 'unknown error'
}
