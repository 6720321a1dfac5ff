import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import type { CompileSettings } from './buildInfo.js'
import { ProjectConfigInvalidError } from './errors.js'
import { parseToml, TomlSyntaxError, type TomlTable, type TomlValue } from './parseToml.js'
import { formatRemapping, parseRemapping } from './remappings.js'

/** What Bulwark takes from a Foundry project to compile it as `forge build` would. */
export type FoundryConfig = {
  /** The profile read (`FOUNDRY_PROFILE`, default `default`, over which it is merged). */
  profile: string
  /** Source folder, relative to the project root (default `src`). */
  src: string
  /** Build output folder (default `out`); `forge build --build-info` writes `out/build-info/`. */
  out: string
  /** Dependency folders (default `['lib']`). */
  libs: string[]
  /** Explicit remappings (foundry.toml, then remappings.txt), then those detected in `libs`. */
  remappings: string[]
  /** `solc` / `solc_version`: a release ('0.8.19') … */
  solcVersion?: string
  /** … or a path to a native solc binary, resolved against the root. */
  solcPath?: string
  settings: CompileSettings
}

/**
 * Reads `foundry.toml` (profile `default`, with `FOUNDRY_PROFILE`'s profile merged over it) and
 * `remappings.txt`, and detects the remappings Foundry derives from `lib/` (each dependency's own
 * remappings, then `<name>/` → `lib/<name>/src/` or `lib/<name>/`). Nothing in the project is written.
 * Foundry's defaults apply to what the file leaves out: optimizer off, 200 runs.
 *
 * @throws {ProjectConfigInvalidError} foundry.toml is not valid TOML.
 */
export function readFoundryConfig(root: string, env: NodeJS.ProcessEnv = process.env): FoundryConfig {
  const file = path.join(root, 'foundry.toml')
  const document = existsSync(file) ? readToml(file) : {}
  const profile = env.FOUNDRY_PROFILE || 'default'
  const profiles = table(document.profile)
  // `[default]` is the pre-profile layout, still read by forge.
  const base = { ...table(document.default), ...table(profiles?.default) }
  const chosen = profile === 'default' ? base : { ...base, ...table(profiles?.[profile]) }
  const get = (key: string): TomlValue | undefined => chosen[key] ?? chosen[key.replace(/_/g, '-')]

  const src = stringValue(get('src')) ?? 'src'
  const libs = stringList(get('libs')) ?? ['lib']
  const explicit = [...(stringList(get('remappings')) ?? []), ...readRemappingsFile(path.join(root, 'remappings.txt'))]
  const autoDetect = get('auto_detect_remappings') !== false
  const remappings = mergeRemappings(explicit, autoDetect ? detectLibRemappings(root, libs) : [])

  const solc = stringValue(get('solc')) ?? stringValue(get('solc_version'))
  const settings: CompileSettings = {
    optimizer: get('optimizer') === true,
    optimizerRuns: numberValue(get('optimizer_runs')) ?? 200,
  }
  const evmVersion = stringValue(get('evm_version'))
  if (evmVersion) settings.evmVersion = evmVersion
  if (get('via_ir') === true) settings.viaIR = true
  const details = table(get('optimizer_details'))
  if (details) settings.optimizerDetails = camelKeys(details)
  const bytecodeHash = stringValue(get('bytecode_hash'))
  const metadata: NonNullable<CompileSettings['metadata']> = {}
  if (bytecodeHash === 'none' || bytecodeHash === 'ipfs' || bytecodeHash === 'bzzr1') metadata.bytecodeHash = bytecodeHash
  if (get('cbor_metadata') === false) metadata.appendCBOR = false
  if (get('use_literal_content') === true) metadata.useLiteralContent = true
  if (Object.keys(metadata).length > 0) settings.metadata = metadata
  const libraries = parseLibraries(stringList(get('libraries')) ?? [])
  if (libraries) settings.libraries = libraries

  return {
    profile,
    src: stripSlash(src),
    out: stripSlash(stringValue(get('out')) ?? 'out'),
    libs: libs.map(stripSlash),
    remappings,
    ...(solc === undefined ? {} : /^\d+\.\d+\.\d+$/.test(solc) ? { solcVersion: solc } : { solcPath: path.resolve(root, solc) }),
    settings,
  }
}

