import type { Store } from '../store/openStore.js'
import { findApiToken, hashToken, touchApiToken, type ApiToken } from './auth.js'

/**
 * Verified tokens, kept for `ttlMs` so that a busy client costs one database read per TTL
 * instead of one per request. Only successes are cached: an unknown token is looked up
 * each time (and rate limited by address). Revoking through this server evicts at once.
 */
export type TokenCache = {
  resolve(token: string): Promise<ApiToken | undefined>
  evict(id: number): void
}

export function createTokenCache(store: Pick<Store, 'query'>, { ttlMs }: { ttlMs: number }): TokenCache {
  const entries = new Map<string, { token: ApiToken; until: number }>()
  // `last_used_at` is written at most once per TTL per token, not on every request.
  const touched = new Map<number, number>()
  const lookups = new Map<string, Promise<ApiToken | undefined>>()

  async function lookup(key: string, plaintext: string): Promise<ApiToken | undefined> {
    const now = Date.now()
    const token = await findApiToken(store, plaintext)
    if (!token) {
      entries.delete(key)
      return undefined
    }
    if (ttlMs > 0) entries.set(key, { token, until: now + ttlMs })
    if ((touched.get(token.id) ?? 0) + Math.max(ttlMs, 1_000) <= now) {
      touched.set(token.id, now)
      await touchApiToken(store, token)
    }
    return token
  }

  return {
    async resolve(plaintext) {
      const key = hashToken(plaintext)
      const hit = entries.get(key)
      if (hit && hit.until > Date.now()) return hit.token
      // Many requests with one token arrive together when its entry expires: one lookup serves them all.
      let pending = lookups.get(key)
      if (!pending) {
        pending = lookup(key, plaintext).finally(() => lookups.delete(key))
        lookups.set(key, pending)
      }
      return pending
    },
    evict(id) {
      for (const [key, entry] of entries) if (entry.token.id === id) entries.delete(key)
    },
  }
}
