/**
 * Solidity version pragmas (`pragma solidity ^0.8.0;`, `>=0.6.2 <0.9.0`, `0.5.16`, `=0.8.19 || ^0.8.24`)
 * follow npm's semver range syntax. This is the subset solc accepts: `^ ~ >= <= > < =`, bare and
 * partial versions (`0.8`, `0.8.x`, `*`), hyphen ranges (`0.8.0 - 0.8.19`) and `||`.
 */

export type Version = readonly [major: number, minor: number, patch: number]
type Comparator = { op: '>=' | '<=' | '>' | '<' | '='; version: Version }
/** Alternatives (`||`), each a conjunction of comparators. */
export type VersionRange = readonly (readonly Comparator[])[]

export function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:$|[+-])/.exec(text.trim())
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
}

export function formatVersion(version: Version): string {
  return version.join('.')
}

/** @returns undefined when the text is not a range solc would accept. */
export function parseRange(text: string): VersionRange | undefined {
  const alternatives: Comparator[][] = []
  for (const part of text.split('||')) {
    const set = parseComparatorSet(part.trim())
    if (!set) return undefined
    alternatives.push(set)
  }
  return alternatives
}

export function satisfies(version: Version, range: VersionRange): boolean {
  return range.some((set) => set.every((comparator) => test(version, comparator)))
}

/** The `pragma solidity …;` ranges of one source file (comments ignored). */
export function readPragmas(content: string): string[] {
  const code = content.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ')
  return [...code.matchAll(/\bpragma\s+solidity\s+([^;]+);/g)].map((match) => match[1]!.trim())
}

type Partial = { major?: number; minor?: number; patch?: number }

function parsePartial(text: string): Partial | undefined {
  const match = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?$/.exec(text)
  if (!match) return undefined
  const number = (value: string | undefined) => (value === undefined || /^[xX*]$/.test(value) ? undefined : Number(value))
  const major = number(match[1])
  const minor = major === undefined ? undefined : number(match[2])
  const patch = minor === undefined ? undefined : number(match[3])
  return { ...(major === undefined ? {} : { major }), ...(minor === undefined ? {} : { minor }), ...(patch === undefined ? {} : { patch }) }
}

function parseComparatorSet(text: string): Comparator[] | undefined {
  if (text === '' || text === '*') return []
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text)
  if (hyphen) {
    const low = parsePartial(hyphen[1]!)
    const high = parsePartial(hyphen[2]!)
    if (!low || !high) return undefined
    return [...expand('>=', low), ...expand('<=', high)]
  }
  // `>= 0.8.0` is allowed: glue operators to their version before splitting on spaces.
  const tokens = text.replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/)
  const comparators: Comparator[] = []
  for (const token of tokens) {
    const match = /^(>=|<=|>|<|=|\^|~)?(.+)$/.exec(token)
    const partial = match ? parsePartial(match[2]!) : undefined
    if (!match || !partial) return undefined
    comparators.push(...expand((match[1] ?? '=') as '>=' | '<=' | '>' | '<' | '=' | '^' | '~', partial))
  }
  return comparators
}

function expand(op: '>=' | '<=' | '>' | '<' | '=' | '^' | '~', p: Partial): Comparator[] {
  const { major, minor, patch } = p
  if (major === undefined) return op === '<' || op === '>' ? [{ op: '<', version: [0, 0, 0] }] : []
  const low: Version = [major, minor ?? 0, patch ?? 0]
  // The first version above the partial: 0.8 → 0.9.0, 0.8.1 → 0.8.2.
  const next: Version = minor === undefined ? [major + 1, 0, 0] : patch === undefined ? [major, minor + 1, 0] : [major, minor, patch + 1]
  switch (op) {
    case '=':
      return patch === undefined ? [{ op: '>=', version: low }, { op: '<', version: next }] : [{ op: '=', version: low }]
    case '>=':
      return [{ op: '>=', version: low }]
    case '>':
      return [{ op: '>=', version: next }]
    case '<':
      return [{ op: '<', version: low }]
    case '<=':
      return [{ op: '<', version: next }]
    case '~':
      return [{ op: '>=', version: low }, { op: '<', version: minor === undefined ? [major + 1, 0, 0] : [major, minor + 1, 0] }]
    case '^': {
      // The caret keeps the left-most non-zero part fixed: ^0.8.1 < 0.9.0, ^0.0.3 < 0.0.4, ^1.2 < 2.0.0.
      const upper: Version =
        major > 0 || minor === undefined ? [major + 1, 0, 0] : minor > 0 || patch === undefined ? [major, minor + 1, 0] : [major, minor, patch + 1]
      return [{ op: '>=', version: low }, { op: '<', version: upper }]
    }
  }
}

function test(version: Version, { op, version: bound }: Comparator): boolean {
  const order = compareVersions(version, bound)
  switch (op) {
    case '=':
      return order === 0
    case '>=':
      return order >= 0
    case '<=':
      return order <= 0
    case '>':
      return order > 0
    case '<':
      return order < 0
  }
}
