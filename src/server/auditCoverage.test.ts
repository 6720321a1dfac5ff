import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { main } from '../cli/main.js'
import { captureIo } from '../cli/testIo.js'
import { appendAuditEntry, auditEntryHash } from '../lifecycle/appendAuditEntry.js'
import { createAdvisory } from '../lifecycle/createAdvisory.js'
import { createPatch } from '../lifecycle/createPatch.js'
import { recordConfigChange } from '../lifecycle/recordConfigChange.js'
import { signingKeyFromPem } from '../lifecycle/signingKey.js'
import { testActors, testBackends, testContext } from '../lifecycle/testing.js'
import { transitionAdvisory } from '../lifecycle/transitionAdvisory.js'
import { verifyAuditLog } from '../lifecycle/verifyAuditLog.js'
import type { Store } from '../store/openStore.js'
import { createApiToken, touchApiToken } from './auth.js'

const { admin, responder } = testActors

function freshKey() {
  const { privateKey } = generateKeyPairSync('ed25519')
  return signingKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'test')
}

describe.each(testBackends())('audit verify covers keys and state on $name', ({ open }) => {
  let store: Store
  let hostA: ReturnType<typeof testContext>['context']
  let advisoryId: string
  let patchId: string
  let tokenId: number
  beforeAll(async () => {
    store = await open()
  })
  afterAll(async () => store?.close())

  beforeEach(async () => {
    await store.query('TRUNCATE audit_log, audit_pending_rows, lifecycle_transitions, patch_approvals, patches, advisories, api_tokens CASCADE')
    hostA = testContext(store).context
    const { advisory } = await createAdvisory(hostA, { title: 'Oracle drain', severity: 'critical', reporter: 'r' }, responder)
    advisoryId = advisory.id
    await transitionAdvisory(hostA, { id: advisory.id, to: 'triaged' }, responder)
    patchId = (await createPatch(hostA, { advisoryId, title: 'TWAP', route: 'emergency', targets: [{ proxy: `0x${'aa'.repeat(20)}`, newImplementation: `0x${'bb'.repeat(20)}` }] }, responder)).patch.id
    tokenId = (await createApiToken(hostA, { label: 'ops', roles: ['viewer'] }, admin)).id
  })

  const registered = () => verifyAuditLog(store, { trust: 'registered' })

  test('a log Bulwark wrote verifies: every token, advisory and patch row is bound; a token being used changes nothing', async () => {
    await touchApiToken(store, { id: tokenId })
    const result = await registered()
    expect(result).toMatchObject({ ok: true, stateRows: 3, keys: [{ keyId: hostA.signingKey.keyId, registeredAt: 1, given: false, firstSeq: 1 }] })
    expect(await verifyAuditLog(store, { publicKey: hostA.signingKey.publicKeyPem })).toMatchObject({ ok: true })
    const [first] = await store.query<{ public_key: string | null; state: string | null }>('SELECT public_key, state FROM audit_log WHERE seq = 1')
    expect(first!.public_key).toBe(hostA.signingKey.publicKeyPem)
    expect(JSON.parse(first!.state!)).toEqual([{ table: 'advisories', key: advisoryId, hash: expect.stringMatching(/^0x[0-9a-f]{64}$/) }])
  })

  test('`UPDATE api_tokens SET roles = {admin}` behind the log is a state mismatch at the entry that created the token', async () => {
    await store.query(`UPDATE api_tokens SET roles = '{admin}' WHERE id = $1`, [tokenId])
    const [created] = await store.query<{ seq: string | number }>("SELECT seq FROM audit_log WHERE action = 'token.created'")
    expect((await registered()).firstBad).toEqual({
      seq: Number(created!.seq),
      reason: 'state-mismatch',
      message: `entry ${Number(created!.seq)}: a state row (token, advisory, patch) differs from what its last audit entry recorded: edited, deleted or re-created outside Bulwark (api_tokens ${tokenId})`,
    })
  })

  test('edited, inserted and deleted advisories and patches are caught', async () => {
    await store.query("UPDATE advisories SET embargoed = true, cleared_actors = '[\"eve\"]' WHERE id = $1", [advisoryId])
    expect((await registered()).firstBad).toMatchObject({ reason: 'state-mismatch', message: expect.stringContaining(`(advisories ${advisoryId})`) })
    await store.query('UPDATE advisories SET embargoed = false, cleared_actors = $2 WHERE id = $1', [advisoryId, '[]'])
    expect(await registered()).toMatchObject({ ok: true }) // put back exactly: the hash matches again

    await store.query(
      "INSERT INTO advisories (id, title, description, severity, status, affected_contracts, reporter, discovered_at, reported_at, embargoed, cleared_actors, alert_ids, updated_at) VALUES ('ADV-99', 'planted', '', 'low', 'reported', '[]', 'eve', now(), now(), false, '[]', '[]', now())",
    )
    expect((await registered()).firstBad).toMatchObject({ reason: 'state-unbound', message: expect.stringContaining('(advisories ADV-99)') })
    await store.query("DELETE FROM advisories WHERE id = 'ADV-99'")

    await store.query('DELETE FROM lifecycle_transitions WHERE subject_id = $1', [patchId]).catch(() => undefined)
    await store.query('DELETE FROM patches WHERE id = $1', [patchId])
    expect((await registered()).firstBad).toMatchObject({ reason: expect.stringMatching(/state-mismatch|missing/) })
  })

  test('an edit laundered through the pending list (marked as pre-existing) is refused', async () => {
    await store.query("UPDATE api_tokens SET roles = '{admin}' WHERE id = $1", [tokenId])
    await store.query("INSERT INTO audit_pending_rows VALUES (0, 'api_tokens', $1) ON CONFLICT DO NOTHING", [String(tokenId)])
    await recordConfigChange(hostA, { subject: 'x', before: 1, after: 2 }, admin)
    expect((await registered()).firstBad).toMatchObject({ reason: 'state-unbound', message: expect.stringContaining('pre-existing after binding began') })
  })

  test('two hosts with two keys share the log: each key registers itself, verify checks each entry against its key; a rotated key too', async () => {
    const hostB = { ...testContext(store).context, signingKey: freshKey() }
    await transitionAdvisory(hostB, { id: advisoryId, to: 'patching' }, responder).catch(() => undefined)
    await recordConfigChange(hostB, { subject: 'monitor', before: 1, after: 2 }, admin)
    await recordConfigChange(hostA, { subject: 'monitor', before: 2, after: 3 }, admin)
    const rotated = { ...hostA, signingKey: freshKey() }
    await recordConfigChange(rotated, { subject: 'monitor', before: 3, after: 4 }, admin)

    const result = await registered()
    expect(result.ok).toBe(true)
    expect(result.keys.map((key) => key.keyId).sort()).toEqual([hostA.signingKey.keyId, hostB.signingKey.keyId, rotated.signingKey.keyId].sort())
    expect(result.keys.every((key) => key.registeredAt !== undefined && key.entries > 0)).toBe(true)
    // Pinned to the hosts' published keys: all three verify; leaving one out names its first entry.
    const all = [hostA, hostB, rotated].map((host) => host.signingKey.publicKeyPem)
    expect(await verifyAuditLog(store, { trustedKeys: all })).toMatchObject({ ok: true })
    const firstOfB = result.keys.find((key) => key.keyId === hostB.signingKey.keyId)!.firstSeq!
    expect((await verifyAuditLog(store, { trustedKeys: [all[0]!, all[2]!] })).firstBad).toMatchObject({ seq: firstOfB, reason: 'key-untrusted' })
  })

  test('a key registered by an attacker signs a valid-looking entry, but pinned keys refuse it; a registration for another key id is malformed', async () => {
    const eve = freshKey()
    await store.transaction((tx) => appendAuditEntry(tx, eve, { actor: { id: 'eve', roles: ['admin'] }, action: 'config.changed', payload: {}, time: new Date() }))
    const [last] = await store.query<{ seq: string }>('SELECT max(seq)::text AS seq FROM audit_log')
    expect(await registered()).toMatchObject({ ok: true }) // what "registered" trusts: listed in keys for the operator to compare
    expect((await verifyAuditLog(store, { publicKey: hostA.signingKey.publicKeyPem })).firstBad).toMatchObject({ seq: Number(last!.seq), reason: 'key-untrusted' })

    // A registration that names another key id than the key it carries.
    const mallory = freshKey()
    await store.query('UPDATE audit_log SET public_key = $1 WHERE seq = $2', [mallory.publicKeyPem, Number(last!.seq)])
    const [row] = await store.query<{ seq: string; prev_hash: string; time: string; actor: string; action: string; payload: string }>('SELECT seq::text, prev_hash, time, actor, action, payload FROM audit_log WHERE seq = $1', [Number(last!.seq)])
    const hash = auditEntryHash({ seq: Number(row!.seq), prevHash: row!.prev_hash as `0x${string}`, time: row!.time, actor: JSON.parse(row!.actor), action: row!.action, payload: JSON.parse(row!.payload), publicKey: mallory.publicKeyPem })
    await store.query('UPDATE audit_log SET hash = $1 WHERE seq = $2', [hash, Number(last!.seq)])
    expect((await registered()).firstBad).toMatchObject({ reason: 'malformed', message: expect.stringContaining('does not match the key id') })
  })

  test('seq > 0: the database refuses seq 0, and a log that holds one anyway (constraint dropped) fails verify', async () => {
    const insertZero = () =>
      store.query("INSERT INTO audit_log (seq, prev_hash, hash, time, actor, action, payload, key_id, signature) VALUES (0, '0x', '0x', 't', '{}', 'a', '{}', 'k', '0x')")
    await expect(insertZero()).rejects.toMatchObject({ code: 'BW_STORE_FAILED', details: expect.stringContaining('audit_log_seq_positive') })
    await store.query('ALTER TABLE audit_log DROP CONSTRAINT audit_log_seq_positive')
    try {
      await insertZero()
      expect((await registered()).firstBad).toMatchObject({ seq: 0, reason: 'unexpected-seq' })
    } finally {
      await store.query('DELETE FROM audit_log WHERE seq <= 0')
      await store.query('ALTER TABLE audit_log ADD CONSTRAINT audit_log_seq_positive CHECK (seq > 0) NOT VALID')
    }
  })
})

