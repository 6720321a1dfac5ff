import type { Address, Hash, Hex } from 'viem'
import { checksumAddress } from '../checksumAddress.js'
import type { CallFrame } from '../types.js'

/** One entry of `trace_block` / `trace_transaction` (the Parity/OpenEthereum trace format). */
export type ParityTrace = {
  readonly type: 'call' | 'create' | 'suicide' | 'reward' | string
  readonly action: {
    readonly callType?: string
    readonly from?: Address
    readonly to?: Address
    readonly input?: Hex
    readonly init?: Hex
    readonly value?: Hex
    readonly gas?: Hex
    readonly creationMethod?: string
    /** suicide: the destroyed contract, where its balance went, and the balance. */
    readonly address?: Address
    readonly refundAddress?: Address
    readonly balance?: Hex
  }
  readonly result?: { readonly gasUsed?: Hex; readonly output?: Hex; readonly address?: Address; readonly code?: Hex } | null
  readonly error?: string
  readonly traceAddress: readonly number[]
  readonly blockHash?: Hash | null
  readonly transactionHash?: Hash | null
  readonly transactionPosition?: number | null
}

/** A receipt log as `eth_getBlockReceipts` returns it. */
export type ReceiptLog = { readonly address: Address; readonly topics: readonly Hex[]; readonly data: Hex }

/** What the detectors read of a frame: gas, gas used and return data are left behind with the node's answer. */
type MutableFrame = {
  type: string
  from: Address
  to?: Address | undefined
  value?: Hex | undefined
  input: Hex
  error?: string | undefined
  calls?: MutableFrame[] | undefined
  logs?: { address: Address; topics: readonly Hex[]; data: Hex; position: number }[] | undefined
}

/** Flat view of a frame while its logs are placed. */
type Node = { frame: MutableFrame; parent: number; children: number[]; context: string | undefined; reverted: boolean; end: number }

/**
 * Rebuilds, per transaction, the call tree in the shape of geth's `callTracer` from a block's
 * Parity traces (`trace_block`), and places the receipt's logs into it.
 *
 * Parity traces carry no logs, so each log is given to a frame that could have emitted it: one
 * that runs with the log's address as its storage context (a DELEGATECALL runs in its caller's)
 * and did not revert. Logs are placed as one consistent execution schedule: the receipt order is
 * the order logs happened, a log goes to the innermost frame on the currently active call path
 * with the right context, or else to the next frame (in call order) that has it — which also
 * closes the frames in between. Walking the rebuilt tree therefore yields the receipt's logs in
 * the receipt's order; only when the same contract is active at two depths can a log land one
 * frame off, which changes nothing the detectors read but the frame's gate/authority path.
 *
 * @returns one frame per transaction position (undefined where the node gave no trace).
 */
export function callFramesOfParityTraces(traces: readonly ParityTrace[], logsByPosition: readonly (readonly ReceiptLog[])[]): (CallFrame | undefined)[] {
  const byPosition = new Map<number, ParityTrace[]>()
  for (const trace of traces) {
    if (trace.transactionPosition === undefined || trace.transactionPosition === null) continue
    let list = byPosition.get(trace.transactionPosition)
    if (!list) byPosition.set(trace.transactionPosition, (list = []))
    list.push(trace)
  }
  const frames: (CallFrame | undefined)[] = []
  for (let position = 0; position < logsByPosition.length; position++) {
    const list = byPosition.get(position)
    frames.push(list && list.length > 0 ? rebuildTransaction(list, logsByPosition[position] ?? []) : undefined)
  }
  return frames
}

