import { getAbiItem, hexToBigInt, toEventSelector, toFunctionSelector, type Address, type Hex } from 'viem'
import { releaseGateAbi } from '../../chain/releaseGateAbi.js'
import { checksumAddress } from '../checksumAddress.js'
import type { CallFrame, DetectorContext, MonitorLog, MonitorTransaction } from '../types.js'

/** One frame of a trace with what detectors ask of it, computed once per transaction. */
export type IndexedFrame = {
  readonly frame: CallFrame
  readonly type: string
  readonly from: Address
  readonly to: Address | undefined
  /** The account whose code and storage run the frame (a DELEGATECALL runs in its caller's). */
  readonly context: Address | undefined
  readonly selector: Hex
  readonly depth: number
  readonly parent: number
  /** The frame or an ancestor reverted: its effects did not happen. */
  readonly reverted: boolean
  /** Inside a release gate's `release` call. */
  readonly viaGate: boolean
  /** Inside a call made by a governance authority (or a release gate). */
  readonly viaAuthority: boolean
}

export type IndexedLog = MonitorLog & {
  readonly viaGate: boolean
  readonly viaAuthority: boolean
  /** Index in `frames` of the frame that emitted it; -1 without a trace. */
  readonly frame: number
}

/** The pseudo-token address under which native ETH moves (call values) are counted beside ERC-20 transfers. */
export const nativeToken: Address = '0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE'

/** One value movement: an ERC-20 `Transfer`, or native ETH sent with a call, a creation or a selfdestruct (token `nativeToken`). */
export type IndexedTransfer = {
  readonly token: Address
  readonly from: Address
  readonly to: Address
  readonly amount: bigint
  /** Index in `frames` of the frame that moved it; -1 without a trace. */
  readonly frame: number
  /** Order of execution among the transaction's transfers and frames (a transfer at order n happened before frame n+1 started). */
  readonly order: number
}

export type TraceIndex = {
  readonly frames: readonly IndexedFrame[]
  /** Effective logs in execution order (from the trace when there is one, else from the receipt). */
  readonly logs: readonly IndexedLog[]
  /** Effective value movements (ERC-20 transfers and native ETH), in execution order. */
  readonly transfers: readonly IndexedTransfer[]
  /** One past the last frame of each frame's subtree (frames `i+1 … end[i]-1` are its descendants). */
  readonly subtreeEnd: readonly number[]
}

export const topics = {
  transfer: toEventSelector('Transfer(address,address,uint256)'),
  upgraded: toEventSelector('Upgraded(address)'),
  adminChanged: toEventSelector('AdminChanged(address,address)'),
  beaconUpgraded: toEventSelector('BeaconUpgraded(address)'),
  roleGranted: toEventSelector('RoleGranted(bytes32,address,address)'),
  roleRevoked: toEventSelector('RoleRevoked(bytes32,address,address)'),
  ownershipTransferred: toEventSelector('OwnershipTransferred(address,address)'),
  initialized: toEventSelector('Initialized(uint64)'),
  initializedV4: toEventSelector('Initialized(uint8)'),
  sync: toEventSelector('Sync(uint112,uint112)'),
  swapV3: toEventSelector('Swap(address,address,int256,int256,uint160,uint128,int24)'),
  answerUpdated: toEventSelector('AnswerUpdated(int256,uint256,uint256)'),
  newImplementation: toEventSelector('NewImplementation(address,address)'),
  newPendingImplementation: toEventSelector('NewPendingImplementation(address,address)'),
  newAdmin: toEventSelector('NewAdmin(address,address)'),
  diamondCut: toEventSelector('DiamondCut((address,uint8,bytes4[])[],address,bytes)'),
} as const

/** `ReleaseGate.release(bytes32,(uint8,address,address,address,bytes)[])`, taken from the gate's ABI so the two cannot drift. */
export const releaseSelector = toFunctionSelector(getAbiItem({ abi: releaseGateAbi, name: 'release' }))

/** Lower-cased set of addresses, for the membership tests that run on every frame. */
export function addressSet(addresses: readonly string[]): ReadonlySet<string> {
  return new Set(addresses.map((address) => address.toLowerCase()))
}

type ScopeSets = { contracts: ReadonlySet<string>; gates: ReadonlySet<string>; authorities: ReadonlySet<string>; sizes: readonly [number, number, number, number] }
const scopeSets = new WeakMap<object, ScopeSets>()
/** Contracts that joined the watched set while the monitor ran (created by watched contracts, factories, beacons), per scope object. */
const grown = new WeakMap<object, Map<string, { address: Address; reason: string; block: bigint | undefined }>>()

/** The scope as lower-cased sets (cached per scope object), including contracts it grew by. */
export function scopeSetsOf(ctx: Pick<DetectorContext, 'scope'>): ScopeSets {
  let sets = scopeSets.get(ctx.scope)
  const extra = grown.get(ctx.scope)
  // The scope may grow while the monitor runs (a contract added): rebuild when a size changes.
  // (Compared as numbers: this runs several times per frame.)
  const { contracts: listed, authorities: named, releaseGates } = ctx.scope
  const grownSize = extra?.size ?? 0
  if (!sets || sets.sizes[0] !== listed.length || sets.sizes[1] !== grownSize || sets.sizes[2] !== named.length || sets.sizes[3] !== releaseGates.length) {
    const gates = addressSet(releaseGates)
    const contracts = new Set([...addressSet(listed), ...(extra?.keys() ?? [])])
    sets = { contracts, gates, authorities: new Set([...addressSet(named), ...gates]), sizes: [listed.length, grownSize, named.length, releaseGates.length] }
    scopeSets.set(ctx.scope, sets)
  }
  return sets
}

