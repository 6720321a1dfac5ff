import type { Address, Hash, Hex } from 'viem'
import type { z } from 'zod'

/**
 * The shared vocabulary of the monitor: sources produce `MonitorEvent`s, detectors turn them
 * into `DetectorFinding`s, the risk roll-up and responders (part B) turn findings into `Alert`s.
 * Amounts are bigint inside the process; anything persisted or printed uses decimal strings.
 */

/** A chain as the monitor names it: the EIP-155 id plus the project's label for it. */
export type MonitorChain = { readonly id: number; readonly name: string }

/** One log, as found in a receipt (or produced by a simulated call trace). */
export type MonitorLog = {
  readonly address: Address
  readonly topics: readonly Hex[]
  readonly data: Hex
  /** Position in the block; undefined for logs of a simulated pending transaction. */
  readonly logIndex?: number | undefined
}

/**
 * One frame of a call trace in the shape of geth's `callTracer` (what anvil's
 * `debug_traceTransaction` / `debug_traceBlockByNumber` / `debug_traceCall` answer with `withLog`).
 * `type` is CALL, STATICCALL, DELEGATECALL, CALLCODE, CREATE, CREATE2 or SELFDESTRUCT.
 */
export type CallFrame = {
  readonly type: string
  readonly from: Address
  /** Absent only for a CREATE that failed before an address was assigned. */
  readonly to?: Address | undefined
  readonly value?: Hex | undefined
  readonly gas?: Hex | undefined
  readonly gasUsed?: Hex | undefined
  readonly input: Hex
  readonly output?: Hex | undefined
  readonly error?: string | undefined
  readonly revertReason?: string | undefined
  readonly calls?: readonly CallFrame[] | undefined
  readonly logs?:
    | readonly { readonly address: Address; readonly topics: readonly Hex[]; readonly data: Hex; readonly position?: Hex | number | undefined }[]
    | undefined
}

/** The part of a mined block a detector may need (the transactions come as separate events). */
export type MonitorBlock = {
  readonly number: bigint
  readonly hash: Hash
  readonly parentHash: Hash
  /** Seconds since the epoch. */
  readonly timestamp: bigint
  readonly transactionCount: number
}

/** A transaction plus everything known about its effects (mined: receipt; pending: simulation). */
export type MonitorTransaction = {
  readonly hash: Hash
  readonly from: Address
  /** null for a contract creation. */
  readonly to: Address | null
  readonly value: bigint
  readonly input: Hex
  /**
   * Read for every pending transaction and every mined one that creates a contract (the creation
   * checks judge a fresh creator by it); undefined for other mined transactions of a block read as
   * a header with traces (`fetchBlock`), whose bodies are not read.
   */
  readonly nonce: number | undefined
  /** 'success' or 'reverted' (for pending: the outcome of the simulation). */
  readonly status: 'success' | 'reverted'
  /** Contract created by the transaction itself (to === null), if any. */
  readonly contractAddress: Address | null
  readonly logs: readonly MonitorLog[]
  /** The call trace; undefined when the source runs with traces off or the node has no tracer. */
  readonly trace?: CallFrame | undefined
}

/**
 * The three things a source emits. A mined block yields its transactions in order, then the
 * `block` event, which therefore means "block done" (end-of-block checks: TVL, invariants).
 */
export type MonitorEvent =
  | {
      readonly kind: 'block'
      readonly chain: MonitorChain
      readonly block: MonitorBlock
    }
  | {
      readonly kind: 'transaction'
      readonly chain: MonitorChain
      readonly block: MonitorBlock
      /** Index of the transaction in its block. */
      readonly index: number
      readonly transaction: MonitorTransaction
    }
  | {
      readonly kind: 'pending'
      readonly chain: MonitorChain
      /** The block the simulation ran on (`latest` when it was traced). */
      readonly simulatedOn: { readonly number: bigint; readonly hash: Hash }
      /** The simulated effects (`debug_traceCall` on latest): status, trace, logs from the trace. */
      readonly transaction: MonitorTransaction
    }

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical'
export const severities = ['info', 'low', 'medium', 'high', 'critical'] as const satisfies readonly Severity[]

/** JSON-safe evidence: what the detector saw, with amounts as decimal strings. */
export type Evidence = { readonly [key: string]: string | number | boolean | null | readonly string[] | Evidence | readonly Evidence[] }

