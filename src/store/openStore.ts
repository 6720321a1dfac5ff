import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { StoreError } from './errors.js'
import { migrations } from './migrations.js'
import { initPgliteDataDirApart, pgliteStartParams } from './pgliteMemory.js'
import { acquireStoreLock, type StoreLock } from './storeLock.js'

/** The narrow SQL surface every repository uses; PGlite and node-postgres both fit it. */
export type Store = {
  readonly kind: 'pglite' | 'postgres'
  query<Row extends Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>
  /** Runs `work` in one transaction: all of its writes land, or none do. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>
  close(): Promise<void>
  /**
   * Only where this process is the database's sole client (PGlite): a counter that moves after every
   * statement or transaction that may have written, so a cache can tell "nothing changed" without
   * asking the database. Undefined on PostgreSQL, where other processes write too.
   */
  readonly changes?: (() => number) | undefined
  /**
   * Only on PostgreSQL, where other processes write too: calls `onNotification` with the payload of
   * every NOTIFY on `channel` (a plain identifier), on a connection of its own that is reopened if it
   * drops (notifications sent while it was down are lost: a listener keeps a slower poll as well).
   * Resolves once listening; the returned function stops it.
   */
  readonly listen?: ((channel: string, onNotification: (payload: string) => void) => Promise<() => Promise<void>>) | undefined
}

export type Transaction = Pick<Store, 'query'> & {
  /**
   * Runs several statements without parameters in one round trip (migrations; the ledger's lock and
   * head read) and returns the rows of the last one.
   */
  exec<Row extends Record<string, unknown>>(sql: string): Promise<Row[]>
}

export type OpenStoreParameters = {
  /** postgres://… to use a PostgreSQL server; otherwise the embedded PGlite database is used. */
  databaseUrl?: string | undefined
  /** Folder of the embedded database (default `.bulwark/db` under the working directory). */
  dataDir?: string | undefined
}

/** Opens the database (PGlite by default, PostgreSQL when a URL is given) and migrates it. */
export async function openStore({ databaseUrl, dataDir }: OpenStoreParameters = {}): Promise<Store> {
  const store = databaseUrl ? await openPostgres(databaseUrl) : await openPglite(dataDir ?? path.join(process.cwd(), '.bulwark', 'db'))
  try {
    await migrate(store)
  } catch (error) {
    await store.close().catch(() => undefined)
    throw error instanceof StoreError ? error : new StoreError({ action: 'be migrated', cause: error })
  }
  return store
}

async function openPglite(dataDir: string): Promise<Store> {
  let db: import('@electric-sql/pglite').PGlite
  const onDisk = !dataDir.includes('://')
  if (onDisk) await mkdir(path.dirname(path.resolve(dataDir)), { recursive: true }).catch(() => undefined)
  // One process owns the folder (storeLock.ts): a second one gets BW_STORE_LOCKED before anything is read.
  const lock: StoreLock | undefined = onDisk ? await acquireStoreLock(dataDir) : undefined
  try {
    const { PGlite } = await import('@electric-sql/pglite')
    if (dataDir !== 'memory://') await mkdir(dataDir, { recursive: true })
    // initdb apart and small buffers: see pgliteMemory.ts for what each costs
    await initPgliteDataDirApart(dataDir)
    db = await PGlite.create(dataDir, { startParams: pgliteStartParams((PGlite as unknown as { defaultStartParams?: string[] }).defaultStartParams) })
  } catch (error) {
    await lock?.release()
    throw new StoreError({ action: `open the embedded database at ${dataDir}`, cause: error })
  }
  let changes = 0
  const query: Store['query'] = async (sql, params) => {
    const reads = /^\s*select\b/i.test(sql)
    try {
      return (await db.query(sql, params as unknown[] | undefined)).rows as never
    } catch (error) {
      throw new StoreError({ action: 'run a query', cause: error })
    } finally {
      if (!reads) changes++
    }
  }
  return {
    kind: 'pglite',
    query,
    changes: () => changes,
    async transaction(work) {
      try {
        return await runTransaction(work)
      } finally {
        changes++
      }
    },
    async close() {
      try {
        await db.close()
      } finally {
        await lock?.release()
      }
    },
  }

  function runTransaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return db.transaction(async (tx) =>
      work({
        async query(sql, params) {
          try {
            return (await tx.query(sql, params as unknown[] | undefined)).rows as never
          } catch (error) {
            throw new StoreError({ action: 'run a query', cause: error })
          }
        },
        async exec(sql) {
          try {
            return ((await tx.exec(sql)).at(-1)?.rows ?? []) as never
          } catch (error) {
            throw new StoreError({ action: 'run a statement', cause: error })
          }
        },
      }),
    )
  }
}

/**
 * Connections per process: single statements and transactions each have a pool of their own. A
 * transaction holds its connection across round trips and, for lifecycle changes, waits on the ledger
 * lock while holding it; in one shared pool a burst of writes queued on that lock took every
 * connection and reads stood behind them (API p99 of a 90/10 mix near a second). Kept small: the
 * server's cores, not connections, bound throughput, and M API processes plus N workers share it.
 */
const postgresPoolSizes = Object.freeze({
  /** Single statements (reads, job events, a token's last use): never wait behind a transaction. */
  statements: 4,
  /** Transactions (lifecycle changes and their audit entries, job stages): serialized by the ledger lock anyway. */
  transactions: 4,
})

