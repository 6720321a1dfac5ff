import type { Store, Transaction } from '../store/openStore.js'
import { auditChainFrom, auditHeadSql, bindPendingState, ledgerLockKey, type AuditChain, type AuditEntry, type AuditHead } from './appendAuditEntry.js'
import { bindingsOf, claimPendingState, claimSql, type AuditedTable, type ClaimedRow, type StateBinding } from './auditedState.js'
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

/**
 * A kind of creation whose changes, queued back to back, are written together: each writes one row of
 * `table` (its subject) and one transition. `insert` writes the rows of any number of them in one
 * statement, in order; it may throw (a bad input, a constraint), and then the group's creations run
 * one at a time, each in its own savepoint, so the one that fails is rejected alone.
 */
export type CreationKind<Input, Result> = {
  /** The audited table of the subject rows: each creation binds its own row, found by its subject id. */
  table: AuditedTable
  insert(tx: Pick<Transaction, 'query'>, items: readonly { input: Input; at: Date }[]): Promise<{ transition: TransitionInput; finish: (transition: Transition) => Result }[]>
}

/**
 * A creation as one lifecycle change (`runChange`), except that creations of one kind that wait in
 * the same queue share their statements: the subject rows of all of them in one INSERT and the claim
 * of those rows in one more, both before the ledger lock when they open a hold; then, under the
 * lock, all their transition rows and audit entries in one statement.
 */
export function runCreation<Input, Result>(context: LifecycleContext, actor: Actor, kind: CreationKind<Input, Result>, input: Input): Promise<Result> {
  const work = async (change: Change): Promise<Result> => {
    const [written] = await kind.insert(change.tx, [{ input, at: change.at }])
    return written!.finish(await change.recordTransition(written!.transition))
  }
  return new Promise<Result>((resolve, reject) => {
    const queue = queueOf(context.store)
    queue.waiting.push({ context, actor, work, creation: { kind: kind as CreationKind<unknown, unknown>, input }, resolve: resolve as (value: unknown) => void, reject })
    if (!queue.holding) void holdLedger(context.store, queue)
  })
}

/** Changes under one lock hold at most: the first one's caller waits for all of them to commit. */
const changesPerHold = 32