/** What one detector found in one event. Data, not an exception. */
export type DetectorFinding = {
  /** The detector's id (`Detector.id`). */
  readonly detector: string
  readonly severity: Severity
  /** EIP-155 chain id. */
  readonly chain: number
  /** Block number and hash for mined events; undefined for pending ones. */
  readonly block?: { readonly number: bigint; readonly hash: Hash } | undefined
  readonly tx?: Hash | undefined
  /** Addresses involved (the protocol contract first, then the actor), lowercase-independent. */
  readonly addresses: readonly Address[]
  /** One sentence a responder can read. */
  readonly summary: string
  readonly evidence: Evidence
  /** True when the transaction is not mined yet (seen in the mempool and simulated). */
  readonly pending: boolean
}

/** The monitored protocol, as the detectors know it. */
export type MonitorScope = {
  /** Protocol contracts (proxies and plain contracts); lowercase-insensitive comparisons. */
  readonly contracts: readonly Address[]
  /** Release gates: an upgrade/admin change inside a `release` call of one of them is approved. */
  readonly releaseGates: readonly Address[]
  /**
   * Governance accounts (timelocks, Safes, the gate): admin work (role grants, ownership
   * transfers, privileged calls) made by one of them is the approved path, not an alert.
   */
  readonly authorities: readonly Address[]
  /**
   * Who holds a role on a protocol contract, read from the chain (owners, AccessControl role
   * holders, proxy admins) and the project file: a holder doing its job on that contract is not
   * acting outside governance. Optional; `readGovernance` fills it.
   */
  readonly roles?: readonly ScopeRole[] | undefined
}

/** One holder of one role on one protocol contract (`role` is a role name or hash, or `owner` / `admin`). */
export type ScopeRole = { readonly contract: Address; readonly holder: Address; readonly role: string }

/**
 * What a detector may use besides the event: the chain (for view calls), the scope, and a
 * small per-detector memory that outlives one event (windows, previous values). The memory is
 * rebuilt after a restart by re-reading state, never trusted across reorgs for correctness.
 */
export type DetectorContext = {
  /** A viem public client on the monitored chain; view calls at `blockNumber` when given. */
  readonly client: import('viem').PublicClient
  readonly scope: MonitorScope
  /** Per-detector state keyed by detector id; the detector owns what it stores there. */
  readonly memory: Map<string, unknown>
}

/**
 * One detector: an id, the schema of its config (thresholds), and `detect`. `create` parses the
 * config once; `detect` must be cheap — it runs on every transaction of every block.
 */
export type Detector<Config = unknown> = {
  readonly id: string
  readonly description: string
  readonly configSchema: z.ZodType<Config>
  /** Builds the detector's per-event function from a validated config. */
  create(config: Config): DetectorInstance
}

export type DetectorInstance = {
  readonly id: string
  /** Which event kinds the detector wants; others are not passed to it. */
  readonly kinds: readonly MonitorEvent['kind'][]
  detect(event: MonitorEvent, ctx: DetectorContext): DetectorFinding[] | Promise<DetectorFinding[]>
  /**
   * Called by the block follower when it starts reading a block ahead of the one it judges: the
   * detector may start, into its memo, the view reads it expects to make at that block (they go
   * to the node in the same batch as the block), so judging the block does not wait a round trip
   * on a node busy serving the next ones. It must not change what the detector judges (the memo
   * holds what the chain answers at that block); a read that fails is asked again when judging.
   */
  readAhead?(blockNumber: bigint, ctx: DetectorContext): void
}

/** What a responder did about an alert (filled by part B; 'none' when no response was due). */
export type ResponseTaken = {
  readonly kind: 'none' | 'pause' | 'partial-lockdown' | 'circuit-breaker' | 'notify'
  /** The transaction the responder sent, if any. */
  readonly tx?: Hash | undefined
  readonly detail?: string | undefined
}

/**
 * The alert, one JSON object per line, with stable fields (ARCHITECTURE.md). Numbers that can
 * exceed 2^53 are decimal strings; `block` is null for a pending transaction.
 */
export type Alert = {
  readonly id: string
  readonly detector: string
  readonly severity: Severity
  readonly chain: number
  readonly block: { readonly number: string; readonly hash: Hash } | null
  readonly tx: Hash | null
  readonly addresses: readonly Address[]
  readonly summary: string
  readonly evidence: Evidence
  readonly pending: boolean
  /** 0..100 from the risk roll-up. */
  readonly riskScore: number
  readonly response: ResponseTaken
  /** ISO time the alert was raised. */
  readonly raisedAt: string
}
