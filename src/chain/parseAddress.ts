import { getAddress, isAddress, type Address } from 'viem'
import { InvalidAddressError } from './errors.js'

/** Checks a user-given address (EIP-55 checksum enforced when mixed case) and returns it checksummed. */
export function parseAddress(value: string, where?: string): Address {
  const trimmed = value.trim()
  if (!isAddress(trimmed, { strict: true })) throw new InvalidAddressError({ value: trimmed, ...(where ? { where } : {}) })
  return getAddress(trimmed)
}