function readToml(file: string): TomlTable {
  try {
    return parseToml(readFileSync(file, 'utf8'))
  } catch (error) {
    if (error instanceof TomlSyntaxError) throw new ProjectConfigInvalidError({ path: file, problem: `not valid TOML (${error.message})`, cause: error })
    throw error
  }
}

function readRemappingsFile(file: string): string[] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '' && parseRemapping(line) !== undefined)
}

/** Earlier entries win over later ones with the same context and prefix. */
function mergeRemappings(...groups: string[][]): string[] {
  const seen = new Set<string>()
  const merged: string[] = []
  for (const text of groups.flat()) {
    const remapping = parseRemapping(text)
    if (!remapping) continue
    const key = `${remapping.context}:${remapping.prefix}`
    if (seen.has(key)) continue
    seen.add(key)
    merged.push(formatRemapping(remapping))
  }
  return merged
}

/**
 * Foundry's automatic remappings, read the same way: for every dependency folder, its own declared
 * remappings (targets rebased into the folder), then `<name>/` to its `src/` (or the folder itself);
 * dependencies of dependencies come after, so the outer project's choice wins.
 */
function detectLibRemappings(root: string, libs: readonly string[], depth = 0): string[] {
  const found: string[] = []
  const nested: string[] = []
  for (const lib of libs) {
    // npm packages resolve through node_modules already, under their own names.
    if (lib === 'node_modules' || lib.endsWith('/node_modules')) continue
    const libDir = path.join(root, lib)
    for (const name of listDirectories(libDir)) {
      const relative = path.posix.join(...path.relative(root, path.join(libDir, name)).split(path.sep))
      const dependency = path.join(libDir, name)
      const own = readDependencyRemappings(dependency)
      for (const text of own) {
        const remapping = parseRemapping(text)
        if (!remapping || path.posix.isAbsolute(remapping.target)) continue
        found.push(formatRemapping({ context: '', prefix: remapping.prefix, target: path.posix.join(relative, remapping.target) }))
      }
      const srcDir = path.join(dependency, 'src')
      found.push(`${name}/=${relative}/${isDirectory(srcDir) ? 'src/' : ''}`)
      if (depth < 2) {
        for (const text of detectLibRemappings(dependency, ['lib'], depth + 1)) {
          const remapping = parseRemapping(text)
          if (remapping) nested.push(formatRemapping({ ...remapping, target: path.posix.join(relative, remapping.target) }))
        }
      }
    }
  }
  return [...found, ...nested]
}

function readDependencyRemappings(dependency: string): string[] {
  const fromFile = readRemappingsFile(path.join(dependency, 'remappings.txt'))
  const toml = path.join(dependency, 'foundry.toml')
  if (!existsSync(toml)) return fromFile
  try {
    const document = parseToml(readFileSync(toml, 'utf8'))
    const profile = table(table(document.profile)?.default) ?? table(document.default) ?? {}
    return [...(stringList(profile.remappings) ?? []), ...fromFile]
  } catch {
    // A dependency's broken foundry.toml is the dependency's problem; forge skips it too.
    return fromFile
  }
}

function parseLibraries(entries: readonly string[]): Record<string, Record<string, string>> | undefined {
  const libraries: Record<string, Record<string, string>> = {}
  for (const entry of entries) {
    const [file, name, address] = entry.split(':')
    if (!file || !name || !address) continue
    ;(libraries[file] ??= {})[name] = address
  }
  return Object.keys(libraries).length > 0 ? libraries : undefined
}

function listDirectories(directory: string): string[] {
  try {
    return readdirSync(directory, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort()
  } catch {
    return []
  }
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory()
  } catch {
    return false
  }
}

function stripSlash(value: string): string {
  return value.replace(/^\.\//, '').replace(/\/+$/, '') || '.'
}

/** solc wants camelCase (`constantOptimizer`); foundry.toml allows snake_case (`constant_optimizer`). */
function camelKeys(value: TomlTable): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()),
      typeof inner === 'object' && !Array.isArray(inner) ? camelKeys(inner) : inner,
    ]),
  )
}

function table(value: TomlValue | undefined): TomlTable | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined
}

function stringValue(value: TomlValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function numberValue(value: TomlValue | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined
}

function stringList(value: TomlValue | undefined): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined
}