function rebuildTransaction(traces: readonly ParityTrace[], logs: readonly ReceiptLog[]): CallFrame | undefined {
  // Pre-order (call order): by trace address, lexicographically (what nodes already send: sorted only when not).
  const inOrder = traces.every((trace, index) => index === 0 || compareTraceAddress(traces[index - 1]!.traceAddress, trace.traceAddress) < 0)
  const ordered = inOrder ? traces : [...traces].sort((a, b) => compareTraceAddress(a.traceAddress, b.traceAddress))
  const nodes: Node[] = []
  const indexByPath = new Map<string, number>()
  for (const trace of ordered) {
    const frame = frameOf(trace)
    const path = trace.traceAddress
    const parent = path.length === 0 ? -1 : (indexByPath.get(path.slice(0, -1).join('.')) ?? -1)
    if (path.length > 0 && parent === -1) continue // an orphan: the node dropped its parent
    const parentNode = nodes[parent]
    const isDelegate = frame.type === 'DELEGATECALL' || frame.type === 'CALLCODE'
    const context = isDelegate ? parentNode?.context : frame.to?.toLowerCase()
    const reverted = (parentNode?.reverted ?? false) || frame.error !== undefined
    indexByPath.set(path.join('.'), nodes.length)
    if (parentNode) {
      parentNode.children.push(nodes.length)
      ;(parentNode.frame.calls ??= []).push(frame)
    }
    nodes.push({ frame, parent, children: [], context, reverted, end: nodes.length + 1 })
  }
  if (nodes.length === 0) return undefined
  // end = one past the last frame of each subtree, filled bottom-up.
  for (let index = nodes.length - 1; index >= 0; index--) {
    const node = nodes[index]!
    const parent = nodes[node.parent]
    if (parent && node.end > parent.end) parent.end = node.end
  }
  placeLogs(nodes, logs)
  return nodes[0]!.frame
}

function placeLogs(nodes: readonly Node[], logs: readonly ReceiptLog[]): void {
  let current = 0
  let next = 1
  for (const log of logs) {
    const context = log.address.toLowerCase()
    let owner = -1
    for (let index = current; index !== -1; index = nodes[index]!.parent) {
      const node = nodes[index]!
      if (!node.reverted && node.context === context) {
        owner = index
        break
      }
    }
    if (owner !== -1) {
      // Back in an ancestor: the subtree execution came from is finished.
      let child = current
      while (child !== owner && nodes[child]!.parent !== owner) child = nodes[child]!.parent
      if (child !== owner) next = Math.max(next, nodes[child]!.end)
      current = owner
    } else {
      let index = next
      while (index < nodes.length) {
        const node = nodes[index]!
        if (node.reverted) {
          index = node.end
          continue
        }
        if (node.context === context) break
        index++
      }
      if (index < nodes.length) {
        current = owner = index
        next = index + 1
      } else {
        owner = current // no frame fits (a node that omits some frames): keep it where execution is
      }
    }
    const { frame, children } = nodes[owner]!
    let position = 0
    for (const child of children) if (child < next) position++
    ;(frame.logs ??= []).push({ address: checksumAddress(log.address), topics: log.topics, data: log.data, position })
  }
}

function frameOf(trace: ParityTrace): MutableFrame {
  const { action, result } = trace
  const { error } = trace
  if (trace.type === 'create') {
    const method = (action.creationMethod ?? 'create').toUpperCase()
    return {
      type: method === 'CREATE2' ? 'CREATE2' : 'CREATE',
      from: checksumAddress(action.from ?? zeroAddress),
      to: result?.address ? checksumAddress(result.address) : undefined,
      value: action.value,
      input: action.init ?? '0x',
      error,
    }
  }
  if (trace.type === 'suicide') {
    return {
      type: 'SELFDESTRUCT',
      from: checksumAddress(action.address ?? zeroAddress),
      to: action.refundAddress ? checksumAddress(action.refundAddress) : undefined,
      value: action.balance,
      input: '0x',
      error,
    }
  }
  return {
    type: (action.callType ?? 'call').toUpperCase(),
    from: checksumAddress(action.from ?? zeroAddress),
    to: action.to ? checksumAddress(action.to) : undefined,
    value: action.value,
    input: action.input ?? '0x',
    error,
  }
}

const zeroAddress = '0x0000000000000000000000000000000000000000'

function compareTraceAddress(a: readonly number[], b: readonly number[]): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!
  }
  return a.length - b.length
}
