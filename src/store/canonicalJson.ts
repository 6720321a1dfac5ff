/**
 * Canonical JSON: object keys sorted by code point, no whitespace, `undefined` members dropped
 * (`undefined` elsewhere is `null`). Two equal values always give the same text, so a hash over it
 * is stable across processes and databases. The one rule behind every hash Bulwark publishes —
 * validation reports, release plans, the audit log — so a producer and a verifier cannot drift apart.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not representable in JSON`)
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`
  }
  throw new TypeError(`canonicalJson: a ${typeof value} is not representable in JSON`)
}
