import type { Transaction } from '../store/openStore.js'
import { appendAuditEntry, bindPendingState, ledgerLockKey, type AuditEntry } from './appendAuditEntry.js'
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
 * Runs one lifecycle change in one transaction. The ledger lock is taken first, so writers are
 * serialized (a second conflicting change sees the first one's result, never a stale state),
 * and the lock order is always ledger → rows, which cannot deadlock.
 */
export async function runChange<T>(context: LifecycleContext, actor: Actor, work: (change: Change) => Promise<T>): Promise<T> {
  return context.store.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [ledgerLockKey])
    const at = nowOf(context)
    const audit = (action: string, payload: Record<string, unknown>) => appendAuditEntry(tx, context.signingKey, { actor, action, payload, time: at })
    const change: Change = {
      tx,
      at,
      audit,
      async recordTransition({ machine, subjectId, advisoryId, from, to, evidence, action, extra, override }) {
        const entry = await audit(action ?? (override === undefined ? `${machine}.transitioned` : `${machine}.overridden`), {
          ...extra,
          machine,
          subjectId,
          advisoryId,
          from,
          to,
          evidence,
          ...(override === undefined ? {} : { override }),
        })
        const [row] = await tx.query<{ id: string | number }>(
          `INSERT INTO lifecycle_transitions (machine, subject_id, advisory_id, from_status, to_status, at, actor, evidence, audit_seq, override_reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
          [machine, subjectId, advisoryId, from, to, at, JSON.stringify(entry.actor), JSON.stringify(evidence), entry.seq, override ?? null],
        )
        return { id: Number(row?.id), machine, subjectId, advisoryId, from, to, at, actor: entry.actor, evidence, ...(override === undefined ? {} : { override }), auditSeq: entry.seq }
      },
    }
    const result = await work(change)
    // rows written after the change's last audit entry are bound by one more (auditedState.ts)
    await bindPendingState(tx, context.signingKey, { actor, time: at })
    return result
  })
}
