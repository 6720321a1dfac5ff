import { cvss3BaseScore, severityOfScore } from './cvss.js'
import { openzeppelinComponents } from './openzeppelinComponents.js'
import { componentsSchema, type AdvisoryComponents, type OsvEntry, type TeamPattern } from './osvSchema.js'
import type { VersionRange } from './versionRange.js'

export const severities = ['low', 'medium', 'high', 'critical'] as const
export type Severity = (typeof severities)[number]

/** One advisory of a feed, whatever its format, in the shape the matcher reads. */
export type FeedAdvisory = {
  id: string
  kind: 'osv' | 'pattern'
  aliases: string[]
  summary: string
  details: string
  severity: Severity
  /** Where the severity came from: GitHub's rating, a CVSS v3 vector, the team, or the default when none was given. */
  severitySource: 'database' | 'cvss' | 'team' | 'default'
  /** The URL or file the entry was read from (the advisory database page for the snapshot). */
  source: string
  modified?: string
  references: string[]
  /** OSV advisories: affected packages and version ranges. */
  affected: { ecosystem: string; package: string; ranges: VersionRange[]; versions: string[] }[]
  /** Files/functions/bytecode signature of the bug, when known (Bulwark's table or `database_specific.bulwark`). */
  components?: AdvisoryComponents
  /** Team patterns: what to look for. */
  pattern?: TeamPattern['match']
}

const databaseSeverities: Record<string, Severity> = { LOW: 'low', MODERATE: 'medium', MEDIUM: 'medium', HIGH: 'high', CRITICAL: 'critical' }

export function advisoryFromOsv(entry: OsvEntry, source: string): FeedAdvisory {
  const database = entry.database_specific ?? {}
  const rated = typeof database.severity === 'string' ? databaseSeverities[database.severity.toUpperCase()] : undefined
  const score = (entry.severity ?? []).map((s) => cvss3BaseScore(s.score)).find((s) => s !== undefined)
  const own = componentsSchema.safeParse(database.bulwark)
  const components = openzeppelinComponents[entry.id] ?? (entry.aliases ?? []).map((alias) => openzeppelinComponents[alias]).find(Boolean) ?? (own.success ? own.data : undefined)
  return {
    id: entry.id,
    kind: 'osv',
    aliases: entry.aliases ?? [],
    summary: entry.summary ?? entry.details?.split('\n').find((line) => line.trim() !== '' && !line.startsWith('#'))?.slice(0, 200) ?? entry.id,
    details: entry.details ?? '',
    severity: rated ?? (score === undefined ? 'medium' : severityOfScore(score)),
    severitySource: rated ? 'database' : score === undefined ? 'default' : 'cvss',
    source,
    modified: entry.modified,
    references: (entry.references ?? []).map((reference) => reference.url),
    affected: entry.affected.map((affected) => ({
      ecosystem: affected.package.ecosystem,
      package: affected.package.name,
      ranges: affected.ranges ?? [],
      versions: affected.versions ?? [],
    })),
    ...(components ? { components } : {}),
  }
}

export function advisoryFromPattern(pattern: TeamPattern, source: string): FeedAdvisory {
  return {
    id: pattern.id,
    kind: 'pattern',
    aliases: [],
    summary: pattern.summary,
    details: pattern.details ?? '',
    severity: pattern.severity,
    severitySource: 'team',
    source,
    references: pattern.references,
    affected: [],
    pattern: pattern.match,
  }
}
