import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createAdvisory } from '../lifecycle/createAdvisory.js'
import { getAdvisory } from '../lifecycle/getAdvisory.js'
import { runChange } from '../lifecycle/ledger.js'
import { openIsolatedPostgres, testActors, testContext } from '../lifecycle/testing.js'
import { openStore, type Store } from '../store/openStore.js'
import { testDatabaseUrl } from '../store/testDatabaseUrl.js'
import { createReadCache } from './readCache.js'

let store: Store
beforeAll(async () => {
  store = await openStore({ dataDir: 'memory://' })
  await store.query('CREATE TABLE cache_probe (n integer)')
})
afterAll(async () => store?.close())

describe('read cache on PGlite (the change counter, no version query)', () => {
  test('reads do not move the counter; statements and transactions that may write do', async () => {
    const before = store.changes!()
    await store.query('SELECT count(*) FROM cache_probe')
    expect(store.changes!()).toBe(before)
    await store.query('INSERT INTO cache_probe VALUES (1)')
    expect(store.changes!()).toBe(before + 1)
    await store.transaction(async (tx) => tx.query('SELECT 1'))
    expect(store.changes!()).toBe(before + 2)
    // a failed statement may have written nothing, but counting it costs one reload at most
    await expect(store.query('INSERT INTO no_such_table VALUES (1)')).rejects.toThrow()
    expect(store.changes!()).toBe(before + 3)
  })

  test('an answer is served from the cache until a write, then read again', async () => {
    const cache = createReadCache(store, { maxEntries: 10 })
    let loads = 0
    const count = () =>
      cache.json('count', (value: number) => JSON.stringify({ count: value }), async () => {
        loads++
        const [row] = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM cache_probe')
        return row!.n
      })
    const first = (await count()).text
    expect((await count()).text).toBe(first)
    expect(loads).toBe(1)
    await store.transaction(async (tx) => tx.query('INSERT INTO cache_probe VALUES (2)'))
    const after = JSON.parse((await count()).text) as { count: number }
    expect(after.count).toBe((JSON.parse(first) as { count: number }).count + 1)
    expect(loads).toBe(2)
  })
})

describe('read cache on PostgreSQL (the audit log is the version)', () => {
  let pgStore: Store
  beforeAll(async () => {
    pgStore = await openIsolatedPostgres(testDatabaseUrl())
  })
  afterAll(async () => pgStore?.close())

  test("an advisory's answer outlives changes to other rows and is read again once its own row changes", async () => {
    const { context } = testContext(pgStore)
    const { responder, admin } = testActors
    const [x, y] = await Promise.all(['x', 'y'].map(async (title) => (await createAdvisory(context, { title, severity: 'low', reporter: 'r' }, responder)).advisory))
    const cache = createReadCache(pgStore, { maxEntries: 10 })
    const loads = new Map<string, number>()
    const read = (key: string, load: () => Promise<unknown>, dependsOn?: { advisory: string }) =>
      cache.json(
        key,
        (value) => JSON.stringify(value),
        async () => {
          loads.set(key, (loads.get(key) ?? 0) + 1)
          return load()
        },
        dependsOn,
      )
    const advisory = async (id: string) => JSON.parse((await read(`advisory|${id}`, () => getAdvisory(context, id, responder), { advisory: id })).text) as { title: string }
    const count = async () => JSON.parse((await read('count', async () => (await pgStore.query<{ n: number }>('SELECT count(*)::int AS n FROM advisories'))[0]!.n)).text) as number

    await advisory(x!.id)
    await advisory(y!.id)
    expect(await count()).toBe(2)
    expect(await advisory(x!.id)).toMatchObject({ title: 'x' })
    expect([loads.get(`advisory|${x!.id}`), loads.get(`advisory|${y!.id}`), loads.get('count')]).toEqual([1, 1, 1])

    // A new advisory: its entry binds its own row only. The count is read again, x and y are not.
    await createAdvisory(context, { title: 'z', severity: 'low', reporter: 'r' }, responder)
    expect(await count()).toBe(3)
    expect(await advisory(x!.id)).toMatchObject({ title: 'x' })
    expect([loads.get(`advisory|${x!.id}`), loads.get(`advisory|${y!.id}`), loads.get('count')]).toEqual([1, 1, 2])

    // x's row changes (bound by the change's closing entry): x is read again, y still is not.
    await runChange(context, admin, async (change) => change.tx.query("UPDATE advisories SET title = 'x renamed' WHERE id = $1", [x!.id]))
    expect(await advisory(x!.id)).toMatchObject({ title: 'x renamed' })
    expect(await advisory(y!.id)).toMatchObject({ title: 'y' })
    expect([loads.get(`advisory|${x!.id}`), loads.get(`advisory|${y!.id}`)]).toEqual([2, 1])
  })
})
