import { keccak256, stringToHex, type Hex } from 'viem'
import { canonicalJson } from '../store/canonicalJson.js'

/** keccak256 of the canonical JSON of `value` without its `hash` member. */
export function canonicalHash(value: Record<string, unknown>): Hex {
  const rest = Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'hash'))
  return keccak256(stringToHex(canonicalJson(rest)))
}
