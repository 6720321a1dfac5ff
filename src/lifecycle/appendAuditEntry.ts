import { createHash, sign } from 'node:crypto'
import type { Transaction } from '../store/openStore.js'
import { canonicalJson } from '../store/canonicalJson.js'
import { claimPendingState, type StateBinding } from './auditedState.js'
import type { SigningKey } from './signingKey.js'
import type { Actor } from './types.js'

/**
 * One entry of the append-only audit log. `hash` commits to the previous entry's hash, so an
 * edited, deleted, inserted or reordered entry breaks the chain at that point; `signature`
 * (Ed25519 over the 32 hash bytes, by the server's key) stops anyone without the key from
 * re-hashing the rest of the chain after a change.
 */
export type AuditEntry = {
  seq: number
  prevHash: `0x${string}`
  hash: `0x${string}`
  /** ISO-8601 with milliseconds, exactly as hashed. */
  time: string
  actor: Actor
  /** What happened, `<subject>.<verb>`: advisory.created, patch.transitioned, patch.approved, config.changed… */
  action: string
  payload: Record<string, unknown>
  keyId: string
  signature: `0x${string}`
  /** On the first entry a key signs: that key (SPKI PEM), registering it in the log itself. */
  publicKey?: string
  /** The audited state rows this entry's transaction changed, with their content hashes. */
  state?: StateBinding[]
}

export const genesisHash = `0x${'00'.repeat(32)}` as const

/** PostgreSQL advisory-lock key serializing writers of the lifecycle and the audit log (migrations use 7301). */
export const ledgerLockKey = 7302

/**
 * The hash an entry must carry: sha256 of the canonical JSON of everything but the hash and signature.
 * `publicKey` and `state` are in it only when present, so entries written before they existed keep their hash.
 */
export function auditEntryHash(entry: Pick<AuditEntry, 'seq' | 'prevHash' | 'time' | 'actor' | 'action' | 'payload' | 'publicKey' | 'state'>): `0x${string}` {
  const body = canonicalJson({
    seq: entry.seq,
    prevHash: entry.prevHash,
    time: entry.time,
    actor: entry.actor,
    action: entry.action,
    payload: entry.payload,
    ...(entry.publicKey === undefined ? {} : { publicKey: entry.publicKey }),
    ...(entry.state === undefined ? {} : { state: entry.state }),
  })
  return `0x${createHash('sha256').update(body).digest('hex')}`
}

export type AppendAuditEntryParameters = {
  actor: Actor
  action: string
  payload: Record<string, unknown>
  time: Date
}

/**
 * The audit chain as one hold of the ledger lock sees it. Only a holder of the lock may open one:
 * it reads the head (and which keys the log has registered) once, then hashes and signs each
 * appended entry in memory against that head, and writes every entry of the hold in one INSERT
 * (`flush`). A lifecycle change that fails inside the hold rolls back to its savepoint and the
 * chain back to `mark()`, so the entries after it still link to the last one that stays.
 */
export type AuditChain = {
  append(signingKey: SigningKey, parameters: AppendAuditEntryParameters, state: readonly StateBinding[]): AuditEntry
  /** The sequence number the next append gets (a row that names its entry can be written before the entry is signed). */
  nextSeq(): number
  /** Where a savepoint was taken: `rollback(mark)` forgets every entry appended since. */
  mark(): number
  rollback(mark: number): void
  /**
   * Writes the entries appended since the last flush, in one statement. `alongside`: data-modifying
   * CTEs (`with`, parameters from $1) run in that same statement, and the value of its `beside`
   * expression is returned (e.g. the ids of rows the CTEs inserted).
   */
  flush(tx: Pick<Transaction, 'query'>, alongside?: { with: string; params: readonly unknown[]; beside: string }): Promise<unknown>
}

type PendingRow = { entry: AuditEntry; keyRegistered: boolean }

/**
 * The chain's head and registered keys in one statement, without parameters (so it can follow the
 * lock in one round trip). The caller holds the ledger lock (`ledgerLockKey`) and passes the row to
 * `auditChainFrom`. The keys come from audit_log_registered_keys (migration 77): one row per key ever
 * registered, whatever the size of the log and the state of its statistics.
 */
export const auditHeadSql = 'SELECT seq, hash, (SELECT json_agg(key_id) FROM audit_log_registered_keys) AS keys FROM audit_log ORDER BY seq DESC LIMIT 1'

export type AuditHead = { seq: string | number; hash: string; keys: string[] | string | null }

/** Reads the chain's head and registered keys in one statement. The caller holds the ledger lock (`ledgerLockKey`). */
export async function openAuditChain(tx: Pick<Transaction, 'query'>): Promise<AuditChain> {
  const [head] = await tx.query<AuditHead>(auditHeadSql)
  return auditChainFrom(head)
}

