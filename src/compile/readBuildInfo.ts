import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { buildInfoFormat, type BuildInfo, type SolcError, type SolcInput, type SolcOutput } from './buildInfo.js'
import { formatDiagnostic, toDiagnostics } from './diagnostics.js'
import { BuildInfoInvalidError } from './errors.js'
import { RecentBuilds } from './recentBuilds.js'

const foundryOutputHint =
  'Foundry writes the compiler input and output only when asked: `forge build --build-info` or `build_info = true` in foundry.toml.'

/**
 * Reads a build-info written by Bulwark or another tool and normalizes it to Bulwark's
 * `BuildInfo` (Hardhat 2 shape):
 * - Bulwark / Hardhat 2: `{ _format: 'hh-sol-build-info-1', id, solcVersion, solcLongVersion, input, output }`
 * - Foundry (`out/build-info/*.json`): `{ id, source_id_to_path, language, input, output }` plus the
 *   version as `solcLongVersion` (before 1.0) or `inputVersionLong` / `input.version` (1.x).
 *   Foundry's extra input keys (`version`, `allowPaths`, `basePath`, `includePaths`) are dropped so
 *   the input is plain Standard JSON again.
 * - Hardhat 3: `<id>.json` (`hh3-sol-build-info-1`, input only) with its output in `<id>.output.json`
 *   (`hh3-sol-build-info-output-1`); either file of the pair may be given.
 *
 * @throws {BuildInfoInvalidError} unreadable, not JSON, or missing the input, output or solc version.
 */
export async function readBuildInfo(file: string): Promise<BuildInfo> {
  // The same unchanged file read again in this process gives the same object (see RecentBuilds).
  const stats = await stat(file).catch(() => undefined)
  const key = stats ? `${path.resolve(file)}:${stats.size}:${stats.mtimeMs}` : undefined
  const known = key === undefined ? undefined : recent.get(key)
  if (known) return known
  const buildInfo = await readBuildInfoFile(file)
  // A Hardhat 3 build-info is two files: only the one given is watched, so such pairs are not kept.
  if (key !== undefined && buildInfo.input && !/\.output\.json$/.test(file) && !(await isHardhat3Pair(file))) recent.set(key, buildInfo)
  return buildInfo
}

const recent = new RecentBuilds()

async function isHardhat3Pair(file: string): Promise<boolean> {
  return stat(file.replace(/\.json$/, '.output.json')).then(
    () => true,
    () => false,
  )
}

async function readBuildInfoFile(file: string): Promise<BuildInfo> {
  const raw = await readJsonObject(file)
  const format = raw._format
  if (format === 'hh3-sol-build-info-1' || format === 'hh3-sol-build-info-output-1') return readHardhat3(file, raw)
  if (format === buildInfoFormat) {
    return normalize(file, { raw, versions: [raw.solcLongVersion, raw.solcVersion], input: raw.input, output: raw.output })
  }
  if (format === 'ethers-rs-sol-build-info-1' || 'source_id_to_path' in raw) {
    const input = asObject(raw.input)
    return normalize(
      file,
      {
        raw,
        versions: [raw.solcLongVersion, raw.inputVersionLong, input?.version, raw.solcVersion, raw.inputVersion],
        input: raw.input,
        output: raw.output,
      },
      foundryOutputHint,
    )
  }
  throw new BuildInfoInvalidError({
    path: file,
    problem: format === undefined ? 'it has neither a `_format` field nor Foundry\'s `source_id_to_path`' : `its format "${String(format)}" is not one Bulwark reads`,
    hint: 'Bulwark reads build-info from Bulwark, Hardhat 2 (hh-sol-build-info-1), Hardhat 3 (hh3-sol-build-info-1) and Foundry (out/build-info).',
  })
}

async function readHardhat3(file: string, raw: Record<string, unknown>): Promise<BuildInfo> {
  const givenOutput = raw._format === 'hh3-sol-build-info-output-1'
  const inputFile = givenOutput ? file.replace(/\.output\.json$/, '.json') : file
  const outputFile = givenOutput ? file : file.replace(/\.json$/, '.output.json')
  if (inputFile === outputFile) {
    throw new BuildInfoInvalidError({ path: file, problem: 'a Hardhat 3 build-info pair must be named <id>.json and <id>.output.json' })
  }
  const inputPart = givenOutput ? await readJsonObject(inputFile, { of: file, role: 'its input file' }) : raw
  const outputPart = givenOutput ? raw : await readJsonObject(outputFile, { of: file, role: 'its output file' })
  if (typeof inputPart.id === 'string' && typeof outputPart.id === 'string' && inputPart.id !== outputPart.id) {
    throw new BuildInfoInvalidError({ path: file, problem: `its input (${inputPart.id}) and output (${outputPart.id}) belong to different builds` })
  }
  return normalize(file, {
    raw: inputPart,
    versions: [inputPart.solcLongVersion, inputPart.solcVersion],
    input: inputPart.input,
    output: outputPart.output,
  })
}

