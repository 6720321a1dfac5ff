import { embargoClearedRoles } from '../lifecycle/permissions.js'
import type { Actor, Role } from '../lifecycle/types.js'
import type { Store } from '../store/openStore.js'

/**
 * A cache of read answers (advisory and patch lists and records) that is never stale.
 *
 * Every lifecycle change appends to the audit log in the same transaction, so the log's last
 * `seq` is a version of everything those reads return. A cached answer is reused only while
 * the version is the one it was read at. Checking the version is one index lookup, and
 * concurrent requests share it: a request waits for a check that *started after it arrived*
 * (the one in flight, if it started later, or the next), so it always sees every change
 * committed before it came in, from any process sharing the database. On PGlite, whose only client
 * is this process, the store's change counter is the version and no query is needed.
 */
export type ReadCache = {
  /** The JSON text of the answer under `key`: reused while the version holds, else loaded and serialized again. */
  json<T>(key: string, serialize: (value: T) => string, load: () => Promise<T>): Promise<SerializedJson>
}

/** An answer already serialized (by the route's own response serializer): sent as is. */
export class SerializedJson {
  constructor(readonly text: string) {}
}

export function createReadCache(store: Pick<Store, 'query' | 'changes'>, { maxEntries }: { maxEntries: number }): ReadCache {
  const entries = new Map<string, { version: number; value: SerializedJson }>()
  const loading = new Map<string, Promise<SerializedJson>>()
  let running: Promise<number> | undefined
  let queued: Promise<number> | undefined

  const read = async () => {
    const [row] = await store.query<{ version: string | number | null }>('SELECT max(seq) AS version FROM audit_log')
    return Number(row?.version ?? 0)
  }

  function currentVersion(): Promise<number> {
    // The sole client of its database (PGlite) knows every change without asking.
    if (store.changes) return Promise.resolve(store.changes())
    if (!running) {
      running = read().finally(() => {
        running = undefined
      })
      return running
    }
    // The check in flight may have started before this request: wait for the next one.
    queued ??= running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        queued = undefined
        return currentVersion()
      })
    return queued
  }

  return {
    async json(key, serialize, load) {
      if (maxEntries === 0) return new SerializedJson(serialize(await load()))
      const version = await currentVersion()
      const hit = entries.get(key)
      if (hit && hit.version === version) return hit.value
      // Concurrent misses of one key at one version share one load (no stampede on a cold key).
      const flight = `${version}|${key}`
      let pending = loading.get(flight)
      if (!pending) {
        // Read after the version: the value is at least as new as the version it is filed under.
        pending = load()
          .then((loaded) => {
            const value = new SerializedJson(serialize(loaded))
            entries.delete(key)
            entries.set(key, { version, value })
            if (entries.size > maxEntries) entries.delete(entries.keys().next().value!)
            return value
          })
          .finally(() => loading.delete(flight))
        loading.set(flight, pending)
      }
      return pending
    },
  }
}

/** What an actor may see of embargoed records: everything (cleared roles) or what lists its id. Part of every cache key. */
export function visibilityKey(actor: Actor): string {
  return actor.roles.some((role) => (embargoClearedRoles as readonly Role[]).includes(role)) ? 'cleared' : `actor:${JSON.stringify(actor.id)}`
}
