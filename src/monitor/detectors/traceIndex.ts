import { getAbiItem, getAddress, hexToBigInt, toEventSelector, toFunctionSelector, type Address, type Hex } from 'viem'
import { releaseGateAbi } from '../../chain/releaseGateAbi.js'
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

export type IndexedLog = MonitorLog & { readonly viaGate: boolean; readonly viaAuthority: boolean }

export type TraceIndex = {
  readonly frames: readonly IndexedFrame[]
  /** Effective logs in execution order (from the trace when there is one, else from the receipt). */
  readonly logs: readonly IndexedLog[]
  /** Effective ERC-20 transfers, in execution order. */
  readonly transfers: readonly { token: Address; from: Address; to: Address; amount: bigint }[]
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
} as const

/** `ReleaseGate.release(bytes32,(uint8,address,address,address,bytes)[])`, taken from the gate's ABI so the two cannot drift. */
export const releaseSelector = toFunctionSelector(getAbiItem({ abi: releaseGateAbi, name: 'release' }))

/** Lower-cased set of addresses, for the membership tests that run on every frame. */
export function addressSet(addresses: readonly string[]): ReadonlySet<string> {
  return new Set(addresses.map((address) => address.toLowerCase()))
}

const scopeSets = new WeakMap<object, { contracts: ReadonlySet<string>; gates: ReadonlySet<string>; authorities: ReadonlySet<string>; size: number }>()
/** The scope as lower-cased sets (cached per scope object). */
export function scopeSetsOf(ctx: DetectorContext) {
  let sets = scopeSets.get(ctx.scope)
  // The scope may grow while the monitor runs (a contract added): rebuild when its size changes.
  if (!sets || sets.contracts.size !== ctx.scope.contracts.length || sets.size !== ctx.scope.authorities.length + ctx.scope.releaseGates.length) {
    const gates = addressSet(ctx.scope.releaseGates)
    sets = { contracts: addressSet(ctx.scope.contracts), gates, authorities: new Set([...addressSet(ctx.scope.authorities), ...gates]), size: ctx.scope.authorities.length + ctx.scope.releaseGates.length }
    scopeSets.set(ctx.scope, sets)
  }
  return sets
}

const cache = new WeakMap<MonitorTransaction, TraceIndex>()

/** Flattens a transaction's trace (once; every detector shares the result). */
export function indexTransaction(tx: MonitorTransaction, ctx: DetectorContext): TraceIndex {
  const cached = cache.get(tx)
  if (cached) return cached
  const { gates, authorities } = scopeSetsOf(ctx)
  const frames: IndexedFrame[] = []
  const logs: IndexedLog[] = []
  const walk = (frame: CallFrame, depth: number, parent: number, parentContext: Address | undefined, reverted: boolean, viaGate: boolean, viaAuthority: boolean) => {
    const to = frame.to ? getAddress(frame.to) : undefined
    const from = getAddress(frame.from)
    const selector = (frame.input.length >= 10 ? frame.input.slice(0, 10) : '0x') as Hex
    const isDelegate = frame.type === 'DELEGATECALL' || frame.type === 'CALLCODE'
    const context = isDelegate ? parentContext : to
    const frameReverted = reverted || frame.error !== undefined
    const inGate = viaGate || (to !== undefined && gates.has(to.toLowerCase()) && selector === releaseSelector)
    const inAuthority = viaAuthority || inGate || authorities.has(from.toLowerCase())
    const index = frames.length
    frames.push({ frame, type: frame.type, from, to, context, selector, depth, parent, reverted: frameReverted, viaGate: inGate, viaAuthority: inAuthority })
    const calls = frame.calls ?? []
    const frameLogs = frame.logs ?? []
    for (let i = 0; i <= calls.length; i++) {
      if (!frameReverted) {
        for (const log of frameLogs) {
          const position = Math.min(log.position === undefined ? 0 : Number(log.position), calls.length)
          if (position === i) logs.push({ address: getAddress(log.address), topics: log.topics, data: log.data, viaGate: inGate, viaAuthority: inAuthority })
        }
      }
      const child = calls[i]
      if (child) walk(child, depth + 1, index, context, frameReverted, inGate, inAuthority)
    }
  }
  if (tx.trace) {
    walk(tx.trace, 0, -1, undefined, false, false, false)
  } else if (tx.status === 'success') {
    // Without a trace, only the top-level call tells the path.
    const to = tx.to?.toLowerCase()
    const viaGate = to !== undefined && gates.has(to) && tx.input.startsWith(releaseSelector)
    const viaAuthority = viaGate || authorities.has(tx.from.toLowerCase())
    for (const log of tx.logs) logs.push({ ...log, viaGate, viaAuthority })
  }
  const transfers: TraceIndex['transfers'][number][] = []
  for (const log of logs) {
    if (log.topics[0] === topics.transfer && log.topics.length === 3 && log.data.length === 66) {
      transfers.push({ token: log.address, from: topicAddress(log.topics[1]), to: topicAddress(log.topics[2]), amount: hexToBigInt(log.data) })
    }
  }
  const result = { frames, logs, transfers }
  cache.set(tx, result)
  return result
}

/** The address in an indexed 32-byte topic. */
export function topicAddress(topic: Hex | undefined): Address {
  return getAddress(`0x${(topic ?? '0x').slice(-40).padStart(40, '0')}`)
}

/** The block a finding belongs to, and the `pending` flag, from any event that carries a transaction. */
export function findingPlace(event: { kind: string; block?: { number: bigint; hash: Hex } }): { block?: { number: bigint; hash: Hex }; pending: boolean } {
  return event.kind === 'pending' || !event.block ? { pending: true } : { block: { number: event.block.number, hash: event.block.hash }, pending: false }
}
