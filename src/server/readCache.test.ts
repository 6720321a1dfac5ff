import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openStore, type Store } from '../store/openStore.js'
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
