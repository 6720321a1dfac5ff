import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type pg from 'pg'
import type { Transaction } from '../store/openStore.js'
import { StoreError } from '../store/errors.js'
import { MonitorLeaseLostError } from './errors.js'

/** Advisory-lock class of monitor leases (the second key is hashtext of the schema and the shard). */
const monitorLeaseLockClass = 7303

export type AcquireMonitorLeaseParameters = {
  /** The PostgreSQL server of the store (the lease lives on a connection of its own). */
  databaseUrl: string
  /** What is leased: `chain:<id>`, one active monitor per chain. */
  shard: string
  /** Who asks, as recorded in `monitor_leases` (default `<host>:<pid>:<random>`). */
  holder?: string | undefined
  /** Heartbeat period once held (default 1000 ms); readiness calls a lease stale after 10 s without one. */
  heartbeatMs?: number | undefined
  /** How often a standby tries to take the lock (default 500 ms). */
  retryMs?: number | undefined
  /** Called once when the lease is held by another process and this one stands by. */
  onStandby?: ((holder: string | undefined) => void) | undefined
  /** Gives up waiting (Ctrl-C of a standby): the promise then resolves to undefined. */
  signal?: AbortSignal | undefined
}

export type MonitorLease = {
  readonly shard: string
  readonly holder: string
  /** Resolves with the reason once the lease is lost (lock connection dropped, heartbeat failed); never after `release()`. */
  readonly lost: Promise<MonitorLeaseLostError>
  /**
   * Run first inside every transaction that records the shard's progress (a block's commit): it
   * waits for a takeover in flight and throws MonitorLeaseLostError unless this holder is still the
   * recorded one, so a monitor cut off from its lock connection records nothing after the standby took over.
   */
  fence(tx: Pick<Transaction, 'query'>): Promise<void>
  /** Removes the lease row and unlocks, so a standby takes over at its next try. Safe to call twice. */
  release(): Promise<void>
}

/**
 * Takes a chain's monitor lease on PostgreSQL, waiting as a standby while another process holds
 * it. The lease is a session advisory lock on a connection of its own: when the holder dies (even
 * `kill -9`) the server closes the session and frees the lock, and the next standby's try gets it.
 * The holder also writes itself into `monitor_leases` and renews `heartbeat_at` every second (for
 * `/ready` and as the fence of its commits). Locks are keyed by schema as well, so stores in
 * separate schemas of one server do not share leases.
 *
 * @throws {StoreError} the server could not be reached.
 */
export async function acquireMonitorLease(parameters: AcquireMonitorLeaseParameters): Promise<MonitorLease | undefined> {
  const { databaseUrl, shard, heartbeatMs = 1_000, retryMs = 500, signal } = parameters
  const holder = parameters.holder ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  const { default: pgModule } = await import('pg')
  const connection: pg.Client = new pgModule.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000, query_timeout: 10_000 })
  // Until the lease is held a dropped connection fails the query in flight; after, it loses the lease.
  let onDrop: (cause: unknown) => void = () => undefined
  connection.on('error', (error) => onDrop(error))
  connection.on('end', () => onDrop(new Error('the lock connection closed')))
  try {
    await connection.connect()
  } catch (error) {
    throw new StoreError({ action: 'connect to the PostgreSQL server for the monitor lease', cause: error })
  }
  const lockKey = `hashtext(current_schema() || '/' || $2)`
  try {
    let announced = false
    for (;;) {
      if (signal?.aborted) {
        await connection.end().catch(() => undefined)
        return undefined
      }
      const [row] = (await connection.query<{ held: boolean }>(`SELECT pg_try_advisory_lock($1, ${lockKey}) AS held`, [monitorLeaseLockClass, shard])).rows
      if (row?.held) break
      if (!announced) {
        announced = true
        const [current] = (await connection.query<{ holder: string }>('SELECT holder FROM monitor_leases WHERE shard = $1', [shard])).rows
        parameters.onStandby?.(current?.holder)
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, retryMs)
        signal?.addEventListener('abort', done, { once: true })
        function done() {
          clearTimeout(timer)
          signal?.removeEventListener('abort', done)
          resolve()
        }
      })
    }
    // Waits for a commit of the previous holder still in flight (its fence holds the row FOR SHARE).
    await connection.query(
      `INSERT INTO monitor_leases (shard, holder, acquired_at, heartbeat_at) VALUES ($1, $2, now(), now())
       ON CONFLICT (shard) DO UPDATE SET holder = EXCLUDED.holder, acquired_at = EXCLUDED.acquired_at, heartbeat_at = EXCLUDED.heartbeat_at`,
      [shard, holder],
    )
  } catch (error) {
    await connection.end().catch(() => undefined)
    throw new StoreError({ action: `take the monitor lease on ${shard}`, cause: error })
  }

  let released = false
  let markLost!: (error: MonitorLeaseLostError) => void
  const lost = new Promise<MonitorLeaseLostError>((resolve) => (markLost = resolve))
  const lose = (reason: string, cause?: unknown) => {
    if (released) return
    released = true
    clearInterval(heartbeat)
    markLost(new MonitorLeaseLostError({ shard, holder, reason, cause }))
    void connection.end().catch(() => undefined)
  }
  onDrop = (cause) => lose('its lock connection to PostgreSQL dropped', cause)
  const heartbeat = setInterval(() => {
    connection
      .query('UPDATE monitor_leases SET heartbeat_at = now() WHERE shard = $1 AND holder = $2', [shard, holder])
      .then((result) => {
        if (result.rowCount === 0) lose('another holder is recorded')
      })
      .catch((error: unknown) => lose('a heartbeat failed', error))
  }, heartbeatMs)
  heartbeat.unref()

  return {
    shard,
    holder,
    lost,
    async fence(tx) {
      const [row] = await tx.query<{ holder: string }>('SELECT holder FROM monitor_leases WHERE shard = $1 FOR SHARE', [shard])
      if (row?.holder !== holder) {
        const error = new MonitorLeaseLostError({ shard, holder, reason: row ? `${row.holder} holds it now` : 'its lease row is gone' })
        lose(row ? `${row.holder} holds it now` : 'its lease row is gone')
        throw error
      }
    },
    async release() {
      if (released) return
      released = true
      clearInterval(heartbeat)
      try {
        await connection.query('DELETE FROM monitor_leases WHERE shard = $1 AND holder = $2', [shard, holder])
        await connection.query(`SELECT pg_advisory_unlock($1, ${lockKey})`, [monitorLeaseLockClass, shard])
      } finally {
        await connection.end().catch(() => undefined)
      }
    },
  }
}
