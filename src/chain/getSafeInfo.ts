import { getAddress, keccak256, sliceHex, toHex, zeroAddress, type Address, type Hex } from 'viem'
import { probeContractRead, requiredRead, type InventoryClient } from './probeContractRead.js'
import { safeAbi } from './safeAbi.js'

/** Safe keeps these two outside its declared storage, at keccak256 of a fixed string. */
export const safeSlots = {
  guard: keccak256(toHex('guard_manager.guard.address')),
  fallbackHandler: keccak256(toHex('fallback_manager.handler.address')),
  /** SafeProxy stores its singleton (master copy) in slot 0: the slot Bybit's attacker overwrote. */
  singleton: '0x0000000000000000000000000000000000000000000000000000000000000000',
} as const satisfies Record<string, Hex>

export type SafeInfo = {
  version: string
  owners: Address[]
  threshold: number
  nonce: bigint
  /** Enabled modules: each can execute transactions from the Safe without owner signatures. */
  modules: Address[]
  /** Transaction guard, undefined when none. */
  guard: Address | undefined
  fallbackHandler: Address | undefined
  singleton: Address | undefined
}

export type GetSafeInfoParameters = { address: Address; blockNumber?: bigint | undefined }
/** undefined when `address` is not a Safe (no `getThreshold()`/`getOwners()`). */
export type GetSafeInfoReturnType = SafeInfo | undefined

const sentinel: Address = '0x0000000000000000000000000000000000000001'
const modulePageSize = 50n

/** Reads a Safe's configuration (1.3 and 1.4 layouts) at one block. */
export async function getSafeInfo(client: InventoryClient, { address, blockNumber }: GetSafeInfoParameters): Promise<GetSafeInfoReturnType> {
  const at = blockNumber === undefined ? {} : { blockNumber }
  const read = <const F extends 'VERSION' | 'getOwners' | 'getThreshold' | 'nonce'>(functionName: F) =>
    probeContractRead(client, () => client.readContract({ address, abi: safeAbi, functionName, ...at }))
  const readSlot = (slot: Hex) => requiredRead(client, 'eth_getStorageAt', () => client.getStorageAt({ address, slot, ...at }))
  const [threshold, owners, version, nonce, firstModules, guard, fallbackHandler, singleton] = await Promise.all([
    read('getThreshold'),
    read('getOwners'),
    read('VERSION'),
    read('nonce'),
    readModulePage(client, address, sentinel, at),
    readSlot(safeSlots.guard),
    readSlot(safeSlots.fallbackHandler),
    readSlot(safeSlots.singleton),
  ])
  if (threshold === undefined || owners === undefined) return undefined

  const modules = [...(firstModules?.modules ?? [])]
  let next = firstModules?.next
  // The module list is a linked list; a page ends at the sentinel when there is nothing more.
  // A page that adds nothing new would loop forever on a malformed list, so it ends the walk.
  while (next !== undefined && next !== sentinel && next !== zeroAddress) {
    const page = await readModulePage(client, address, next, at)
    const fresh = page?.modules.filter((module) => !modules.includes(module)) ?? []
    if (!page || fresh.length === 0) break
    modules.push(...fresh)
    next = page.next
  }
  return {
    version: version ?? 'unknown',
    owners: owners.map((owner) => getAddress(owner)),
    threshold: Number(threshold),
    nonce: nonce ?? 0n,
    modules,
    guard: addressInSlot(guard),
    fallbackHandler: addressInSlot(fallbackHandler),
    singleton: addressInSlot(singleton),
  }
}

async function readModulePage(client: InventoryClient, address: Address, start: Address, at: { blockNumber?: bigint }) {
  const page = await probeContractRead(client, () =>
    client.readContract({ address, abi: safeAbi, functionName: 'getModulesPaginated', args: [start, modulePageSize], ...at }),
  )
  if (!page) return undefined
  const [modules, next] = page
  return { modules: modules.map((module) => getAddress(module)), next: getAddress(next) }
}

function addressInSlot(value: Hex | undefined): Address | undefined {
  if (value === undefined || BigInt(value) === 0n) return undefined
  return getAddress(sliceHex(`0x${value.slice(2).padStart(64, '0')}`, 12))
}
