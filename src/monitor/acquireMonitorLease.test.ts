import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { BaseError } from '../errors/BaseError.js'
import { openStore, type Store } from '../store/openStore.js'
import { testDatabaseUrl } from '../store/testDatabaseUrl.js'
import { acquireMonitorLease } from './acquireMonitorLease.js'

let store: Store
let databaseUrl: string

beforeAll(async () => {
  const schema = `bulwark_lease_${randomBytes(5).toString('hex')}`
  const admin = await openStore({ databaseUrl: testDatabaseUrl() })
  await admin.query(`CREATE SCHEMA ${schema}`)
  await admin.close()
  databaseUrl = `${testDatabaseUrl()}?options=${encodeURIComponent(`-c search_path=${schema}`)}`
  store = await openStore({ databaseUrl })
}, 120_000)
afterAll(async () => store?.close())

const holderOf = async (shard: string) => (await store.query<{ holder: string }>('SELECT holder FROM monitor_leases WHERE shard = $1', [shard]))[0]?.holder

describe('monitor lease on PostgreSQL', () => {
  test('one holder at a time: the standby waits, names the holder, and takes over when the holder releases', async () => {
    const active = await acquireMonitorLease({ databaseUrl, shard: 'chain:1', holder: 'monitor-a' })
    expect(await holderOf('chain:1')).toBe('monitor-a')
    const announced: (string | undefined)[] = []
    const waiting = acquireMonitorLease({ databaseUrl, shard: 'chain:1', holder: 'monitor-b', retryMs: 50, onStandby: (holder) => announced.push(holder) })
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(announced).toEqual(['monitor-a'])
    expect(await holderOf('chain:1')).toBe('monitor-a')
    // another chain is another lease
    const other = await acquireMonitorLease({ databaseUrl, shard: 'chain:2', holder: 'monitor-c' })
    await active!.release()
    const standby = await waiting
    expect(standby!.holder).toBe('monitor-b')
    expect(await holderOf('chain:1')).toBe('monitor-b')
    await store.transaction(async (tx) => standby!.fence(tx))
    await standby!.release()
    await other!.release()
    expect(await store.query('SELECT * FROM monitor_leases')).toEqual([])
  }, 60_000)

  test('a holder whose lock connection is cut loses the lease (BW_MONITOR_LEASE_LOST), and its fence refuses every commit after the takeover', async () => {
    const active = await acquireMonitorLease({ databaseUrl, shard: 'chain:3', holder: 'monitor-a' })
    // The server ends the holder's lock session (as when the holder's host is cut off): the lock is free.
    const [ended] = await store.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 7303
         AND objid::bigint = (hashtext(current_schema() || '/chain:3')::bigint & 4294967295)`,
    )
    expect(ended?.ended).toBe(true)
    const lost = await active!.lost
    expect(lost.code).toBe('BW_MONITOR_LEASE_LOST')
    // (its details line is the driver's words for the drop)
    expect(lost.message.split('\n')[0]).toMatchInlineSnapshot(`"The monitor monitor-a lost its lease on chain:3 (its lock connection to PostgreSQL dropped); it stops so that the holder of the lease carries on alone."`)
    const standby = await acquireMonitorLease({ databaseUrl, shard: 'chain:3', holder: 'monitor-b' })
    expect(await holderOf('chain:3')).toBe('monitor-b')
    // The cut-off holder's block commit (on its pool, still connected) is refused and leaves nothing.
    const refused = await store
      .transaction(async (tx) => {
        await active!.fence(tx)
        await tx.query(`INSERT INTO monitor_checkpoints (chain_id, block_number, block_hash) VALUES (3, 99, '0x00')`)
      })
      .catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(BaseError)
    expect((refused as BaseError).message).toMatchInlineSnapshot(`"The monitor monitor-a lost its lease on chain:3 (monitor-b holds it now); it stops so that the holder of the lease carries on alone."`)
    expect(await store.query('SELECT * FROM monitor_checkpoints WHERE chain_id = 3')).toEqual([])
    await active!.release()
    expect(await holderOf('chain:3')).toBe('monitor-b')
    await standby!.release()
  }, 60_000)

  test('a standby stopped while it waits gives up without a lease', async () => {
    const active = await acquireMonitorLease({ databaseUrl, shard: 'chain:4', holder: 'monitor-a' })
    const controller = new AbortController()
    const waiting = acquireMonitorLease({ databaseUrl, shard: 'chain:4', holder: 'monitor-b', signal: controller.signal, onStandby: () => controller.abort() })
    expect(await waiting).toBeUndefined()
    expect(await holderOf('chain:4')).toBe('monitor-a')
    await active!.release()
  }, 60_000)
})
