import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import type { Store } from '../store/openStore.js'
import { auditEntryHash } from './appendAuditEntry.js'
import { createAdvisory } from './createAdvisory.js'
import { createPatch } from './createPatch.js'
import { listAuditEntries } from './listAuditEntries.js'
import { recordConfigChange } from './recordConfigChange.js'
import { loadSigningKey } from './signingKey.js'
import { approveAs, moveTestPatch, testActors, testBackends, testContext, testSignerAccount } from './testing.js'
import { transitionAdvisory } from './transitionAdvisory.js'
import { verifyAuditLog } from './verifyAuditLog.js'

const { admin, responder, signer1, auditor, viewer } = testActors

describe.each(testBackends())('audit log on $name', ({ open }) => {
  let store: Store
  let ctx: ReturnType<typeof testContext>['context']
  beforeAll(async () => {
    store = await open()
  })
  afterAll(async () => store?.close())

  /** Tests tamper with the tables: each starts from an emptied database (one instance per file keeps it fast). */
  async function reset() {
    await store.query('TRUNCATE audit_log, lifecycle_transitions, patch_approvals, validation_runs, release_verifications, patches, advisories')
    ctx = testContext(store).context
  }

  /** 10 entries: advisory created, triaged, patch created (+ advisory patching), validating, validated, awaiting, approval (+ approved), config change. */
  beforeEach(async () => {
    await reset()
    const { advisory } = await createAdvisory(ctx, { title: 'Price oracle manipulation', severity: 'critical', reporter: 'r' }, responder)
    await transitionAdvisory(ctx, { id: advisory.id, to: 'triaged' }, responder)
    const { patch } = await createPatch(ctx, { advisoryId: advisory.id, title: 'TWAP', route: 'emergency', targets: [{ proxy: `0x${'aa'.repeat(20)}`, newImplementation: `0x${'bb'.repeat(20)}` }] }, responder)
    for (const step of ['validating', 'validated', 'awaiting_approval'] as const) await moveTestPatch(ctx, patch.id, step, responder)
    // The signer's registration is set up outside the log under test, so the entries below are exactly the incident's.
    await store.query('INSERT INTO approval_signers (address, label, registered_by, registered_at, audit_seq) VALUES ($1, $2, $3, now(), 0) ON CONFLICT (address) DO NOTHING', [testSignerAccount(signer1.id).address, signer1.id, 'test'])
    await approveAs(ctx, patch.id, signer1, { register: false })
    await recordConfigChange(ctx, { subject: 'monitor.thresholds', before: { tvlDrop: 0.2 }, after: { tvlDrop: 0.1 } }, admin)
  })

  const verify = () => verifyAuditLog(store, { publicKey: ctx.signingKey.publicKeyPem })

  test('an untouched log verifies; entries cover every state change, approval and configuration change in order', async () => {
    const result = await verify()
    expect(result).toMatchObject({ ok: true, entries: 10, head: { seq: 10 } })
    const entries = await listAuditEntries(ctx, {}, auditor)
    expect(entries.map((e) => e.action)).toEqual([
      'advisory.created',
      'advisory.transitioned',
      'patch.created',
      'advisory.transitioned',
      'patch.transitioned',
      'patch.transitioned',
      'patch.transitioned',
      'patch.approved',
      'patch.transitioned',
      'config.changed',
    ])
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(entries[1]?.prevHash).toBe(entries[0]?.hash)
    expect(entries[8]?.payload).toMatchObject({ from: 'awaiting_approval', to: 'approved' })
    await expect(listAuditEntries(ctx, {}, viewer)).rejects.toMatchObject({ code: 'BW_FORBIDDEN' })
  })

  test('an entry with an edited payload is named by its seq', async () => {
    await store.query(`UPDATE audit_log SET payload = replace(payload, '"to":"validated"', '"to":"rejected"') WHERE seq = 6`)
    expect(await verify()).toMatchObject({ ok: false, firstBad: { seq: 6, reason: 'hash-mismatch' } })
  })

  test('an edited actor is caught', async () => {
    await store.query(`UPDATE audit_log SET actor = replace(actor, 'rita', 'mallory') WHERE seq = 2`)
    expect((await verify()).firstBad).toMatchObject({ seq: 2, reason: 'hash-mismatch' })
  })

  test('an edit that is re-hashed without the key fails the signature', async () => {
    const [row] = await store.query<{ prev_hash: string; time: string; actor: string; payload: string; action: string }>('SELECT prev_hash, time, actor, action, payload FROM audit_log WHERE seq = 10')
    const payload = { ...JSON.parse(row!.payload), after: { tvlDrop: 0.9 } }
    const hash = auditEntryHash({ seq: 10, prevHash: row!.prev_hash as `0x${string}`, time: row!.time, actor: JSON.parse(row!.actor), action: row!.action, payload })
    await store.query('UPDATE audit_log SET payload = $1, hash = $2 WHERE seq = 10', [JSON.stringify(payload), hash])
    expect((await verify()).firstBad).toMatchObject({ seq: 10, reason: 'signature-invalid' })
  })

  test('a deleted entry in the middle is named as missing', async () => {
    await store.query('DELETE FROM audit_log WHERE seq = 4')
    expect((await verify()).firstBad).toEqual({ seq: 4, reason: 'missing', message: expect.stringMatching(/^entry 4: an entry is missing here/) })
  })

  test('a deleted last entry is caught through the transition that refers to it, and through an expected head kept elsewhere', async () => {
    const { head } = await verify()
    // seq 9 (approved) and 10 (config) removed: the approved transition still points at 9.
    await store.query('DELETE FROM audit_log WHERE seq >= 9')
    expect((await verify()).firstBad).toMatchObject({ seq: 9, reason: 'missing' })
    // The config change has no record besides its entry: only the head kept outside catches its removal.
    expect(head?.seq).toBe(10)
    await reset()
    const fresh = store
    const other = ctx
    await recordConfigChange(other, { subject: 'a' }, admin)
    const before = await verifyAuditLog(fresh, { publicKey: other.signingKey.publicKey })
    await recordConfigChange(other, { subject: 'b' }, admin)
    await fresh.query('DELETE FROM audit_log WHERE seq = 2')
    expect(await verifyAuditLog(fresh, { publicKey: other.signingKey.publicKey })).toMatchObject({ ok: true })
    expect(await verifyAuditLog(fresh, { publicKey: other.signingKey.publicKey, expectHead: { seq: 2, hash: '0x00' } })).toMatchObject({ ok: false, firstBad: { seq: 2, reason: 'head-mismatch' } })
    expect(await verifyAuditLog(fresh, { publicKey: other.signingKey.publicKey, expectHead: before.head! })).toMatchObject({ ok: true })
  })

  test('an inserted entry is caught: appended with a forged signature, or slipped in the middle', async () => {
    const [last] = await store.query<{ hash: string; time: string; actor: string }>('SELECT hash, time, actor FROM audit_log WHERE seq = 10')
    const forged = { seq: 11, prevHash: last!.hash as `0x${string}`, time: last!.time, actor: JSON.parse(last!.actor), action: 'config.changed', payload: { subject: 'signers', before: null, after: ['mallory'], note: null } }
    const { privateKey } = generateKeyPairSync('ed25519')
    const { sign } = await import('node:crypto')
    const hash = auditEntryHash(forged)
    await store.query('INSERT INTO audit_log (seq, prev_hash, hash, time, actor, action, payload, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
      11,
      forged.prevHash,
      hash,
      forged.time,
      last!.actor,
      forged.action,
      JSON.stringify(forged.payload),
      ctx.signingKey.keyId,
      `0x${sign(null, Buffer.from(hash.slice(2), 'hex'), privateKey).toString('hex')}`,
    ])
    expect((await verify()).firstBad).toMatchObject({ seq: 11, reason: 'signature-invalid' })

    await store.query('DELETE FROM audit_log WHERE seq = 11')
    // Make room at 5 by shifting the rest up, then insert a copy of entry 4 there.
    await store.query('UPDATE audit_log SET seq = seq + 100 WHERE seq >= 5')
    await store.query('UPDATE audit_log SET seq = seq - 99 WHERE seq >= 105')
    await store.query('INSERT INTO audit_log SELECT 5, prev_hash, hash, time, actor, action, payload, key_id, signature FROM audit_log WHERE seq = 4')
    expect((await verify()).firstBad).toMatchObject({ seq: 5, reason: 'prev-hash-mismatch' })
  })

  test('reordered entries (two swapped) are caught at the first of them', async () => {
    // a free seq as the swap slot (seq <= 0 is refused by the table's CHECK)
    await store.query('UPDATE audit_log SET seq = 1000000 WHERE seq = 5')
    await store.query('UPDATE audit_log SET seq = 5 WHERE seq = 7')
    await store.query('UPDATE audit_log SET seq = 7 WHERE seq = 1000000')
    expect((await verify()).firstBad).toMatchObject({ seq: 5, reason: 'prev-hash-mismatch' })
  })

  test('a renumbered entry (gap left, chain intact) is an unexpected seq', async () => {
    await store.query('UPDATE audit_log SET seq = 20 WHERE seq = 10')
    expect((await verify()).firstBad).toMatchObject({ seq: 10, reason: 'unexpected-seq' })
  })

  test('a transition row edited behind the log is a record mismatch', async () => {
    await store.query(`UPDATE lifecycle_transitions SET to_status = 'validated' WHERE to_status = 'validating'`)
    expect((await verify()).firstBad).toMatchObject({ seq: 5, reason: 'record-mismatch' })
  })

  test('another key does not verify the log', async () => {
    const { publicKey } = generateKeyPairSync('ed25519')
    expect((await verifyAuditLog(store, { publicKey })).firstBad).toMatchObject({ seq: 1, reason: 'key-untrusted' })
  })

  test('a change whose audit entry cannot be written leaves no trace', async () => {
    await store.query('ALTER TABLE audit_log ADD CONSTRAINT no_more CHECK (seq < 11)')
    await expect(createAdvisory(ctx, { title: 'lost', severity: 'low', reporter: 'r' }, responder)).rejects.toMatchObject({ code: 'BW_STORE_FAILED' })
    const [{ count } = { count: -1 }] = await store.query<{ count: number }>(`SELECT count(*)::int AS count FROM advisories WHERE title = 'lost'`)
    expect(count).toBe(0)
    await store.query('ALTER TABLE audit_log DROP CONSTRAINT no_more')
    expect(await verify()).toMatchObject({ ok: true, entries: 10 })
  })
})

