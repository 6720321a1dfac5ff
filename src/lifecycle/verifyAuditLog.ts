import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import type { Store } from '../store/openStore.js'
import { auditEntryHash, genesisHash } from './appendAuditEntry.js'
import { publicKeyId } from './signingKey.js'
import type { Actor } from './types.js'

/** Why an entry fails verification. A finding, not an exception: `audit verify` exits 1 on any. */
export const auditFindingReasons = [
  'missing',
  'unexpected-seq',
  'malformed',
  'prev-hash-mismatch',
  'hash-mismatch',
  'signature-invalid',
  'record-mismatch',
  'head-mismatch',
] as const
export type AuditFindingReason = (typeof auditFindingReasons)[number]

export const auditFindingMessages: Record<AuditFindingReason, string> = {
  missing: 'an entry is missing here (deleted), or records refer to an entry that is not in the log',
  'unexpected-seq': 'the sequence number is not the next one (an entry was inserted or renumbered)',
  malformed: 'the stored actor or payload is not valid JSON',
  'prev-hash-mismatch': "the entry does not commit to the previous entry's hash (entries removed, inserted or reordered before it)",
  'hash-mismatch': 'the entry was altered: its content does not match its hash',
  'signature-invalid': "the signature is not the server key's signature of the hash (forged or re-hashed entry)",
  'record-mismatch': 'a stored transition or approval differs from the audit entry that recorded it',
  'head-mismatch': 'the log does not end at the expected head (entries were removed from the end or added)',
}

export type VerifyAuditLogParameters = {
  /** The server's public key (SPKI PEM or a KeyObject). */
  publicKey: string | KeyObject
  /** A head kept outside the database (`seq` and `hash` from an earlier verify): catches truncation of the tail. */
  expectHead?: { seq: number; hash: string }
}

export type VerifyAuditLogReturnType = {
  ok: boolean
  /** Entries read. */
  entries: number
  /** The last entry: keep it somewhere else and pass it back as `expectHead`. */
  head?: { seq: number; hash: string }
  /** The first entry (by seq) that fails, and why. */
  firstBad?: { seq: number; reason: AuditFindingReason; message: string }
}

type AuditRow = { seq: string | number; prev_hash: string; hash: string; time: string; actor: string; action: string; payload: string; key_id: string; signature: string }

const pageSize = 1_000

/**
 * Re-derives the whole chain from the rows: sequence, link to the previous hash, the entry's
 * own hash, and the signature by the server key. It then checks that every stored transition
 * and approval points at an entry that exists and says the same thing, which also catches a
 * deleted tail whose records were left behind.
 */
export async function verifyAuditLog(store: Pick<Store, 'query'>, { publicKey, expectHead }: VerifyAuditLogParameters): Promise<VerifyAuditLogReturnType> {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey
  const keyId = publicKeyId(key)
  let entries = 0
  let previous: { seq: number; hash: string } | undefined
  const bad = (seq: number, reason: AuditFindingReason): VerifyAuditLogReturnType => ({
    ok: false,
    entries,
    ...(previous ? { head: previous } : {}),
    firstBad: { seq, reason, message: `entry ${seq}: ${auditFindingMessages[reason]}` },
  })
  for (;;) {
    const rows = await store.query<AuditRow>(
      'SELECT seq, prev_hash, hash, time, actor, action, payload, key_id, signature FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2',
      [previous?.seq ?? 0, pageSize],
    )
    for (const row of rows) {
      const seq = Number(row.seq)
      entries += 1
      const expectedSeq = (previous?.seq ?? 0) + 1
      if (seq !== expectedSeq) {
        // A gap whose next entry still links to the hash before the gap means an insert was renumbered; otherwise entries were deleted.
        return bad(expectedSeq, row.prev_hash === (previous?.hash ?? genesisHash) ? 'unexpected-seq' : 'missing')
      }
      if (row.prev_hash !== (previous?.hash ?? genesisHash)) return bad(seq, 'prev-hash-mismatch')
      let actor: Actor
      let payload: Record<string, unknown>
      try {
        actor = JSON.parse(row.actor) as Actor
        payload = JSON.parse(row.payload) as Record<string, unknown>
      } catch {
        return bad(seq, 'malformed')
      }
      const hash = auditEntryHash({ seq, prevHash: row.prev_hash as `0x${string}`, time: row.time, actor, action: row.action, payload })
      if (hash !== row.hash) return bad(seq, 'hash-mismatch')
      if (row.key_id !== keyId || !verifySignature(key, hash, row.signature)) return bad(seq, 'signature-invalid')
      previous = { seq, hash }
    }
    if (rows.length < pageSize) break
  }

  const lastSeq = previous?.seq ?? 0
  const records = await store.query<{ audit_seq: string | number; kind: string; subject: string; state: string; at: Date | string; time: string | null; payload: string | null }>(
    `SELECT r.audit_seq, r.kind, r.subject, r.state, r.at, a.time, a.payload FROM (
       SELECT audit_seq, 'transition' AS kind, subject_id AS subject, to_status AS state, at FROM lifecycle_transitions
       UNION ALL SELECT audit_seq, 'approval' AS kind, patch_id AS subject, signer AS state, at FROM patch_approvals
     ) r LEFT JOIN audit_log a ON a.seq = r.audit_seq ORDER BY r.audit_seq`,
  )
  for (const record of records) {
    const seq = Number(record.audit_seq)
    if (seq > lastSeq || record.payload === null) return bad(Math.min(seq, lastSeq + 1), 'missing')
    const payload = JSON.parse(record.payload) as Record<string, unknown>
    const matches =
      new Date(record.at).toISOString() === record.time &&
      (record.kind === 'transition' ? payload.subjectId === record.subject && payload.to === record.state : payload.patchId === record.subject && payload.signer === record.state)
    if (!matches) return bad(seq, 'record-mismatch')
  }

  if (expectHead && (expectHead.seq > lastSeq || (expectHead.seq === lastSeq && expectHead.hash !== previous?.hash))) {
    return bad(Math.min(expectHead.seq, lastSeq + 1), 'head-mismatch')
  }
  if (expectHead && expectHead.seq < lastSeq) {
    // The log grew since: the expected head must still be in it, unchanged.
    const [entry] = await store.query<{ hash: string }>('SELECT hash FROM audit_log WHERE seq = $1', [expectHead.seq])
    if (entry?.hash !== expectHead.hash) return bad(expectHead.seq, 'head-mismatch')
  }
  return { ok: true, entries, ...(previous ? { head: previous } : {}) }
}

function verifySignature(key: KeyObject, hash: string, signature: string): boolean {
  if (!/^0x[0-9a-f]{128}$/.test(signature)) return false
  try {
    return verify(null, Buffer.from(hash.slice(2), 'hex'), key, Buffer.from(signature.slice(2), 'hex'))
  } catch {
    return false
  }
}