/** Adds a contract to the watched set of `scope` (kept for the life of the scope object). Returns false when it was watched already. */
export function growScope(scope: DetectorContext['scope'], address: Address, reason: string, block?: bigint): boolean {
  const key = address.toLowerCase()
  if (scopeSetsOf({ scope }).contracts.has(key)) return false
  let extra = grown.get(scope)
  if (!extra) grown.set(scope, (extra = new Map()))
  extra.set(key, { address, reason, block })
  return true
}

/** The contracts the scope grew by, with why and when. */
export function grownContracts(scope: DetectorContext['scope']): { address: Address; reason: string; block: bigint | undefined }[] {
  return [...(grown.get(scope)?.values() ?? [])]
}

const cache = new WeakMap<MonitorTransaction, TraceIndex>()

/** Flattens a transaction's trace (once; every detector shares the result). */
export function indexTransaction(tx: MonitorTransaction, ctx: DetectorContext): TraceIndex {
  const cached = cache.get(tx)
  if (cached) return cached
  const { gates, authorities } = scopeSetsOf(ctx)
  const frames: IndexedFrame[] = []
  const logs: IndexedLog[] = []
  const transfers: IndexedTransfer[] = []
  const subtreeEnd: number[] = []
  const walk = (frame: CallFrame, depth: number, parent: number, parentContext: Address | undefined, reverted: boolean, viaGate: boolean, viaAuthority: boolean) => {
    const to = frame.to ? checksumAddress(frame.to) : undefined
    const from = checksumAddress(frame.from)
    const selector = (frame.input.length >= 10 ? frame.input.slice(0, 10) : '0x') as Hex
    const isDelegate = frame.type === 'DELEGATECALL' || frame.type === 'CALLCODE'
    const context = isDelegate ? parentContext : to
    const frameReverted = reverted || frame.error !== undefined
    const inGate = viaGate || (to !== undefined && gates.has(to.toLowerCase()) && selector === releaseSelector)
    const inAuthority = viaAuthority || inGate || authorities.has(from.toLowerCase())
    const index = frames.length
    frames.push({ frame, type: frame.type, from, to, context, selector, depth, parent, reverted: frameReverted, viaGate: inGate, viaAuthority: inAuthority })
    subtreeEnd.push(index + 1)
    // Native ETH moves with the frame itself (a DELEGATECALL's value is its caller's, already counted).
    if (!frameReverted && !isDelegate && frame.type !== 'STATICCALL' && to !== undefined && frame.value !== undefined && frame.value !== '0x0' && frame.value !== '0x') {
      const amount = hexToBigInt(frame.value)
      if (amount > 0n) transfers.push({ token: nativeToken, from, to, amount, frame: index, order: index })
    }
    const calls = frame.calls ?? []
    const frameLogs = frame.logs ?? []
    for (let i = 0; i <= calls.length; i++) {
      if (!frameReverted) {
        for (const log of frameLogs) {
          const position = Math.min(log.position === undefined ? 0 : Number(log.position), calls.length)
          if (position !== i) continue
          const indexed: IndexedLog = { address: checksumAddress(log.address), topics: log.topics, data: log.data, viaGate: inGate, viaAuthority: inAuthority, frame: index }
          logs.push(indexed)
          const transfer = transferOf(indexed, index, frames.length - 1)
          if (transfer) transfers.push(transfer)
        }
      }
      const child = calls[i]
      if (child) walk(child, depth + 1, index, context, frameReverted, inGate, inAuthority)
    }
    subtreeEnd[index] = frames.length
  }
  if (tx.trace) {
    walk(tx.trace, 0, -1, undefined, false, false, false)
  } else if (tx.status === 'success') {
    // Without a trace, only the top-level call tells the path.
    const to = tx.to?.toLowerCase()
    const viaGate = to !== undefined && gates.has(to) && tx.input.startsWith(releaseSelector)
    const viaAuthority = viaGate || authorities.has(tx.from.toLowerCase())
    if (tx.value > 0n && tx.to) transfers.push({ token: nativeToken, from: tx.from, to: tx.to, amount: tx.value, frame: -1, order: -1 })
    for (const log of tx.logs) {
      const indexed: IndexedLog = { ...log, viaGate, viaAuthority, frame: -1 }
      logs.push(indexed)
      const transfer = transferOf(indexed, -1, -1)
      if (transfer) transfers.push(transfer)
    }
  }
  const result = { frames, logs, transfers, subtreeEnd }
  cache.set(tx, result)
  return result
}

/** An ERC-20 `Transfer` log as a value movement. */
function transferOf(log: IndexedLog, frame: number, order: number): IndexedTransfer | undefined {
  if (log.topics[0] !== topics.transfer || log.topics.length !== 3 || log.data.length !== 66) return undefined
  return { token: log.address, from: topicAddress(log.topics[1]), to: topicAddress(log.topics[2]), amount: hexToBigInt(log.data), frame, order }
}

/** The address in an indexed 32-byte topic. */
export function topicAddress(topic: Hex | undefined): Address {
  return checksumAddress(`0x${(topic ?? '0x').slice(-40).padStart(40, '0')}`)
}

/** The block a finding belongs to, and the `pending` flag, from any event that carries a transaction. */
export function findingPlace(event: { kind: string; block?: { number: bigint; hash: Hex } }): { block?: { number: bigint; hash: Hex }; pending: boolean } {
  return event.kind === 'pending' || !event.block ? { pending: true } : { block: { number: event.block.number, hash: event.block.hash }, pending: false }
}
