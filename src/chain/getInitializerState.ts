import { hexToBigInt, toEventSelector, type Address, type Hex } from 'viem'
import { requiredRead, type InventoryClient } from './probeContractRead.js'

/** OZ 5 Initializable: ERC-7201 slot keccak256(abi.encode(uint256(keccak256("openzeppelin.storage.Initializable")) - 1)) & ~0xff. */
export const initializableSlotOz5: Hex = '0xf0c57e16840df040f15088dc2f81fe391c3923bec73e23a9662efc9c229c6a00'

const initializedEventOz5 = toEventSelector('Initialized(uint64)')
const initializedEventOz4 = toEventSelector('Initialized(uint8)')
const disabledOz5 = 2n ** 64n - 1n
const disabledOz4 = 255n

/**
 * - `oz5-erc7201`: `_initialized` is the low uint64 of the ERC-7201 slot, `_initializing` the next byte.
 * - `oz4-slot0`: `_initialized` is the low byte of slot 0 (uint8 since 4.6, bool before) and
 *   `_initializing` the next byte, as Initializable is the first base of an upgradeable contract.
 * - `unknown`: the code shows neither layout; nothing is claimed.
 */
export type InitializerLayout = 'oz5-erc7201' | 'oz4-slot0' | 'unknown'

export type InitializerState =
  | { layout: 'unknown' }
  | {
      layout: 'oz5-erc7201' | 'oz4-slot0'
      /** The last initializer version run (0 = never initialized). */
      version: bigint
      initializing: boolean
      /** `_disableInitializers()` was called (version is the type's maximum). */
      disabled: boolean
      /** Anyone may call an `initializer` function now: never initialized, not disabled. */
      callableByAnyone: boolean
    }

export type GetInitializerStateParameters = {
  /** An implementation contract, read directly (not through a proxy). */
  address: Address
  blockNumber?: bigint | undefined
}
export type GetInitializerStateReturnType = InitializerState

/**
 * Whether an implementation's initializer is still open. The layout is recognized from the
 * runtime code, which embeds the `Initialized` event topic (uint64 in OZ 5, uint8 in OZ 4.6+) and,
 * for OZ 5, the ERC-7201 slot constant. Storage alone cannot tell an OZ 5 contract that was never
 * initialized from a contract that is not Initializable at all: both read zero.
 */
export async function getInitializerState(client: InventoryClient, { address, blockNumber }: GetInitializerStateParameters): Promise<GetInitializerStateReturnType> {
  const at = blockNumber === undefined ? {} : { blockNumber }
  const [code, oz5Slot, slot0] = await Promise.all([
    requiredRead(client, 'eth_getCode', () => client.getCode({ address, ...at })),
    requiredRead(client, 'eth_getStorageAt', () => client.getStorageAt({ address, slot: initializableSlotOz5, ...at })),
    requiredRead(client, 'eth_getStorageAt', () => client.getStorageAt({ address, slot: '0x0', ...at })),
  ])
  const runtime = (code ?? '0x').toLowerCase()
  const oz5Value = hexToBigInt(oz5Slot ?? '0x0')
  const looksOz5 = runtime.includes(initializedEventOz5.slice(2)) || runtime.includes(initializableSlotOz5.slice(2)) || oz5Value !== 0n
  if (looksOz5) {
    const version = oz5Value & disabledOz5
    const initializing = ((oz5Value >> 64n) & 0xffn) !== 0n
    return { layout: 'oz5-erc7201', version, initializing, disabled: version === disabledOz5, callableByAnyone: version === 0n && !initializing }
  }
  if (runtime.includes(initializedEventOz4.slice(2))) {
    const slot0Value = hexToBigInt(slot0 ?? '0x0')
    const version = slot0Value & 0xffn
    const initializing = ((slot0Value >> 8n) & 0xffn) !== 0n
    return { layout: 'oz4-slot0', version, initializing, disabled: version === disabledOz4, callableByAnyone: version === 0n && !initializing }
  }
  return { layout: 'unknown' }
}
