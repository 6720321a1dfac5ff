import { createPublicKey, type KeyObject, verify } from 'node:crypto'
import type { Store } from '../store/openStore.js'
import { auditEntryHash, genesisHash } from './appendAuditEntry.js'
import { auditedTables, isAuditedTable, readStateHashes, type AuditedTable, type StateBinding } from './auditedState.js'
import { auditPublicKeyFromPem, publicKeyId } from './signingKey.js'
import type { Actor } from './types.js'

/** Why an entry fails verification. A finding, not an exception: `audit verify` exits 1 on any. */
export const auditFindingReasons = [
  'missing',
  'unexpected-seq',
  'malformed',
  'prev-hash-mismatch',
  'hash-mismatch',
  'signature-invalid',
  'key-unknown',
  'key-untrusted',
  'record-mismatch',
  'state-mismatch',
  'state-unbound',
  'head-mismatch',
] as const
export type AuditFindingReason = (typeof auditFindingReasons)[number]

export const auditFindingMessages: Record<AuditFindingReason, string> = {
  missing: 'an entry is missing here (deleted), or records refer to an entry that is not in the log',
  'unexpected-seq': 'the sequence number is not the next one (an entry was inserted, renumbered, or given a sequence number below 1)',
  malformed: 'the stored actor, payload, public key or state is not valid',
  'prev-hash-mismatch': "the entry does not commit to the previous entry's hash (entries removed, inserted or reordered before it)",
  'hash-mismatch': 'the entry was altered: its content does not match its hash',
  'signature-invalid': "the signature is not its key's signature of the hash (forged or re-hashed entry)",
  'key-unknown': 'the entry is signed by a key that is neither registered earlier in the log nor given to verify with',
  'key-untrusted': 'the entry registers or uses a key that is not among the public keys given to verify with',
  'record-mismatch': 'a stored transition or approval differs from the audit entry that recorded it',
  'state-mismatch': 'a state row (token, advisory, patch) differs from what its last audit entry recorded: edited, deleted or re-created outside Bulwark',
  'state-unbound': 'a state row (token, advisory, patch) was written without an audit entry',
  'head-mismatch': 'the log does not end at the expected head (entries were removed from the end or added)',
}

export type VerifyAuditLogParameters = {
  /** One key given out of band (SPKI PEM or KeyObject); the same as `trustedKeys: [publicKey]`. */
  publicKey?: string | KeyObject
  /** Keys given out of band, e.g. each host's published key. */
  trustedKeys?: readonly (string | KeyObject)[]
  /**
   * `pinned` (the default when keys are given): every entry must be signed by one of the given keys.
   * `registered`: keys registered in the log itself (a key's first entry carries it) count too, so a
   * log written by several hosts, or across a key rotation, verifies; the keys are listed in the result.
   */
  trust?: 'pinned' | 'registered'
  /** A head kept outside the database (`seq` and `hash` from an earlier verify): catches truncation of the tail. */
  expectHead?: { seq: number; hash: string }
}

export type AuditKeyUse = {
  keyId: string
  /** SPKI PEM, when the log registers it or it was given. */
  publicKey?: string
  /** Where the log registers the key (its first entry), if it does. */
  registeredAt?: number
  /** Whether the key was given to verify with (out of band) or only registered in the log. */
  given: boolean
  entries: number
  firstSeq?: number
  lastSeq?: number
}

export type VerifyAuditLogReturnType = {
  ok: boolean
  /** Entries read. */
  entries: number
  /** The last entry: keep it somewhere else and pass it back as `expectHead`. */
  head?: { seq: number; hash: string }
  /** The first entry (by seq) that fails, and why. */
  firstBad?: { seq: number; reason: AuditFindingReason; message: string }
  /** Every key that signed entries (or was given): compare with the keys your hosts publish. */
  keys: AuditKeyUse[]
  /** State rows checked against the entries that bound them. */
  stateRows: number
}

type AuditRow = {
  seq: string | number
  prev_hash: string
  hash: string
  time: string
  actor: string
  action: string
  payload: string
  key_id: string
  signature: string
  public_key: string | null
  state: string | null
}

const pageSize = 1_000

