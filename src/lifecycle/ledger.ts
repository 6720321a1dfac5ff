import type { Store, Transaction } from '../store/openStore.js'
import { bindPendingState, ledgerLockKey, openAuditChain, type AuditChain, type AuditEntry } from './appendAuditEntry.js'
import { bindingsOf, claimPendingState, claimSql, type ClaimedRow, type StateBinding } from './auditedState.js'
import { nowOf, type LifecycleContext } from './context.js'
import type { Actor, Evidence, Machine, Transition } from './types.js'

type TransitionInput = {
  machine: Machine
  subjectId: string
  advisoryId: string
  from: string | null
  to: string
  evidence: Evidence
  /** Audit action; default `<machine>.transitioned` (creations use `advisory.created`, `patch.created`). */
  action?: string
  /** More audit payload, e.g. the created record. */
  extra?: Record<string, unknown>
  /** An admin's override of the evidence this move requires: the reason, stored and audited with it. */
  override?: string
}

export type Change = {
  tx: Pick<Transaction, 'query'>
  /** The time of this change: every transition and audit entry it writes carries it. */
  at: Date
  audit(action: string, payload: Record<string, unknown>): Promise<AuditEntry>
  /** Stores a transition and its audit entry. */
  recordTransition(input: TransitionInput): Promise<Transition>
}

/**
 * Runs one lifecycle change in one transaction under the ledger lock, so writers are serialized (a
 * second conflicting change sees the first one's result, never a stale state), and the lock order
 * is always ledger → rows, which cannot deadlock.
 *
 * Group commit: changes that arrive in this process while one holds the lock wait in a queue, and
 * the next hold takes them all, up to `changesPerHold`: one transaction, one lock acquisition, the
 * chain head read once, each change in a savepoint of its own and its entries chained and signed in
 * order, every entry of the hold written in one INSERT. A change that fails rolls back to its
 * savepoint and is rejected alone; the others commit. Each caller's promise settles after the
 * commit, so a resolved change is durable, exactly as with a transaction of its own.
 */
export function runChange<T>(context: LifecycleContext, actor: Actor, work: (change: Change) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const queue = queueOf(context.store)
    queue.waiting.push({ context, actor, work, resolve: resolve as (value: unknown) => void, reject })
    if (!queue.holding) void holdLedger(context.store, queue)
  })
}

/** Changes under one lock hold at most: the first one's caller waits for all of them to commit. */
const changesPerHold = 32

