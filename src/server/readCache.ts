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
 *
 * On PostgreSQL the check also reads the entries appended since the last one, and an answer that
 * depends on one advisory's row alone (`dependsOn.advisory`) is carried to the new version when
 * none of them bound that row (each entry names the audited rows its transaction changed,
 * auditedState.ts). A stream of new advisories then no longer empties the cache of the others.
 */
export type ReadCache = {
  /**
   * The JSON text of the answer under `key`: reused while the version holds, else loaded and serialized again.
   * `dependsOn.advisory`: the answer is read from that advisory's row and nothing else, so changes to other rows keep it.
   */
  json<T>(key: string, serialize: (value: T) => string, load: () => Promise<T>, dependsOn?: { advisory: string }): Promise<SerializedJson>
}

/** An answer already serialized (by the route's own response serializer): sent as is. */
export class SerializedJson {
  constructor(readonly text: string) {}
}

/** Entries read per version check, at most: more appended since the last check and no answer is carried over. */
const changesPerCheck = 500

export function createReadCache(store: Pick<Store, 'query' | 'changes'>, { maxEntries }: { maxEntries: number }): ReadCache {
  const entries = new Map<string, { version: number; value: SerializedJson; advisory: string | undefined }>()
  const loading = new Map<string, Promise<SerializedJson>>()
  let running: Promise<number> | undefined
  let queued: Promise<number> | undefined
  // The version of the last check: answers filed at it are the ones a newer version may carry.
  let checked = 0

  const read = async () => {
    // The head, then the entries after the last check, newest first (both on the primary key).
    const rows = await store.query<{ seq: string | number; state: string | null }>(
      `(SELECT seq, NULL AS state FROM audit_log ORDER BY seq DESC LIMIT 1)
       UNION ALL (SELECT seq, state FROM audit_log WHERE seq > $1 ORDER BY seq DESC LIMIT $2)`,
      [checked, changesPerCheck],
    )
    const version = Number(rows[0]?.seq ?? 0)
    if (version > checked) {
      const changes = rows.slice(1)
      // An entry we did not read (too many since the last check) may have changed any row.
      const changed = changes.length < changesPerCheck && Number(changes.at(-1)?.seq) === checked + 1 ? changedAdvisories(changes) : undefined
      if (changed) for (const entry of entries.values()) if (entry.version === checked && entry.advisory !== undefined && !changed.has(entry.advisory)) entry.version = version
    }
    checked = version
    return version
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
    async json(key, serialize, load, dependsOn) {
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
            entries.set(key, { version, value, advisory: dependsOn?.advisory })
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

/** The advisories whose rows the given audit entries bound; `undefined` when an entry's state cannot be read. */
function changedAdvisories(changes: readonly { state: string | null }[]): Set<string> | undefined {
  const changed = new Set<string>()
  for (const { state } of changes) {
    if (state === null) continue
    let bindings: unknown
    try {
      bindings = JSON.parse(state)
    } catch {
      return undefined
    }
    if (!Array.isArray(bindings)) return undefined
    for (const binding of bindings as { table?: unknown; key?: unknown }[]) if (binding?.table === 'advisories') changed.add(String(binding.key))
  }
  return changed
}

/** What an actor may see of embargoed records: everything (cleared roles) or what lists its id. Part of every cache key. */
export function visibilityKey(actor: Actor): string {
  return actor.roles.some((role) => (embargoClearedRoles as readonly Role[]).includes(role)) ? 'cleared' : `actor:${JSON.stringify(actor.id)}`
}
