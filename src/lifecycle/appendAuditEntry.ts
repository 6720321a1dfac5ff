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
 * Appends an entry inside the caller's transaction, so the change and its entry commit or
 * roll back together. It takes the ledger lock first: appends are serialized across
 * processes and connections, and `seq` has no gaps.
 */
export async function appendAuditEntry(
  tx: Pick<Transaction, 'query'>,
  signingKey: SigningKey,
  { actor, action, payload, time }: AppendAuditEntryParameters,
): Promise<AuditEntry> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [ledgerLockKey])
  const [last] = await tx.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')
  const seq = last ? Number(last.seq) + 1 : 1
  const prevHash = (last?.hash ?? genesisHash) as `0x${string}`
  // Round-trip through JSON so the hashed value is exactly what is stored and read back.
  const storedActor: Actor = { id: actor.id, roles: [...actor.roles] }
  const storedPayload = JSON.parse(canonicalJson(payload)) as Record<string, unknown>
  // A key not yet registered in the log registers itself with its first entry (a new host, a rotated key).
  const registered = await tx.query('SELECT 1 FROM audit_log WHERE key_id = $1 AND public_key IS NOT NULL LIMIT 1', [signingKey.keyId])
  const publicKey = registered.length === 0 ? signingKey.publicKeyPem : undefined
  const state = await claimPendingState(tx)
  const entry = {
    seq,
    prevHash,
    time: time.toISOString(),
    actor: storedActor,
    action,
    payload: storedPayload,
    ...(publicKey === undefined ? {} : { publicKey }),
    ...(state.length === 0 ? {} : { state }),
  }
  const hash = auditEntryHash(entry)
  const signature = `0x${sign(null, Buffer.from(hash.slice(2), 'hex'), signingKey.privateKey).toString('hex')}` as const
  await tx.query(
    'INSERT INTO audit_log (seq, prev_hash, hash, time, actor, action, payload, key_id, signature, public_key, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
    [seq, prevHash, hash, entry.time, canonicalJson(storedActor), action, canonicalJson(storedPayload), signingKey.keyId, signature, publicKey ?? null, state.length === 0 ? null : canonicalJson(state)],
  )
  return { ...entry, hash, keyId: signingKey.keyId, signature }
}

/**
 * Closes a change: state rows it wrote after its last audit entry (or without any) get an entry of
 * their own, `state.bound`, so no audited row is left unbound by a change Bulwark made.
 */
export async function bindPendingState(tx: Pick<Transaction, 'query'>, signingKey: SigningKey, { actor, time }: Pick<AppendAuditEntryParameters, 'actor' | 'time'>): Promise<AuditEntry | undefined> {
  const [pending] = await tx.query('SELECT 1 FROM audit_pending_rows WHERE txid = txid_current() LIMIT 1')
  if (!pending) return undefined
  return appendAuditEntry(tx, signingKey, { actor, action: 'state.bound', payload: {}, time })
}
