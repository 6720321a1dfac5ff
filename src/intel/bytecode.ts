import type { Hex } from 'viem'

/** Drops solc's CBOR metadata tail (its length is the last two bytes), so hashes of sources never read as code. */
export function stripMetadata(code: Hex): string {
  const body = code.slice(2).toLowerCase()
  if (body.length < 4) return body
  const length = Number.parseInt(body.slice(-4), 16)
  const tail = (length + 2) * 2
  // The CBOR map starts with 0xa1..0xa5 (a map of 1–5 keys); anything else is not metadata.
  if (tail < body.length && /^a[1-5]$/.test(body.slice(-tail, -tail + 2))) return body.slice(0, -tail)
  return body
}

/**
 * Function selectors the dispatcher compares calldata against: every `PUSH4 x` followed by `EQ`
 * (or `DUP2 EQ`), walking opcodes so push data is never read as instructions. Error selectors
 * and interface ids pushed as arguments are not followed by EQ and are left out.
 */
export function dispatcherSelectors(code: Hex): string[] {
  const body = stripMetadata(code)
  const bytes = Buffer.from(body, 'hex')
  const selectors = new Set<string>()
  for (let pc = 0; pc < bytes.length; pc += 1) {
    const op = bytes[pc]!
    if (op === 0x63 && pc + 5 < bytes.length) {
      const next = bytes[pc + 5]
      const afterDup = bytes[pc + 6]
      if (next === 0x14 || (next === 0x81 && afterDup === 0x14)) selectors.add(`0x${bytes.subarray(pc + 1, pc + 5).toString('hex')}`)
    }
    if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f
  }
  return [...selectors].sort()
}

/** Whether `code` contains the byte string `fragment` at a byte boundary. */
export function containsFragment(code: Hex | string, fragment: Hex): boolean {
  const haystack = (code.startsWith('0x') ? code.slice(2) : code).toLowerCase()
  const needle = fragment.slice(2).toLowerCase()
  if (needle.length === 0) return false
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) if (at % 2 === 0) return true
  return false
}
