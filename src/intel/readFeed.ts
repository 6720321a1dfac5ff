import { createHash } from 'node:crypto'
import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import type { z } from 'zod'
import { advisoryFromOsv, advisoryFromPattern, type FeedAdvisory } from './advisory.js'
import { IntelFeedUnreadableError } from './errors.js'
import { osvEntrySchema, teamPatternSchema } from './osvSchema.js'

/** The offline snapshot shipped with Bulwark: real OpenZeppelin advisories from the GitHub Advisory Database. */
export const builtinFeed = 'builtin:openzeppelin'
export const builtinFeedFile = path.join(import.meta.dirname, 'data', 'openzeppelin-osv.json')

/** An entry that was skipped, with its id when it had one, so nothing is lost silently. */
export type RejectedEntry = { id?: string; location: string; reason: string }

export type Feed = {
  advisories: FeedAdvisory[]
  rejected: RejectedEntry[]
  /** Ids of withdrawn advisories (valid, but no longer to be matched). */
  withdrawn: string[]
  /** sha256 of the accepted advisories in canonical order: a changed hash means the feed changed. */
  hash: string
  locations: string[]
}

export type ReadFeedParameters = {
  /** Files, folders, http(s) URLs, or `builtin:openzeppelin`; default: the built-in snapshot. */
  locations?: readonly string[] | undefined
  /** Base for relative paths (default process.cwd()). */
  cwd?: string | undefined
  /** Per-URL timeout in milliseconds (default 15 s). */
  timeoutMs?: number | undefined
}

/**
 * Reads advisories from files, folders and URLs: OSV entries (one per file as the GitHub Advisory
 * Database publishes them, arrays of them, OSV API answers, Bulwark snapshots) and team patterns.
 * A malformed entry is reported in `rejected` with its id and skipped; the rest are kept. When
 * two entries share an id, the most recently modified one wins.
 *
 * @throws {IntelFeedUnreadableError} a location cannot be read or is not JSON in a known form.
 */
export async function readFeed(parameters: ReadFeedParameters = {}): Promise<Feed> {
  const cwd = parameters.cwd ?? process.cwd()
  const locations = parameters.locations && parameters.locations.length > 0 ? [...parameters.locations] : [builtinFeed]
  const byId = new Map<string, FeedAdvisory>()
  const rejected: RejectedEntry[] = []
  const withdrawn = new Set<string>()
  for (const location of locations) {
    for (const document of await readDocuments(location, cwd, parameters.timeoutMs ?? 15_000)) {
      collect(document.json, document.location, { byId, rejected, withdrawn })
    }
  }
  const advisories = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id))
  const hash = createHash('sha256').update(JSON.stringify(advisories)).digest('hex')
  return { advisories, rejected, withdrawn: [...withdrawn].sort(), hash, locations }
}

type Collected = { byId: Map<string, FeedAdvisory>; rejected: RejectedEntry[]; withdrawn: Set<string> }

function collect(json: unknown, location: string, into: Collected): void {
  const entries = entriesOf(json)
  if (!entries) throw new IntelFeedUnreadableError({ location, problem: 'the JSON is neither an advisory, a list of advisories nor a snapshot' })
  entries.forEach((raw, index) => {
    const at = entries.length === 1 && !Array.isArray(json) && !isContainer(json) ? location : `${location}#${index}`
    const wrapped = isObject(raw) && isObject(raw.osv) ? raw : undefined
    const entry = wrapped ? wrapped.osv : raw
    const source = wrapped && typeof wrapped.source === 'string' ? wrapped.source : undefined
    const id = isObject(entry) && typeof entry.id === 'string' && entry.id !== '' ? entry.id : undefined
    if (!isObject(entry)) {
      into.rejected.push({ location: at, reason: 'the entry is not a JSON object' })
      return
    }
    let advisory: FeedAdvisory
    if (entry.kind === 'bulwark-pattern') {
      const parsed = teamPatternSchema.safeParse(entry)
      if (!parsed.success) return void into.rejected.push({ ...(id ? { id } : {}), location: at, reason: describeIssues(parsed.error) })
      advisory = advisoryFromPattern(parsed.data, source ?? at)
    } else {
      const parsed = osvEntrySchema.safeParse(entry)
      if (!parsed.success) return void into.rejected.push({ ...(id ? { id } : {}), location: at, reason: describeIssues(parsed.error) })
      if (parsed.data.withdrawn !== undefined) return void into.withdrawn.add(parsed.data.id)
      advisory = advisoryFromOsv(parsed.data, source ?? advisoryPage(parsed.data.references ?? [], parsed.data.id) ?? at)
    }
    const previous = into.byId.get(advisory.id)
    if (!previous || (advisory.modified ?? '') > (previous.modified ?? '')) into.byId.set(advisory.id, advisory)
  })
}

function advisoryPage(references: readonly { type: string; url: string }[], id: string): string | undefined {
  return references.find((reference) => reference.url.includes(id))?.url
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(entry)'}: ${issue.message}`)
    .join('; ')
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isContainer(json: unknown): boolean {
  return isObject(json) && (Array.isArray(json.entries) || Array.isArray(json.vulns) || Array.isArray(json.advisories))
}

function entriesOf(json: unknown): unknown[] | undefined {
  if (Array.isArray(json)) return json
  if (!isObject(json)) return undefined
  for (const key of ['entries', 'vulns', 'advisories'] as const) if (Array.isArray(json[key])) return json[key] as unknown[]
  return [json]
}

type Document = { location: string; json: unknown }

async function readDocuments(location: string, cwd: string, timeoutMs: number): Promise<Document[]> {
  if (location === builtinFeed) return [{ location: builtinFeed, json: parseJson(await readText(builtinFeedFile, builtinFeed), builtinFeed) }]
  if (/^https?:\/\//i.test(location)) return [{ location, json: parseJson(await fetchText(location, timeoutMs), location) }]
  const file = path.resolve(cwd, location)
  let info
  try {
    info = await stat(file)
  } catch (error) {
    throw new IntelFeedUnreadableError({ location, problem: 'no such file or folder', cause: error })
  }
  if (!info.isDirectory()) return [{ location, json: parseJson(await readText(file, location), location) }]
  const files = (await readdir(file, { recursive: true })).filter((name) => name.endsWith('.json')).sort()
  if (files.length === 0) throw new IntelFeedUnreadableError({ location, problem: 'the folder holds no .json file' })
  const documents: Document[] = []
  for (const name of files) {
    const shown = path.join(location, name)
    documents.push({ location: shown, json: parseJson(await readText(path.join(file, name), shown), shown) })
  }
  return documents
}

async function readText(file: string, location: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new IntelFeedUnreadableError({ location, problem: 'the file cannot be read', cause: error })
  }
}

async function fetchText(url: string, timeoutMs: number): Promise<string> {
  let response: Response
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } })
  } catch (error) {
    throw new IntelFeedUnreadableError({ location: url, problem: 'the URL did not answer', cause: error })
  }
  if (!response.ok) throw new IntelFeedUnreadableError({ location: url, problem: `the URL answered HTTP ${response.status}` })
  return response.text()
}

function parseJson(text: string, location: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new IntelFeedUnreadableError({ location, problem: 'it is not valid JSON', cause: error })
  }
}
