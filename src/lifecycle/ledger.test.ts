import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openStore, type Store } from '../store/openStore.js'
import { testDatabaseUrl } from '../store/testDatabaseUrl.js'
import { createAdvisory } from './createAdvisory.js'
import { getAdvisory } from './getAdvisory.js'
import { runChange } from './ledger.js'
import { listAuditEntries } from './listAuditEntries.js'
import { testActors, testBackends, testContext } from './testing.js'
import { verifyAuditLog } from './verifyAuditLog.js'

const { admin, responder, auditor } = testActors

/** Audit rows written by one transaction share its xid: fewer distinct xmins than entries means changes shared a lock hold. */
async function transactionsBehind(store: Store): Promise<number> {
  const [row] = await store.query<{ n: string | number }>('SELECT count(DISTINCT xmin::text) AS n FROM audit_log')
  return Number(row?.n)
}

describe.each(testBackends())('group commit of lifecycle changes on $name', ({ open }) => {
  let store: Store
  beforeAll(async () => {
    store = await open()
  })
  afterAll(async () => store?.close())

  test('changes sent at once share lock holds; one failing after its writes is rejected alone and the chain verifies', async () => {
    const { context } = testContext(store)
    const created = Array.from({ length: 24 }, (_, i) => createAdvisory(context, { title: `batched ${i}`, severity: 'low', reporter: 'r' }, responder))
    // Fails after writing an advisory row and appending an entry: its savepoint must take both back.
    const failsAfterWriting = runChange(context, admin, async (change) => {
      await change.tx.query(`INSERT INTO advisories (id, title, description, severity, status, containment, affected_contracts, reporter, discovered_at, reported_at, embargoed, cleared_actors, alert_ids, updated_at)
        VALUES ('ADV-ROLLED-BACK', 't', '', 'low', 'reported', 'none', '[]', 'r', $1, $1, false, '[]', '[]', $1)`, [change.at])
      await change.audit('config.changed', { subject: 'rolled back' })
      throw new Error('the change failed after its writes')
    })
    // A statement error aborts the transaction: only a rollback to the savepoint lets the others continue.
    const failsInSql = runChange(context, admin, async (change) => {
      await change.audit('config.changed', { subject: 'division' })
      await change.tx.query('SELECT 1 / 0')
    })
    const more = Array.from({ length: 8 }, (_, i) => createAdvisory(context, { title: `after the failures ${i}`, severity: 'high', reporter: 'r' }, responder))
    const results = await Promise.allSettled([...created, failsAfterWriting, failsInSql, ...more])
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(32)
    expect(results[24]).toMatchObject({ status: 'rejected', reason: { message: 'the change failed after its writes' } })
    expect(results[25]).toMatchObject({ status: 'rejected', reason: { code: 'BW_STORE_FAILED' } })

    const entries = await listAuditEntries(context, {}, auditor)
    expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1))
    expect(entries.every((entry) => entry.action === 'advisory.created')).toBe(true)
    expect(entries.slice(1).every((entry, i) => entry.prevHash === entries[i]!.hash)).toBe(true)
    await expect(getAdvisory(context, 'ADV-ROLLED-BACK', admin)).rejects.toMatchObject({ code: 'BW_ADVISORY_NOT_FOUND' })
    expect(await verifyAuditLog(store, { publicKey: context.signingKey.publicKeyPem })).toMatchObject({ ok: true, entries: 32 })
    // 34 changes queued before the first hold began: at most 32 per hold, so two or three transactions, not 32.
    expect(await transactionsBehind(store)).toBeLessThanOrEqual(3)
  })

  test('creations waiting together share their statements; one with a bad input is rejected alone and each entry binds its own row', async () => {
    // A store of its own: the chain verifies against this test's key from its first entry.
    const store = await open()
    const { context } = testContext(store)
    let statements = 0
    // The same store, counting the statements of its transactions.
    const counted: Store = {
      ...store,
      transaction: (work) => store.transaction((tx) => work({ query: (sql, params) => ((statements += 1), tx.query(sql, params)), exec: (sql) => ((statements += 1), tx.exec(sql)) })),
    }
    const countedContext = { ...context, store: counted }
    const first = await createAdvisory(countedContext, { title: 'alone', severity: 'low', reporter: 'r' }, responder)
    const alone = statements
    statements = 0
    const created = await Promise.all(Array.from({ length: 20 }, (_, i) => createAdvisory(countedContext, { title: `together ${i}`, severity: 'medium', reporter: 'r' }, responder)))
    // The first takes a hold alone; the 19 queued behind it share the next: 2 holds, not 20.
    expect(statements).toBeLessThanOrEqual(2 * alone + 1)
    expect(created.map(({ advisory }) => Number(advisory.id.slice(4)))).toEqual(Array.from({ length: 20 }, (_, i) => Number(first.advisory.id.slice(4)) + 1 + i))
    expect(created.map(({ transition }) => transition.auditSeq)).toEqual(Array.from({ length: 20 }, (_, i) => first.transition.auditSeq + 1 + i))

    const mixed = await Promise.allSettled([
      createAdvisory(countedContext, { title: 'before', severity: 'low', reporter: 'r' }, responder),
      ...Array.from({ length: 5 }, (_, i) =>
        createAdvisory(countedContext, { title: `batch ${i}`, severity: 'high', reporter: 'r', ...(i === 2 ? { discoveredAt: '2031-01-01T00:00:00.000Z' } : {}) }, responder),
      ),
    ])
    expect(mixed.filter((result) => result.status === 'fulfilled')).toHaveLength(5)
    expect(mixed[3]).toMatchObject({ status: 'rejected', reason: { code: 'BW_INPUT_INVALID', field: 'discoveredAt' } })

    const stored = await store.query<{ seq: string | number; state: unknown }>('SELECT seq, state FROM audit_log')
    const stateOf = new Map(stored.map((row) => [Number(row.seq), typeof row.state === 'string' ? (JSON.parse(row.state) as unknown) : row.state]))
    for (const { advisory, transition } of created) {
      expect(stateOf.get(transition.auditSeq)).toEqual([{ table: 'advisories', key: advisory.id, hash: expect.stringMatching(/^0x[0-9a-f]{64}$/) }])
    }
    expect(await verifyAuditLog(store, { publicKey: context.signingKey.publicKeyPem })).toMatchObject({ ok: true, entries: 26 })
    await store.close()
  })
})