async function openPostgres(databaseUrl: string): Promise<Store> {
  const { default: pg } = await import('pg')
  const statements = new pg.Pool({ connectionString: databaseUrl, max: postgresPoolSizes.statements, connectionTimeoutMillis: 5_000 })
  const transactions = new pg.Pool({ connectionString: databaseUrl, max: postgresPoolSizes.transactions, connectionTimeoutMillis: 5_000 })
  const pools = [statements, transactions]
  // An idle client losing its connection must not crash the process.
  for (const pool of pools) pool.on('error', () => undefined)
  try {
    const client = await statements.connect()
    client.release()
  } catch (error) {
    await Promise.all(pools.map((pool) => pool.end().catch(() => undefined)))
    throw new StoreError({ action: 'connect to the PostgreSQL server', cause: error })
  }
  const turns = createTurns(postgresPoolSizes.transactions)
  const run = async (runner: { query: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[] } | { rows: unknown[] }[]> }, sql: string, params?: readonly unknown[]) => {
    let result: { rows: unknown[] } | { rows: unknown[] }[]
    try {
      result = await runner.query(sql, params as unknown[] | undefined)
    } catch (error) {
      throw new StoreError({ action: 'run a query', cause: error })
    }
    // several statements (simple protocol): one result each, the last one's rows
    return ((Array.isArray(result) ? result.at(-1)?.rows : result.rows) ?? []) as never
  }
  return {
    kind: 'postgres',
    query: (sql, params) => run(statements, sql, params),
    listen: (channel, onNotification) => listenOn(databaseUrl, channel, onNotification),
    async transaction(work) {
      // Wait for a turn here, without a deadline: the pool's connection timeout is for an unreachable
      // server, and a write queued behind the ledger lock for seconds under load is not one.
      await turns.take()
      let client: import('pg').PoolClient
      try {
        client = await transactions.connect()
      } catch (error) {
        turns.give()
        throw error
      }
      // BEGIN goes with the transaction's first statement when that one has no parameters (one round trip less).
      let begun = false
      const begin = async () => {
        if (begun) return
        begun = true
        await client.query('BEGIN')
      }
      try {
        const result = await work({
          query: async (sql, params) => {
            await begin()
            return run(client, sql, params)
          },
          exec: async (sql) => {
            if (begun) return run(client, sql)
            begun = true
            return run(client, `BEGIN; ${sql}`)
          },
        })
        if (begun) await client.query('COMMIT')
        return result
      } catch (error) {
        if (begun) await client.query('ROLLBACK').catch(() => undefined)
        throw error
      } finally {
        client.release()
        turns.give()
      }
    },
    close: async () => void (await Promise.all(pools.map((pool) => pool.end()))),
  }
}

/** At most `size` holders at once; the others wait in arrival order. */
function createTurns(size: number): { take(): Promise<void>; give(): void } {
  let free = size
  const waiting: (() => void)[] = []
  return {
    take() {
      if (free > 0) {
        free -= 1
        return Promise.resolve()
      }
      return new Promise((resolve) => waiting.push(resolve))
    },
    give() {
      const next = waiting.shift()
      if (next) next()
      else free += 1
    },
  }
}

/** `Store.listen` on PostgreSQL: one client per channel, reconnected after a second when it drops. */
async function listenOn(databaseUrl: string, channel: string, onNotification: (payload: string) => void): Promise<() => Promise<void>> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new StoreError({ action: `listen on "${channel}"`, cause: new Error('a channel is a lower-case identifier') })
  const { default: pg } = await import('pg')
  let stopped = false
  let client: import('pg').Client | undefined
  let retry: NodeJS.Timeout | undefined
  const open = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 })
    next.on('notification', (message) => {
      if (message.channel === channel) onNotification(message.payload ?? '')
    })
    // A dropped connection (server restart, network) is reopened; until then the listener's poll carries on alone.
    next.on('error', () => undefined)
    next.on('end', () => {
      if (stopped || client !== next) return
      client = undefined
      reopen()
    })
    try {
      await next.connect()
      await next.query(`LISTEN ${channel}`)
    } catch (error) {
      await next.end().catch(() => undefined)
      throw error
    }
    if (stopped) await next.end().catch(() => undefined)
    else client = next
  }
  const reopen = (): void => {
    retry = setTimeout(() => {
      if (!stopped) open().catch(reopen)
    }, 1_000)
    retry.unref()
  }
  try {
    await open()
  } catch (error) {
    throw new StoreError({ action: `listen on "${channel}"`, cause: error })
  }
  return async () => {
    stopped = true
    clearTimeout(retry)
    await client?.end().catch(() => undefined)
  }
}

/**
 * Applies pending migrations in one transaction. On PostgreSQL an advisory lock serializes
 * several Bulwark processes starting at once against the same database.
 */
async function migrate(store: Store): Promise<void> {
  await store.transaction(async (tx) => {
    if (store.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(7301)')
    await tx.query(`CREATE TABLE IF NOT EXISTS bulwark_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`)
    const applied = new Set((await tx.query<{ version: number }>('SELECT version FROM bulwark_migrations')).map((row) => Number(row.version)))
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue
      await tx.exec(migration.sql)
      await tx.query('INSERT INTO bulwark_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name])
    }
  })
}