type QueuedChange = {
  context: LifecycleContext
  actor: Actor
  work: (change: Change) => Promise<unknown>
  /** Set on a creation (`runCreation`): `work` runs it alone, `runCreations` with the others of its kind. */
  creation?: { kind: CreationKind<unknown, unknown>; input: unknown }
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
          // The first batch is taken before the lock. Creations write their subject rows before it too:
          // they read no state another change could alter (their numbers come from a sequence), so a
          // hold of creations keeps the lock only for their transitions, their entries and the commit.
          let batch = nextBatch(queue.waiting, changesPerHold)
          taken.push(...batch)
          let inserted: InsertedCreations | 'failed' | undefined
          let head: AuditHead | undefined
          if (batch.length > 1) {
            await tx.exec('SAVEPOINT ledger_change')
            try {
              inserted = await insertCreations(tx, batch)
            } catch {
              await tx.exec('ROLLBACK TO SAVEPOINT ledger_change')
              inserted = 'failed'
            }
            // constants only: the lock and the head in one round trip (the head read after the lock is granted)
            ;[head] = await tx.exec<AuditHead>(`SELECT pg_advisory_xact_lock(${ledgerLockKey}); ${auditHeadSql}`)
          } else {
            ;[head] = await tx.exec<AuditHead>(`SELECT pg_advisory_xact_lock(${ledgerLockKey}); SAVEPOINT ledger_change; ${auditHeadSql}`)
          }
          const chain = auditChainFrom(head)
          for (;;) {
            let batchDone = false
            if (batch.length > 1 && inserted !== 'failed') {
              const mark = chain.mark()
              try {
                const results = await recordCreations(tx, chain, batch, inserted ?? (await insertCreations(tx, batch)))
                batch.forEach((change, i) => done.push({ change, result: results[i] }))
                batchDone = true
              } catch {
                // Which one failed is not known: all of them run again one at a time, below.
                await tx.exec('ROLLBACK TO SAVEPOINT ledger_change')
                chain.rollback(mark)
              }
            }
            if (!batchDone) {
              for (const [i, queued] of batch.entries()) {
                if (i > 0) await tx.exec('RELEASE SAVEPOINT ledger_change; SAVEPOINT ledger_change')
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
            }
            if (queue.waiting.length === 0 || taken.length >= changesPerHold) break
            batch = nextBatch(queue.waiting, changesPerHold - taken.length)
            inserted = undefined
            await tx.exec('RELEASE SAVEPOINT ledger_change; SAVEPOINT ledger_change')
            taken.push(...batch)
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

/** The next changes to run together: one change, or the creations of one kind waiting back to back. */
function nextBatch(waiting: QueuedChange[], room: number): QueuedChange[] {
  const kind = waiting[0]?.creation?.kind
  let count = 1
  while (kind !== undefined && count < room && waiting[count]?.creation?.kind === kind) count += 1
  return waiting.splice(0, count)
}

/** A transition's audit action and payload (and its stored actor), the same for a change alone and a batch. */
function transitionEntry(actor: Actor, { machine, subjectId, advisoryId, from, to, evidence, action, extra, override }: TransitionInput) {
  return {
    action: action ?? (override === undefined ? `${machine}.transitioned` : `${machine}.overridden`),
    payload: { ...extra, machine, subjectId, advisoryId, from, to, evidence, ...(override === undefined ? {} : { override }) },
    storedActor: { id: actor.id, roles: [...actor.roles] },
  }
}

type InsertedCreations = { ats: Date[]; written: Awaited<ReturnType<CreationKind<unknown, unknown>['insert']>>; bound: StateBinding[][] }

/**
 * Creations of one kind in three statements however many they are. `insertCreations` needs no lock:
 * their subject rows (the kind's INSERT), then the claim of the rows they wrote, told apart by key:
 * each creation binds its own subject row, exactly what it would have claimed alone; a row that no
 * creation names fails the batch (it then runs one creation at a time). `recordCreations`, under the
 * lock: every transition row and every audit entry in one statement.
 */
async function insertCreations(tx: Transaction, batch: readonly QueuedChange[]): Promise<InsertedCreations> {
  const { kind } = batch[0]!.creation!
  const ats = batch.map((queued) => nowOf(queued.context))
  const written = await kind.insert(
    tx,
    batch.map((queued, i) => ({ input: queued.creation!.input, at: ats[i]! })),
  )
  if (written.length !== batch.length) throw new Error(`ledger: ${batch.length} creations wrote ${written.length} rows`)
  const bound = written.map((): StateBinding[] => [])
  for (const binding of await claimPendingState(tx)) {
    // Rows written before binding existed go to the first claim, as they would one creation at a time.
    const owner = binding.legacy ? 0 : binding.table === kind.table ? written.findIndex(({ transition }) => transition.subjectId === binding.key) : -1
    if (owner < 0) throw new Error(`ledger: a batch of creations changed ${binding.table} ${binding.key}, which none of them names`)
    bound[owner]!.push(binding)
  }
  return { ats, written, bound }
}

async function recordCreations(tx: Transaction, chain: AuditChain, batch: readonly QueuedChange[], { ats, written, bound }: InsertedCreations): Promise<unknown[]> {
  const entries = written.map(({ transition }, i) => {
    const { context, actor } = batch[i]!
    const { action, payload, storedActor } = transitionEntry(actor, transition)
    const entry = chain.append(context.signingKey, { actor, action, payload, time: ats[i]! }, bound[i]!)
    return { entry, storedActor, transition }
  })
  const beside = await chain.flush(tx, {
    with: `transition AS (INSERT INTO lifecycle_transitions (machine, subject_id, advisory_id, from_status, to_status, at, actor, evidence, audit_seq, override_reason)
        SELECT machine, subject_id, advisory_id, from_status, to_status, at::timestamptz, actor::jsonb, evidence::jsonb, audit_seq, override_reason
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[])
          AS u(machine, subject_id, advisory_id, from_status, to_status, at, actor, evidence, audit_seq, override_reason)
        RETURNING audit_seq, id)`,
    params: [
      entries.map(({ transition }) => transition.machine),
      entries.map(({ transition }) => transition.subjectId),
      entries.map(({ transition }) => transition.advisoryId),
      entries.map(({ transition }) => transition.from),
      entries.map(({ transition }) => transition.to),
      ats.map((at) => at.toISOString()),
      entries.map(({ storedActor }) => JSON.stringify(storedActor)),
      entries.map(({ transition }) => JSON.stringify(transition.evidence)),
      entries.map(({ entry }) => entry.seq),
      entries.map(({ transition }) => transition.override ?? null),
    ],
    beside: '(SELECT json_agg(json_build_array(audit_seq, id)) FROM transition)',
  })
  const pairs = (typeof beside === 'string' ? JSON.parse(beside) : (beside ?? [])) as [string | number, string | number][]
  const ids = new Map(pairs.map(([seq, id]) => [Number(seq), Number(id)]))
  return entries.map(({ entry, transition }, i) => {
    const { machine, subjectId, advisoryId, from, to, evidence, override } = transition
    return written[i]!.finish({ id: ids.get(entry.seq)!, machine, subjectId, advisoryId, from, to, at: ats[i]!, actor: entry.actor, evidence, ...(override === undefined ? {} : { override }), auditSeq: entry.seq })
  })
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
    recordTransition: (input) =>
      inTurn(async () => {
        const { machine, subjectId, advisoryId, from, to, evidence, override } = input
        // The transition row names its entry's seq, known before the entry is signed: the row and the
        // claim of the change's pending state go in one statement.
        const seq = chain.nextSeq()
        const { action: entryAction, payload, storedActor } = transitionEntry(actor, input)
        unclaimedWrites = false
        const claimed = await tx.query<ClaimedRow & { beside: string | number | null }>(
          claimSql({
            before: `transition AS (INSERT INTO lifecycle_transitions (machine, subject_id, advisory_id, from_status, to_status, at, actor, evidence, audit_seq, override_reason)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id)`,
            beside: '(SELECT id FROM transition)',
          }),
          [machine, subjectId, advisoryId, from, to, at, JSON.stringify(storedActor), JSON.stringify(evidence), seq, override ?? null],
        )
        const entry = append(entryAction, payload, bindingsOf(claimed))
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