describe('group commit across processes on PostgreSQL', () => {
  const schema = `bulwark_test_${randomBytes(6).toString('hex')}`
  const stores: Store[] = []
  beforeAll(async () => {
    const url = testDatabaseUrl()
    const admin = await openStore({ databaseUrl: url })
    await admin.query(`CREATE SCHEMA ${schema}`)
    await admin.close()
    // Two stores on one schema: two pools with queues of their own, as two API processes have.
    const scoped = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`
    for (let i = 0; i < 2; i++) stores.push(await openStore({ databaseUrl: scoped }))
  })
  afterAll(async () => {
    await stores[0]?.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined)
    await Promise.all(stores.map((store) => store.close()))
  })

  test('two stores writing at once interleave whole holds: one gap-free chain, every entry signed by its own process key', async () => {
    const [first, second] = stores.map((store) => testContext(store).context) as [ReturnType<typeof testContext>['context'], ReturnType<typeof testContext>['context']]
    const writes = [first, second].flatMap((context, side) =>
      Array.from({ length: 20 }, (_, i) => createAdvisory(context, { title: `store ${side} advisory ${i}`, severity: 'medium', reporter: 'r' }, responder)),
    )
    const created = await Promise.all(writes)
    expect(new Set(created.map(({ advisory }) => advisory.id)).size).toBe(40)
    const entries = await listAuditEntries(first, {}, auditor)
    expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    // Each key registers itself with its first entry, once, whichever store's hold came first.
    const registrations = await stores[0]!.query<{ key_id: string }>('SELECT key_id FROM audit_log WHERE public_key IS NOT NULL ORDER BY key_id')
    expect(registrations.map((row) => row.key_id)).toEqual([first.signingKey.keyId, second.signingKey.keyId].sort())
    const verified = await verifyAuditLog(stores[0]!, { trustedKeys: [first.signingKey.publicKeyPem, second.signingKey.publicKeyPem] })
    expect(verified).toMatchObject({ ok: true, entries: 40 })
  })
})
