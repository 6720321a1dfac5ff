import { getAddress, parseAbi, sliceHex, zeroAddress, type Address, type Hex } from 'viem'
import { ImplementationNoCodeError } from './errors.js'
import { probeContractRead, requiredRead, type InventoryClient } from './probeContractRead.js'

/** ERC-1967 slots: keccak256('eip1967.proxy.<name>') - 1, so they never collide with compiler-laid storage. */
export const erc1967Slots = {
  implementation: '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc',
  admin: '0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103',
  beacon: '0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50',
} as const satisfies Record<string, Hex>

/**
 * - `uups`: implementation slot set, no admin, and the implementation answers `proxiableUUID()`
 *   with the implementation slot (ERC-1822), so upgrades are authorized by the implementation.
 * - `transparent`: implementation and admin slots set; the admin (a ProxyAdmin in OZ 5) upgrades.
 * - `beacon-proxy`: beacon slot set; the implementation is whatever the beacon answers.
 * - `erc1967`: implementation slot set, but neither an admin nor a UUPS implementation: nothing
 *   visible on chain can upgrade it (or the implementation upgrades it by a non-standard route).
 */
export type ProxyKind = 'uups' | 'transparent' | 'beacon-proxy' | 'erc1967'

export type ProxyInfo = {
  kind: ProxyKind
  /** For a beacon proxy, the beacon's current `implementation()`. */
  implementation: Address
  admin?: Address
  beacon?: Address
}

export type GetProxyInfoParameters = { address: Address; blockNumber?: bigint | undefined }
/** undefined when `address` is not an ERC-1967 proxy. */
export type GetProxyInfoReturnType = ProxyInfo | undefined
export type GetProxyInfoErrorType = ImplementationNoCodeError

const proxiableAbi = parseAbi(['function proxiableUUID() view returns (bytes32)'])
const beaconAbi = parseAbi(['function implementation() view returns (address)'])

/**
 * Reads a proxy's ERC-1967 slots and classifies it. Throws `ImplementationNoCodeError` when the
 * implementation (or beacon, or the beacon's implementation) has no code: such a proxy answers
 * every call with empty success, which must not pass as a healthy proxy.
 */
export async function getProxyInfo(client: InventoryClient, { address, blockNumber }: GetProxyInfoParameters): Promise<GetProxyInfoReturnType> {
  const at = blockNumber === undefined ? {} : { blockNumber }
  const readSlot = (slot: Hex) =>
    requiredRead(client, 'eth_getStorageAt', () => client.getStorageAt({ address, slot, ...at })).then(addressInSlot)
  const [implementation, admin, beacon] = await Promise.all([
    readSlot(erc1967Slots.implementation),
    readSlot(erc1967Slots.admin),
    readSlot(erc1967Slots.beacon),
  ])
  const hasCode = async (target: Address) => {
    const code = await requiredRead(client, 'eth_getCode', () => client.getCode({ address: target, ...at }))
    return code !== undefined && code !== '0x'
  }

  if (beacon) {
    if (!(await hasCode(beacon))) throw new ImplementationNoCodeError({ proxy: address, slot: 'beacon', target: beacon })
    const answered = await probeContractRead(client, () => client.readContract({ address: beacon, abi: beaconAbi, functionName: 'implementation', ...at }))
    const beaconImplementation = answered === undefined ? zeroAddress : getAddress(answered)
    if (beaconImplementation === zeroAddress || !(await hasCode(beaconImplementation))) {
      throw new ImplementationNoCodeError({ proxy: address, slot: 'beacon implementation', target: beaconImplementation })
    }
    return { kind: 'beacon-proxy', implementation: beaconImplementation, beacon }
  }
  if (!implementation) return undefined

  const [implementationHasCode, proxiableUUID] = await Promise.all([
    hasCode(implementation),
    probeContractRead(client, () => client.readContract({ address: implementation, abi: proxiableAbi, functionName: 'proxiableUUID', ...at })),
  ])
  if (!implementationHasCode) throw new ImplementationNoCodeError({ proxy: address, slot: 'implementation', target: implementation })
  if (admin) return { kind: 'transparent', implementation, admin }
  return { kind: proxiableUUID === erc1967Slots.implementation ? 'uups' : 'erc1967', implementation }
}

/** An address stored right-aligned in a 32-byte slot; an empty slot is undefined. */
function addressInSlot(value: Hex | undefined): Address | undefined {
  if (value === undefined || BigInt(value) === 0n) return undefined
  return getAddress(sliceHex(value.length === 66 ? value : padSlot(value), 12))
}

function padSlot(value: Hex): Hex {
  return `0x${value.slice(2).padStart(64, '0')}`
}