describe('signing key', () => {
  const dirs: string[] = []
  afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))

  test('is generated once into signing-key.pem with mode 0600, then reused', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bulwark-key-'))
    dirs.push(dir)
    const first = await loadSigningKey({ env: {}, dir })
    const file = path.join(dir, 'signing-key.pem')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(await readFile(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/)
    const second = await loadSigningKey({ env: {}, dir })
    expect(second.keyId).toBe(first.keyId)
    expect(first.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/)
    expect(JSON.stringify(first)).not.toContain('PRIVATE')
  })

  test('BULWARK_SIGNING_KEY wins; a non-Ed25519 or malformed key is BW_SIGNING_KEY_INVALID without its content', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bulwark-key-'))
    dirs.push(dir)
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    const fromEnv = await loadSigningKey({ env: { BULWARK_SIGNING_KEY: pem }, dir })
    expect(fromEnv.publicKeyPem).toMatch(/PUBLIC KEY/)
    await expect(stat(path.join(dir, 'signing-key.pem'))).rejects.toMatchObject({ code: 'ENOENT' })
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    await expect(loadSigningKey({ env: { BULWARK_SIGNING_KEY: rsa }, dir })).rejects.toMatchObject({
      code: 'BW_SIGNING_KEY_INVALID',
      shortMessage: 'The audit signing key from BULWARK_SIGNING_KEY is unusable: it is a rsa key, not Ed25519.',
    })
    const error = (await loadSigningKey({ env: { BULWARK_SIGNING_KEY: 'not-a-key-s3cret' }, dir }).catch((e: Error) => e)) as Error
    expect(error).toMatchObject({ code: 'BW_SIGNING_KEY_INVALID' })
    expect(error.message).not.toContain('s3cret')
  })
})