/**
 * Re-derives the whole chain from the rows: sequence, link to the previous hash, the entry's own
 * hash, and its signature by the key it names (registered in the log or given). It then checks that
 * every stored transition and approval points at an entry that exists and says the same thing (which
 * also catches a deleted tail whose records were left behind), and that every audited state row
 * (tokens, advisories, patches) is exactly what the last entry binding it recorded. All reads run in
 * one snapshot where the store allows it, so concurrent writers cannot make a sound log look tampered.
 */
export async function verifyAuditLog(
  store: Pick<Store, 'query'> & Partial<Pick<Store, 'transaction'>>,
  parameters: VerifyAuditLogParameters,
): Promise<VerifyAuditLogReturnType> {
  if (!store.transaction) return verifyIn(store, parameters)
  return store.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY')
    return verifyIn(tx, parameters)
  })
}

async function verifyIn(store: Pick<Store, 'query'>, { publicKey, trustedKeys = [], trust, expectHead }: VerifyAuditLogParameters): Promise<VerifyAuditLogReturnType> {
  const given = new Map<string, KeyObject>()
  for (const [index, key] of [...(publicKey === undefined ? [] : [publicKey]), ...trustedKeys].entries()) {
    const object = typeof key === 'string' ? auditPublicKeyFromPem(key, `#${index + 1}`) : key
    given.set(publicKeyId(object), object)
  }
  const mode = trust ?? (given.size > 0 ? 'pinned' : 'registered')
  const registered = new Map<string, { key: KeyObject; pem: string; seq: number }>()
  const uses = new Map<string, { entries: number; firstSeq: number; lastSeq: number }>()
  const bindings = new Map<string, { seq: number; hash: string | null }>()
  let sawState = false
  let entries = 0
  let previous: { seq: number; hash: string } | undefined
  const keyList = (): AuditKeyUse[] => {
    const ids = new Set([...given.keys(), ...registered.keys(), ...uses.keys()])
    return [...ids].map((keyId) => {
      const pem = registered.get(keyId)?.pem ?? given.get(keyId)?.export({ type: 'spki', format: 'pem' }).toString()
      const use = uses.get(keyId)
      return {
        keyId,
        ...(pem === undefined ? {} : { publicKey: pem }),
        ...(registered.has(keyId) ? { registeredAt: registered.get(keyId)!.seq } : {}),
        given: given.has(keyId),
        entries: use?.entries ?? 0,
        ...(use ? { firstSeq: use.firstSeq, lastSeq: use.lastSeq } : {}),
      }
    })
  }
  let stateRows = 0
  const bad = (seq: number, reason: AuditFindingReason, detail?: string): VerifyAuditLogReturnType => ({
    ok: false,
    entries,
    ...(previous ? { head: previous } : {}),
    firstBad: { seq, reason, message: `entry ${seq}: ${auditFindingMessages[reason]}${detail ? ` (${detail})` : ''}` },
    keys: keyList(),
    stateRows,
  })
  const [below] = await store.query<{ seq: string | number }>('SELECT min(seq) AS seq FROM audit_log WHERE seq <= 0')
  if (below && below.seq !== null) return bad(Number(below.seq), 'unexpected-seq')
  for (;;) {
    const rows = await store.query<AuditRow>(
      'SELECT seq, prev_hash, hash, time, actor, action, payload, key_id, signature, public_key, state FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2',
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
      let state: StateBinding[] | undefined
      try {
        actor = JSON.parse(row.actor) as Actor
        payload = JSON.parse(row.payload) as Record<string, unknown>
        state = row.state === null ? undefined : parseState(row.state)
      } catch {
        return bad(seq, 'malformed')
      }
      const hash = auditEntryHash({
        seq,
        prevHash: row.prev_hash as `0x${string}`,
        time: row.time,
        actor,
        action: row.action,
        payload,
        ...(row.public_key === null ? {} : { publicKey: row.public_key }),
        ...(state === undefined ? {} : { state }),
      })
      if (hash !== row.hash) return bad(seq, 'hash-mismatch')
      if (row.public_key !== null && !registered.has(row.key_id)) {
        let key: KeyObject
        try {
          key = createPublicKey(row.public_key)
        } catch {
          return bad(seq, 'malformed')
        }
        if (key.asymmetricKeyType !== 'ed25519' || publicKeyId(key) !== row.key_id) return bad(seq, 'malformed', 'the registered key does not match the key id')
        registered.set(row.key_id, { key, pem: row.public_key, seq })
      }
      const key = mode === 'pinned' ? given.get(row.key_id) : (given.get(row.key_id) ?? registered.get(row.key_id)?.key)
      if (!key) return bad(seq, mode === 'pinned' ? 'key-untrusted' : 'key-unknown', `key ${row.key_id}`)
      if (!verifySignature(key, hash, row.signature)) return bad(seq, 'signature-invalid')
      const use = uses.get(row.key_id)
      uses.set(row.key_id, { entries: (use?.entries ?? 0) + 1, firstSeq: use?.firstSeq ?? seq, lastSeq: seq })
      if (state) {
        // rows that existed before binding are bound once, by the first entry that binds anything
        if (sawState && state.some((binding) => binding.legacy)) return bad(seq, 'state-unbound', 'a row is bound as pre-existing after binding began')
        sawState = true
        for (const binding of state) bindings.set(`${binding.table}\u0000${binding.key}`, { seq, hash: binding.hash })
      }
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

  // Rows that existed before binding began and no entry has bound yet (no change since the upgrade).
  const legacy = sawState ? new Set<string>() : new Set((await store.query<{ table_name: string; row_key: string }>('SELECT table_name, row_key FROM audit_pending_rows WHERE txid = 0')).map((r) => `${r.table_name}\u0000${r.row_key}`))
  for (const table of Object.keys(auditedTables) as AuditedTable[]) {
    const current = await readStateHashes(store, table)
    for (const [key, hash] of current) {
      stateRows += 1
      const id = `${table}\u0000${key}`
      const binding = bindings.get(id)
      if (!binding) {
        if (legacy.has(id)) continue
        return bad(lastSeq + 1, 'state-unbound', `${table} ${key}`)
      }
      if (binding.hash !== hash) return bad(binding.seq, 'state-mismatch', `${table} ${key}`)
    }
    for (const [id, binding] of bindings) {
      const [boundTable, key] = id.split('\u0000') as [string, string]
      if (boundTable === table && binding.hash !== null && !current.has(key)) return bad(binding.seq, 'state-mismatch', `${table} ${key} was deleted`)
    }
  }

  if (expectHead && (expectHead.seq > lastSeq || (expectHead.seq === lastSeq && expectHead.hash !== previous?.hash))) {
    return bad(Math.min(expectHead.seq, lastSeq + 1), 'head-mismatch')
  }
  if (expectHead && expectHead.seq < lastSeq) {
    // The log grew since: the expected head must still be in it, unchanged.
    const [entry] = await store.query<{ hash: string }>('SELECT hash FROM audit_log WHERE seq = $1', [expectHead.seq])
    if (entry?.hash !== expectHead.hash) return bad(expectHead.seq, 'head-mismatch')
  }
  return { ok: true, entries, ...(previous ? { head: previous } : {}), keys: keyList(), stateRows }
}

function parseState(text: string): StateBinding[] {
  const value = JSON.parse(text) as unknown
  if (!Array.isArray(value)) throw new TypeError('state is not a list')
  return value.map((item: unknown) => {
    const binding = item as Partial<StateBinding>
    if (typeof binding.table !== 'string' || !isAuditedTable(binding.table) || typeof binding.key !== 'string') throw new TypeError('bad binding')
    if (binding.hash !== null && (typeof binding.hash !== 'string' || !/^0x[0-9a-f]{64}$/.test(binding.hash))) throw new TypeError('bad binding hash')
    return { table: binding.table, key: binding.key, hash: binding.hash, ...(binding.legacy === true ? { legacy: true as const } : {}) }
  })
}

function verifySignature(key: KeyObject, hash: string, signature: string): boolean {
  if (!/^0x[0-9a-f]{128}$/.test(signature)) return false
  try {
    return verify(null, Buffer.from(hash.slice(2), 'hex'), key, Buffer.from(signature.slice(2), 'hex'))
  } catch {
    return false
  }
}
