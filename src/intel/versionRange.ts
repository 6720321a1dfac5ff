/**
 * Version ranges as OSV writes them for npm packages (ECOSYSTEM / SEMVER ranges of
 * `introduced`, `fixed`, `last_affected`, `limit` events), over semantic versions.
 */

export type RangeEvent = { introduced?: string | undefined; fixed?: string | undefined; last_affected?: string | undefined; limit?: string | undefined }
export type VersionRange = { type: string; events: readonly RangeEvent[] }

type Parsed = { core: [number, number, number]; pre: string[] }

function parseVersion(version: string): Parsed | undefined {
  if (version === '0') return { core: [0, 0, 0], pre: [] }
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(version.trim())
  if (!match) return undefined
  return { core: [Number(match[1]), Number(match[2]), Number(match[3])], pre: match[4] ? match[4].split('.') : [] }
}

/** Semantic-version order (pre-releases before their release); undefined when either side is not a version. */
export function compareVersions(a: string, b: string): number | undefined {
  const left = parseVersion(a)
  const right = parseVersion(b)
  if (!left || !right) return undefined
  for (let i = 0; i < 3; i += 1) {
    const diff = left.core[i]! - right.core[i]!
    if (diff !== 0) return Math.sign(diff)
  }
  if (left.pre.length === 0 || right.pre.length === 0) return Math.sign(right.pre.length - left.pre.length)
  for (let i = 0; i < Math.max(left.pre.length, right.pre.length); i += 1) {
    const l = left.pre[i]
    const r = right.pre[i]
    if (l === undefined) return -1
    if (r === undefined) return 1
    const ln = /^\d+$/.test(l) ? Number(l) : undefined
    const rn = /^\d+$/.test(r) ? Number(r) : undefined
    if (ln !== undefined && rn !== undefined && ln !== rn) return Math.sign(ln - rn)
    if (ln !== undefined && rn === undefined) return -1
    if (ln === undefined && rn !== undefined) return 1
    if (l !== r) return l < r ? -1 : 1
  }
  return 0
}

export function isVersion(version: string): boolean {
  return parseVersion(version) !== undefined && version !== '0'
}

function eventVersion(event: RangeEvent): string {
  return event.introduced ?? event.fixed ?? event.last_affected ?? event.limit ?? '0'
}

/**
 * Whether `version` falls in any of the ranges or is listed in `versions`. Events of a range are
 * evaluated in version order, the way the OSV specification describes: the last event at or
 * below the version decides. GIT ranges say nothing about package versions and are ignored.
 */
export function isVersionAffected(version: string, ranges: readonly VersionRange[], versions: readonly string[] = []): boolean {
  if (versions.includes(version)) return true
  if (!isVersion(version)) return false
  for (const range of ranges) {
    if (range.type !== 'ECOSYSTEM' && range.type !== 'SEMVER') continue
    const events = [...range.events].sort((a, b) => compareVersions(eventVersion(a), eventVersion(b)) ?? 0)
    let affected = false
    for (const event of events) {
      if (event.introduced !== undefined) {
        if ((compareVersions(version, event.introduced) ?? -1) >= 0) affected = true
      } else if (event.fixed !== undefined) {
        if ((compareVersions(version, event.fixed) ?? -1) >= 0) affected = false
      } else if (event.last_affected !== undefined) {
        if ((compareVersions(version, event.last_affected) ?? -1) > 0) affected = false
      } else if (event.limit !== undefined) {
        if ((compareVersions(version, event.limit) ?? -1) >= 0) affected = false
      }
    }
    if (affected) return true
  }
  return false
}

/** The first `fixed` version of the ranges, for "upgrade to" hints. */
export function fixedVersions(ranges: readonly VersionRange[]): string[] {
  return [...new Set(ranges.flatMap((range) => range.events.flatMap((event) => (event.fixed === undefined ? [] : [event.fixed]))))]
}
