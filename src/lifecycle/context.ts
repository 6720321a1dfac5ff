import path from 'node:path'
import { openStore, type Store } from '../store/openStore.js'
import { loadSigningKey, type SigningKey } from './signingKey.js'

/**
 * What every lifecycle operation runs against: the database and the key that signs the
 * audit log. `now` is the clock (injectable so latency can be replayed and tested).
 */
export type LifecycleContext = {
  store: Store
  signingKey: SigningKey
  now?: () => Date
}

export function nowOf(context: Pick<LifecycleContext, 'now'>): Date {
  return context.now ? context.now() : new Date()
}

export type OpenLifecycleParameters = {
  /** Working directory: the embedded database lives in `<cwd>/.bulwark/db`, the key in `<cwd>/.bulwark/signing-key.pem`. */
  cwd: string
  /** Reads DATABASE_URL and BULWARK_SIGNING_KEY. */
  env: NodeJS.ProcessEnv
  /** Another folder for the embedded database (default `<cwd>/.bulwark/db`). */
  dataDir?: string | undefined
}

/** Opens the store (PGlite, or PostgreSQL when DATABASE_URL is set) and loads the signing key. Close with `context.store.close()`. */
export async function openLifecycle({ cwd, env, dataDir }: OpenLifecycleParameters): Promise<LifecycleContext> {
  const signingKey = await loadSigningKey({ env, dir: path.join(cwd, '.bulwark') })
  const store = await openStore({ databaseUrl: env.DATABASE_URL, dataDir: dataDir ?? path.join(cwd, '.bulwark', 'db') })
  return { store, signingKey }
}