type Parts = {
  raw: Record<string, unknown>
  versions: unknown[]
  input: unknown
  output: unknown
}

function normalize(file: string, parts: Parts, missingPartHint?: string): BuildInfo {
  const invalid = (problem: string, hint?: string) => new BuildInfoInvalidError({ path: file, problem, ...(hint ? { hint } : {}) })
  const rawInput = asObject(parts.input)
  if (!rawInput) throw invalid('it has no compiler input (`input` is missing)', missingPartHint)
  const rawSources = asObject(rawInput.sources)
  if (!rawSources) throw invalid('its input has no sources (`input.sources` is missing)')
  const sources: SolcInput['sources'] = {}
  for (const [name, source] of Object.entries(rawSources)) {
    const content = asObject(source)?.content
    if (typeof content !== 'string') throw invalid(`source "${name}" has no inline content (\`input.sources["${name}"].content\`)`)
    sources[name] = { content }
  }
  const input: SolcInput = {
    language: typeof rawInput.language === 'string' ? rawInput.language : 'Solidity',
    sources,
    settings: (asObject(rawInput.settings) ?? {}) as SolcInput['settings'],
  }

  const rawOutput = asObject(parts.output)
  if (!rawOutput) throw invalid('it has no compiler output (`output` is missing)', missingPartHint)
  const contracts = asObject(rawOutput.contracts)
  if (!contracts) throw invalid('its output has no contracts (`output.contracts` is missing)')
  const errors = Array.isArray(rawOutput.errors) ? (rawOutput.errors as SolcError[]) : undefined
  const output: SolcOutput = {
    ...(errors ? { errors } : {}),
    sources: (asObject(rawOutput.sources) ?? {}) as SolcOutput['sources'],
    contracts: contracts as SolcOutput['contracts'],
  }
  const failures = toDiagnostics(errors?.filter((e) => e?.severity === 'error'), input)
  if (failures.length > 0) {
    throw invalid(`it records a failed compilation (${failures.length} error${failures.length === 1 ? '' : 's'})`, formatDiagnostic(failures[0]!))
  }

  const solcLongVersion = [...parts.versions, ...metadataVersions(output)].find(
    (v): v is string => typeof v === 'string' && /^\d+\.\d+\.\d+/.test(v),
  )
  if (!solcLongVersion) throw invalid('the solc version is missing (`solcLongVersion`)')

  return {
    _format: buildInfoFormat,
    id: typeof parts.raw.id === 'string' && parts.raw.id !== '' ? parts.raw.id : derivedId(solcLongVersion, input),
    solcVersion: solcLongVersion.replace(/\+.*$/, ''),
    solcLongVersion: solcLongVersion.includes('+') ? solcLongVersion : preferLong(parts.versions, solcLongVersion),
    input,
    output,
    ...userSourceNameMap(parts.raw),
  }
}

/** Bulwark and Hardhat 3 record which sources are the project's own; keep that so `external` stays exact. */
function userSourceNameMap(raw: Record<string, unknown>): { userSourceNameMap?: Record<string, string> } {
  const map = asObject(raw.userSourceNameMap)
  return map && Object.values(map).every((v) => typeof v === 'string') ? { userSourceNameMap: map as Record<string, string> } : {}
}

/** Some producers give only the short version in one field and the long one in another. */
function preferLong(versions: unknown[], fallback: string): string {
  return versions.find((v): v is string => typeof v === 'string' && v.includes('+commit.')) ?? fallback
}

/** Last resort: the compiler version solc itself embeds in each contract's metadata. */
function metadataVersions(output: SolcOutput): string[] {
  for (const contracts of Object.values(output.contracts)) {
    for (const contract of Object.values(contracts)) {
      if (typeof contract.metadata !== 'string') continue
      try {
        const version = (JSON.parse(contract.metadata) as { compiler?: { version?: unknown } }).compiler?.version
        if (typeof version === 'string') return [version]
      } catch {
        // Unparseable metadata simply gives no version.
      }
    }
  }
  return []
}

function derivedId(solcLongVersion: string, input: SolcInput): string {
  return createHash('sha256').update(JSON.stringify({ solc: solcLongVersion, input })).digest('hex').slice(0, 32)
}

/** `part` names the other file of a Hardhat 3 pair, so the error still points at the file the user gave. */
async function readJsonObject(file: string, part?: { of: string; role: string }): Promise<Record<string, unknown>> {
  const reportedPath = part?.of ?? file
  const subject = part ? `${part.role} ${path.basename(file)}` : 'the file'
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (cause) {
    const code = (cause as { code?: unknown }).code
    const reason = code === 'ENOENT' ? 'no such file' : String(code)
    throw new BuildInfoInvalidError({ path: reportedPath, problem: `${subject} cannot be read (${reason})`, cause })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new BuildInfoInvalidError({ path: reportedPath, problem: `${subject} is not valid JSON (${(cause as Error).message})`, cause })
  }
  const object = asObject(value)
  if (!object) throw new BuildInfoInvalidError({ path: reportedPath, problem: `${subject} is not a JSON object` })
  return object
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
}
