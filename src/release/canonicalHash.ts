import { keccak256, stringToHex, type Hex } from 'viem'

/** Canonical JSON (the validation report's rules): keys sorted by code point, no whitespace, undefined members dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`
}

/** keccak256 of the canonical JSON of `value` without its `hash` member. */
export function canonicalHash(value: Record<string, unknown>): Hex {
  const rest = Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'hash'))
  return keccak256(stringToHex(canonicalJson(rest)))
}