describe('bulwark audit verify --public-key', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bulwark-audit-key-'))
  })
  afterAll(async () => rm(dir, { recursive: true, force: true }))

  test('a file that is not a key is BW_AUDIT_KEY_INVALID (exit 2), an unreadable one too; never BW_INTERNAL', async () => {
    for (const file of ['/etc/passwd', path.join(dir, 'nope.pem')]) {
      const capture = captureIo(dir, { USER: 'alice' })
      const exitCode = await main(['audit', 'verify', '--public-key', file, '--json'], capture.io)
      expect(exitCode).toBe(2)
      expect(capture.json().error).toMatchObject({ code: 'BW_AUDIT_KEY_INVALID', message: expect.stringContaining(file) })
    }
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()
    const { writeFile } = await import('node:fs/promises')
    await writeFile(path.join(dir, 'rsa.pem'), rsa)
    const capture = captureIo(dir, { USER: 'alice' })
    expect(await main(['audit', 'verify', '--public-key', 'rsa.pem'], capture.io)).toBe(2)
    expect(capture.stderr()).toContain('error BW_AUDIT_KEY_INVALID: The audit public key rsa.pem cannot be used: it is a rsa key, not Ed25519.')
  })
})

describe('two hosts, two keys, one PostgreSQL log (the CLI as each host runs it)', () => {
  let dir: string
  let url: string
  let schema: string
  let admin: Store
  beforeAll(async () => {
    const { testDatabaseUrl } = await import('../store/testDatabaseUrl.js')
    const { openStore } = await import('../store/openStore.js')
    dir = await mkdtemp(path.join(tmpdir(), 'bulwark-two-hosts-'))
    schema = `bulwark_hosts_${Math.random().toString(36).slice(2, 10)}`
    const base = testDatabaseUrl()
    admin = await openStore({ databaseUrl: base })
    await admin.query(`CREATE SCHEMA ${schema}`)
    url = `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`
  })
  afterAll(async () => {
    await admin?.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined)
    await admin?.close()
    await rm(dir, { recursive: true, force: true })
  })

  test('each host writes with its own key; `audit verify` on either host is OK and lists both; pinned to one key it names the other host\'s first entry; a token edit is caught', async () => {
    const { writeFile } = await import('node:fs/promises')
    const hosts = [freshKey(), freshKey()].map((key, index) => ({ key, env: { USER: `host${index}`, DATABASE_URL: url, BULWARK_SIGNING_KEY: key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() } }))
    const run = async (host: (typeof hosts)[number], argv: string[]) => {
      const capture = captureIo(dir, host.env)
      const exitCode = await main(argv, capture.io)
      return { exitCode, ...capture }
    }
    for (const [index, host] of hosts.entries()) {
      expect((await run(host, ['advisory', 'create', '--title', `from host ${index}`, '--severity', 'high', '--json'])).exitCode).toBe(0)
    }
    expect((await run(hosts[1]!, ['token', 'create', '--role', 'viewer', '--label', 'dash', '--json'])).exitCode).toBe(0)
    for (const host of hosts) {
      const verified = await run(host, ['audit', 'verify', '--json'])
      expect(verified.exitCode).toBe(0)
      expect(verified.json()).toMatchObject({ ok: true, entries: 3, stateRows: 3 })
      expect(verified.json().keys.map((key: { keyId: string; registeredAt: number }) => [key.keyId, key.registeredAt]).sort()).toEqual(
        [[hosts[0]!.key.keyId, 1], [hosts[1]!.key.keyId, 2]].sort(),
      )
    }
    await writeFile(path.join(dir, 'host0.pem'), hosts[0]!.key.publicKeyPem)
    await writeFile(path.join(dir, 'host1.pem'), hosts[1]!.key.publicKeyPem)
    const pinnedToOne = await run(hosts[0]!, ['audit', 'verify', '--public-key', 'host0.pem'])
    expect(pinnedToOne.exitCode).toBe(1)
    expect(pinnedToOne.stdout()).toContain(`audit log TAMPERED: entry 2: the entry registers or uses a key that is not among the public keys given to verify with (key ${hosts[1]!.key.keyId}) [key-untrusted]`)
    expect((await run(hosts[0]!, ['audit', 'verify', '--public-key', 'host0.pem', '--public-key', 'host1.pem'])).exitCode).toBe(0)

    await admin.query(`UPDATE ${schema}.api_tokens SET roles = '{admin}'`)
    const tampered = await run(hosts[0]!, ['audit', 'verify'])
    expect(tampered.exitCode).toBe(1)
    expect(tampered.stdout()).toMatch(/^audit log TAMPERED: entry 3: a state row \(token, advisory, patch\) differs .* \(api_tokens \d+\) \[state-mismatch\]/)
  })
})
