import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openStore, type Store } from '../store/openStore.js'
import { testDatabaseUrl } from '../store/testDatabaseUrl.js'
import { jobKinds, queueOf } from './jobKinds.js'
import { openJobQueue, type JobQueue } from './jobQueue.js'

let store: Store
beforeAll(async () => {
  store = await openStore({ databaseUrl: testDatabaseUrl() })
}, 120_000)
afterAll(async () => store?.close())

/** The advisory locks (pg_locks rows) waited for on the queue schema: pg-boss's own install lock, and Bulwark's around it. */
const waitersSql = `
  WITH boss AS (SELECT ('x' || encode(sha224((current_database() || '.pgboss.' || $1)::bytea), 'hex'))::bit(64)::bigint AS k)
  SELECT count(*)::int AS waiting FROM pg_locks l, boss
  WHERE l.locktype = 'advisory' AND NOT l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND ((l.objsubid = 1 AND l.classid::bigint = ((boss.k >> 32) & 4294967295) AND l.objid::bigint = (boss.k & 4294967295))
      OR (l.objsubid = 2 AND l.classid::bigint = 7304 AND l.objid::bigint = ((hashtext($1)::bigint + 4294967296) % 4294967296)))`

describe('openJobQueue', () => {
  test('two processes opening a fresh queue schema at the same moment both get a working queue', async () => {
    const schema = `bulwark_queue_${randomBytes(5).toString('hex')}`
    // Hold pg-boss's install lock so both openers are certain to meet on a schema neither has installed.
    const gate = new pg.Client({ connectionString: testDatabaseUrl() })
    await gate.connect()
    const queues: JobQueue[] = []
    try {
      await gate.query('BEGIN')
      await gate.query(`SELECT pg_advisory_xact_lock(('x' || encode(sha224((current_database() || '.pgboss.' || $1)::bytea), 'hex'))::bit(64)::bigint)`, [schema])
      const opening = [openJobQueue(store, { databaseUrl: testDatabaseUrl(), schema }), openJobQueue(store, { databaseUrl: testDatabaseUrl(), schema })]
      const settled = Promise.allSettled(opening)
      for (let waited = 0; ; waited += 50) {
        const [row] = (await gate.query<{ waiting: number }>(waitersSql, [schema])).rows
        if ((row?.waiting ?? 0) >= 2) break
        expect(waited, 'both openers queued behind the install lock').toBeLessThan(60_000)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      await gate.query('COMMIT')
      for (const result of await settled) {
        if (result.status === 'fulfilled') queues.push(result.value)
        else throw result.reason
      }
      // Every pooled connection of both works: no transaction left aborted by the lost install race.
      for (const queue of queues) {
        const found = await Promise.all([...jobKinds, ...jobKinds].map((kind) => queue.boss.getQueue(queueOf(kind))))
        expect(found.map((q) => q?.name)).toEqual([...jobKinds, ...jobKinds].map(queueOf))
      }
    } finally {
      await Promise.allSettled(queues.map((queue) => queue.close()))
      await gate.end()
    }
  }, 120_000)
})