type QueuedChange = {
  context: LifecycleContext
  actor: Actor
  work: (change: Change) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

type LedgerQueue = { waiting: QueuedChange[]; holding: boolean }

/** One queue per open store (in this process); other processes are serialized by the lock itself. */
const queues = new WeakMap<Store, LedgerQueue>()

function queueOf(store: Store): LedgerQueue {
  let queue = queues.get(store)
  if (!queue) {
    queue = { waiting: [], holding: false }
    queues.set(store, queue)
  }
  return queue
}

/** Takes the lock for the queued changes, hold after hold, until none is waiting. */
async function holdLedger(store: Store, queue: LedgerQueue): Promise<void> {
  queue.holding = true
  try {
    while (queue.waiting.length > 0) {
      const done: { change: QueuedChange; result: unknown }[] = []
      // Settled once the hold ends: a change that succeeded is only reported after its commit.
      const taken: QueuedChange[] = []
      try {
        await store.transaction(async (tx) => {
          // constants only: the lock and the first savepoint in one round trip
          await tx.exec(`SELECT pg_advisory_xact_lock(${ledgerLockKey}); SAVEPOINT ledger_change`)
          const chain = await openAuditChain(tx)
          while (queue.waiting.length > 0 && taken.length < changesPerHold) {
            const queued = queue.waiting.shift()!
            taken.push(queued)
            if (taken.length > 1) await tx.exec('RELEASE SAVEPOINT ledger_change; SAVEPOINT ledger_change')
            const mark = chain.mark()
            try {
              done.push({ change: queued, result: await runQueuedChange(tx, chain, queued) })
            } catch (error) {
              // Only this change is undone; its entries leave the chain, the next one links to the last that stays.
              await tx.exec('ROLLBACK TO SAVEPOINT ledger_change')
              chain.rollback(mark)
              queued.reject(error)
            }
          }
          await chain.flush(tx)
        })
      } catch (error) {
        // The hold itself failed (lock, flush, commit, a lost connection): none of its changes landed.
        for (const { change } of done) change.reject(error)
        for (const change of taken) if (!done.some((entry) => entry.change === change)) change.reject(error)
        continue
      }
      for (const { change, result } of done) change.resolve(result)
    }
  } finally {
    queue.holding = false
  }
}

/**
 * Statements that write no audited row: reads (`SELECT … FOR UPDATE` included). A change that writes one
 * through a SELECT of a writing function would go unbound and `audit verify` would name the row (state-unbound).
 */
const cannotWriteAuditedRows = /^\s*select\b/i

async function runQueuedChange(tx: Transaction, chain: AuditChain, { context, actor, work }: QueuedChange): Promise<unknown> {
  const at = nowOf(context)
  // Whether a statement since the last claim may have written an audited row: if none did, the
  // change's closing claim is skipped (it could only come back empty).
  let unclaimedWrites = false
  const tracked: Pick<Transaction, 'query'> = {
    query(sql, params) {
      if (!cannotWriteAuditedRows.test(sql)) unclaimedWrites = true
      return tx.query(sql, params)
    },
  }
  // Appends are chained in call order; a change that runs two at once still gets consecutive entries.
  let appending: Promise<unknown> = Promise.resolve()
  const inTurn = <T>(step: () => Promise<T>): Promise<T> => {
    const next = appending.then(step)
    appending = next.catch(() => undefined)
    return next
  }
  const append = (action: string, payload: Record<string, unknown>, state: StateBinding[]) => chain.append(context.signingKey, { actor, action, payload, time: at }, state)
  const audit = (action: string, payload: Record<string, unknown>) =>
    inTurn(async () => {
      unclaimedWrites = false
      return append(action, payload, await claimPendingState(tx))
    })
  const change: Change = {
    tx: tracked,
    at,
    audit,
    recordTransition: ({ machine, subjectId, advisoryId, from, to, evidence, action, extra, override }) =>
      inTurn(async () => {
        // The transition row names its entry's seq, known before the entry is signed: the row and the
        // claim of the change's pending state go in one statement.
        const seq = chain.nextSeq()
        const storedActor = { id: actor.id, roles: [...actor.roles] }
        unclaimedWrites = false
        const claimed = await tx.query<ClaimedRow & { beside: string | number | null }>(
          claimSql({
            before: `transition AS (INSERT INTO lifecycle_transitions (machine, subject_id, advisory_id, from_status, to_status, at, actor, evidence, audit_seq, override_reason)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id)`,
            beside: '(SELECT id FROM transition)',
          }),
          [machine, subjectId, advisoryId, from, to, at, JSON.stringify(storedActor), JSON.stringify(evidence), seq, override ?? null],
        )
        const entry = append(
          action ?? (override === undefined ? `${machine}.transitioned` : `${machine}.overridden`),
          { ...extra, machine, subjectId, advisoryId, from, to, evidence, ...(override === undefined ? {} : { override }) },
          bindingsOf(claimed),
        )
        if (entry.seq !== seq) throw new Error(`ledger: transition row names entry ${seq} but the entry got ${entry.seq}`)
        return { id: Number(claimed[0]?.beside), machine, subjectId, advisoryId, from, to, at, actor: entry.actor, evidence, ...(override === undefined ? {} : { override }), auditSeq: entry.seq }
      }),
  }
  const result = await work(change)
  await appending
  // rows written after the change's last audit entry are bound by one more (auditedState.ts)
  if (unclaimedWrites) await bindPendingState(tx, chain, context.signingKey, { actor, time: at })
  return result
}
