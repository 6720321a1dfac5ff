import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, test } from 'vitest'
import { getLatestInventorySnapshot, inventoryScope, saveInventorySnapshot } from './inventorySnapshots.js'
import { migrations } from './migrations.js'
import { openStore, type OpenStoreParameters } from './openStore.js'
import { testDatabaseUrl } from './testDatabaseUrl.js'

const tempDirs: string[] = []
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

async function pgliteParameters(): Promise<OpenStoreParameters> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bulwark-store-'))
  tempDirs.push(dir)
  return { dataDir: path.join(dir, 'db') }
}

// The same tests on a PostgreSQL server: BULWARK_TEST_DATABASE_URL, or the embedded one the test setup starts.
const backends: [string, () => Promise<OpenStoreParameters>][] = [
  ['PGlite', pgliteParameters],
  ['PostgreSQL', async () => ({ databaseUrl: testDatabaseUrl() })],
]

describe.each(backends)('store on %s', (_name, parameters) => {
  test('migrates once and keeps snapshots across reopen; the latest per scope wins', async () => {
    const options = await parameters()
    const scope = inventoryScope([`0x${'Ab'.repeat(20)}`, `0x${'01'.repeat(20)}`, `0x${'ab'.repeat(20)}`])
    expect(scope).toBe(`0x${'01'.repeat(20)},0x${'ab'.repeat(20)}`)
    const chainId = 900_000 + Math.floor(Math.random() * 99_999) // isolates runs sharing one server

    const first = await openStore(options)
    await saveInventorySnapshot(first, { chainId, scope, blockNumber: 10n, inventory: { nodes: ['a'] } })
    await saveInventorySnapshot(first, { chainId, scope, blockNumber: 12n, inventory: { nodes: ['a', 'b'] } })
    await saveInventorySnapshot(first, { chainId, scope: 'other', blockNumber: 13n, inventory: { nodes: [] } })
    await first.close()

    const second = await openStore(options) // migrations already applied: must not fail
    const latest = await getLatestInventorySnapshot<{ nodes: string[] }>(second, { chainId, scope })
    expect(latest?.blockNumber).toBe(12n)
    expect(latest?.inventory).toEqual({ nodes: ['a', 'b'] })
    expect(await getLatestInventorySnapshot(second, { chainId: chainId + 1, scope })).toBeUndefined()
    const [{ count } = { count: 0 }] = await second.query<{ count: number }>('SELECT count(*)::int AS count FROM bulwark_migrations')
    expect(count).toBe(migrations.length)
    await second.close()
  })

  test('a failed transaction leaves nothing behind', async () => {
    const store = await openStore(await parameters())
    const chainId = 800_000 + Math.floor(Math.random() * 99_999)
    await expect(
      store.transaction(async (tx) => {
        await saveInventorySnapshot(tx, { chainId, scope: 's', blockNumber: 1n, inventory: {} })
        await tx.query('SELECT * FROM no_such_table')
      }),
    ).rejects.toMatchObject({ code: 'BW_STORE_FAILED' })
    expect(await getLatestInventorySnapshot(store, { chainId, scope: 's' })).toBeUndefined()
    await store.close()
  })
})

describe('store on PostgreSQL under a queue of writers', () => {
  test('a read is answered while every transaction connection waits on a lock, and the writers queued behind them all commit', async () => {
    const databaseUrl = testDatabaseUrl()
    const store = await openStore({ databaseUrl })
    // A lock key of this run only (other suites share the server); held here as the ledger lock is by a long change.
    const key = 1_000_000_000 + Math.floor(Math.random() * 1_000_000_000)
    const holder = new pg.Client({ connectionString: databaseUrl })
    await holder.connect()
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [key])
      const writers = Array.from({ length: 6 }, (_, index) =>
        store.transaction(async (tx) => {
          await tx.query('SELECT pg_advisory_xact_lock($1)', [key])
          return index
        }),
      )
      // Four writers wait on the lock inside PostgreSQL, holding their connections; the other two wait their turn in the process.
      for (;;) {
        const [row] = await holder.query<{ waiting: number }>(`SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted`, [key]).then((result) => result.rows)
        if (row!.waiting >= 4) break
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      // In one shared pool this read waited for a connection the writers held, and failed after the pool's 5 s timeout.
      expect(await store.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }])
      await holder.query('SELECT pg_advisory_unlock($1)', [key])
      expect(await Promise.all(writers)).toEqual([0, 1, 2, 3, 4, 5])
    } finally {
      await holder.end()
      await store.close()
    }
  })
})

describe('store errors', () => {
  test('an unreachable PostgreSQL server gives BW_STORE_FAILED without the password', async () => {
    const error = await openStore({ databaseUrl: 'postgres://bulwark:hunter2@127.0.0.1:1/bulwark' }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BW_STORE_FAILED', name: 'StoreError' })
    expect(String((error as Error).message)).not.toContain('hunter2')
  })
})
