import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { openStore, type Store } from '../store/openStore.js'
import { testDatabaseUrl } from '../store/testDatabaseUrl.js'
import type { LifecycleContext } from './context.js'
import { signingKeyFromPem } from './signingKey.js'
import type { Actor } from './types.js'

/**
 * Test support (used by lifecycle, CLI and server tests): the backends the store suites run
 * on, each giving a fresh, isolated database — in-memory PGlite, or a schema of its own on
 * the PostgreSQL server of `testDatabaseUrl` (so parallel test files sharing one server never
 * see each other's audit log). Both always: without a PostgreSQL server its variant fails.
 */
export type TestBackend = { name: 'PGlite' | 'PostgreSQL'; open: () => Promise<Store> }

export function testBackends(env: NodeJS.ProcessEnv = process.env): TestBackend[] {
  return [
    { name: 'PGlite', open: () => openStore({ dataDir: 'memory://' }) },
    { name: 'PostgreSQL', open: () => openIsolatedPostgres(testDatabaseUrl(env)) },
  ]
}

/** A fresh schema on the server, migrated; dropped when the store is closed. */
export async function openIsolatedPostgres(url: string): Promise<Store> {
  const schema = `bulwark_test_${randomBytes(6).toString('hex')}`
  const admin = await openStore({ databaseUrl: url })
  await admin.query(`CREATE SCHEMA ${schema}`)
  await admin.close()
  const separator = url.includes('?') ? '&' : '?'
  const store = await openStore({ databaseUrl: `${url}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}` })
  return {
    ...store,
    async close() {
      await store.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined)
      await store.close()
    },
  }
}

/** A context with a throwaway signing key and a settable clock. */
export function testContext(store: Store, start = new Date('2025-01-01T00:00:00.000Z')) {
  let now = start.getTime()
  const { privateKey } = generateKeyPairSync('ed25519')
  const signingKey = signingKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'test')
  const context: LifecycleContext & { now: () => Date } = { store, signingKey, now: () => new Date(now) }
  return {
    context,
    /** Moves the clock forward. */
    advance(ms: number) {
      now += ms
    },
  }
}

export const testActors = {
  admin: { id: 'alice', roles: ['admin'] },
  responder: { id: 'rita', roles: ['responder'] },
  auditor: { id: 'audra', roles: ['auditor'] },
  signer1: { id: 'sam', roles: ['signer'] },
  signer2: { id: 'sue', roles: ['signer'] },
  viewer: { id: 'vic', roles: ['viewer'] },
} as const satisfies Record<string, Actor>
