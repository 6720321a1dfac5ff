import { getAddress, type Address } from 'viem'

/** Addresses seen lately, as the node spelled them → checksummed. */
const known = new Map<string, Address>()
/** A busy chain names a few thousand accounts a block; past this the memo starts again (bounded memory). */
const maxKnown = 65_536

/**
 * `getAddress` for the monitor's hot path: every frame, log and transfer of every transaction
 * names addresses, mostly the same few hundred. viem's own caches are LRU maps that re-insert on
 * every hit and test the address's shape first; this memo is a plain lookup of the exact string,
 * and only an address it has not seen goes through `getAddress` (same validation, same errors).
 *
 * @throws {InvalidAddressError} (viem's) the string is not a 20-byte hex address.
 */
export function checksumAddress(address: string): Address {
  let checksummed = known.get(address)
  if (checksummed === undefined) {
    checksummed = getAddress(address)
    if (known.size >= maxKnown) known.clear()
    known.set(address, checksummed)
  }
  return checksummed
}