/** The chain after `head` (undefined: an empty log), as `auditHeadSql` read it under the ledger lock. */
export function auditChainFrom(head: AuditHead | undefined): AuditChain {
  const flushed = { seq: head ? Number(head.seq) : 0, hash: (head?.hash ?? genesisHash) as `0x${string}` }
  const registeredBefore = new Set<string>(typeof head?.keys === 'string' ? (JSON.parse(head.keys) as string[]) : (head?.keys ?? []))
  let pending: PendingRow[] = []
  const last = () => pending.at(-1)?.entry ?? flushed
  return {
    append(signingKey, { actor, action, payload, time }, state) {
      const previous = last()
      // Round-trip through JSON so the hashed value is exactly what is stored and read back.
      const storedActor: Actor = { id: actor.id, roles: [...actor.roles] }
      const storedPayload = JSON.parse(canonicalJson(payload)) as Record<string, unknown>
      // A key not yet registered in the log registers itself with its first entry (a new host, a rotated key).
      const registered = registeredBefore.has(signingKey.keyId) || pending.some((row) => row.entry.keyId === signingKey.keyId)
      const body = {
        seq: previous.seq + 1,
        prevHash: previous.hash,
        time: time.toISOString(),
        actor: storedActor,
        action,
        payload: storedPayload,
        ...(registered ? {} : { publicKey: signingKey.publicKeyPem }),
        ...(state.length === 0 ? {} : { state: [...state] }),
      }
      const hash = auditEntryHash(body)
      const signature = `0x${sign(null, Buffer.from(hash.slice(2), 'hex'), signingKey.privateKey).toString('hex')}` as const
      const entry: AuditEntry = { ...body, hash, keyId: signingKey.keyId, signature }
      pending.push({ entry, keyRegistered: !registered })
      return entry
    },
    nextSeq: () => last().seq + 1,
    mark: () => pending.length,
    rollback(mark) {
      pending = pending.slice(0, mark)
    },
    async flush(tx, alongside) {
      if (pending.length === 0 && alongside === undefined) return undefined
      const rows = pending.map((row) => row.entry)
      const first = (alongside?.params.length ?? 0) + 1
      // One row per array element: 11 parameters however many entries the hold appended.
      const insert = `INSERT INTO audit_log (seq, prev_hash, hash, time, actor, action, payload, key_id, signature, public_key, state)
         SELECT * FROM unnest(${['bigint', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text'].map((type, i) => `$${first + i}::${type}[]`).join(', ')})`
      const params = [
        ...(alongside?.params ?? []),
        rows.map((entry) => entry.seq),
        rows.map((entry) => entry.prevHash),
        rows.map((entry) => entry.hash),
        rows.map((entry) => entry.time),
        rows.map((entry) => canonicalJson(entry.actor)),
        rows.map((entry) => entry.action),
        rows.map((entry) => canonicalJson(entry.payload)),
        rows.map((entry) => entry.keyId),
        rows.map((entry) => entry.signature),
        rows.map((entry) => entry.publicKey ?? null),
        rows.map((entry) => (entry.state === undefined ? null : canonicalJson(entry.state))),
      ]
      const [result] = await tx.query<{ beside: unknown }>(alongside === undefined ? insert : `WITH ${alongside.with}, entry AS (${insert}) SELECT ${alongside.beside} AS beside`, params)
      if (rows.length === 0) return result?.beside
      const newest = rows.at(-1)!
      flushed.seq = newest.seq
      flushed.hash = newest.hash
      for (const row of pending) if (row.keyRegistered) registeredBefore.add(row.entry.keyId)
      pending = []
      return result?.beside
    },
  }
}

/**
 * Appends one entry inside the caller's transaction, so the change and its entry commit or roll
 * back together: takes the ledger lock (appends are serialized across processes and connections,
 * and `seq` has no gaps), binds the rows the transaction changed, and writes the entry.
 * Lifecycle changes go through `runChange` (ledger.ts) instead, which appends many under one lock hold.
 */
export async function appendAuditEntry(tx: Pick<Transaction, 'query'>, signingKey: SigningKey, parameters: AppendAuditEntryParameters): Promise<AuditEntry> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [ledgerLockKey])
  const chain = await openAuditChain(tx)
  const entry = chain.append(signingKey, parameters, await claimPendingState(tx))
  await chain.flush(tx)
  return entry
}

/**
 * Closes a change: state rows it wrote after its last audit entry (or without any) get an entry of
 * their own, `state.bound`, so no audited row is left unbound by a change Bulwark made.
 */
export async function bindPendingState(
  tx: Pick<Transaction, 'query'>,
  chain: AuditChain,
  signingKey: SigningKey,
  { actor, time }: Pick<AppendAuditEntryParameters, 'actor' | 'time'>,
): Promise<AuditEntry | undefined> {
  const state = await claimPendingState(tx)
  if (state.length === 0) return undefined
  return chain.append(signingKey, { actor, action: 'state.bound', payload: {}, time }, state)
}
