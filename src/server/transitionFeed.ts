import type { LifecycleContext } from '../lifecycle/context.js'
import { isClearedFor } from '../lifecycle/permissions.js'
import { toTransition, transitionColumns, type TransitionRow } from '../lifecycle/rows.js'
import type { Actor, Transition } from '../lifecycle/types.js'

/**
 * Live transitions for `GET /events`. The feed reads the transitions table, so it sees changes
 * made by any process sharing the database (another server, the CLI), not only this one.
 * Lifecycle writers hold the ledger lock while inserting, so ids commit in order and
 * "everything after the last id seen" misses nothing. It polls only while someone listens;
 * a change made through this server pokes it for an immediate read.
 */
export type TransitionFeed = {
  /** Calls `listener` with each new transition the actor may see, from `sinceId` (exclusive) or from now. */
  subscribe(actor: Actor, listener: (transition: Transition) => void, options?: { sinceId?: number | undefined }): Promise<() => void>
  poke(): void
  close(): void
}

type Subscriber = { actor: Actor; listener: (transition: Transition) => void; after: number }

const batchSize = 500

export function createTransitionFeed(context: Pick<LifecycleContext, 'store'>, { pollMs }: { pollMs: number }): TransitionFeed {
  const subscribers = new Set<Subscriber>()
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let again = false
  let closed = false

  async function latestId(): Promise<number> {
    const [row] = await context.store.query<{ id: string | number | null }>('SELECT max(id) AS id FROM lifecycle_transitions')
    return Number(row?.id ?? 0)
  }

  async function readOnce(): Promise<void> {
    if (subscribers.size === 0) return
    const from = Math.min(...[...subscribers].map((subscriber) => subscriber.after))
    const rows = await context.store.query<TransitionRow & { embargoed: boolean; cleared_actors: unknown }>(
      `SELECT ${transitionColumns
        .split(', ')
        .map((column) => `t.${column}`)
        .join(', ')}, a.embargoed, a.cleared_actors
       FROM lifecycle_transitions t JOIN advisories a ON a.id = t.advisory_id
       WHERE t.id > $1 ORDER BY t.id LIMIT ${batchSize}`,
      [from],
    )
    for (const row of rows) {
      const transition = toTransition(row)
      const clearedActors = (typeof row.cleared_actors === 'string' ? JSON.parse(row.cleared_actors) : row.cleared_actors) as string[]
      for (const subscriber of subscribers) {
        if (transition.id <= subscriber.after) continue
        subscriber.after = transition.id
        if (isClearedFor(subscriber.actor, { embargoed: row.embargoed, clearedActors })) subscriber.listener(transition)
      }
    }
    if (rows.length === batchSize) again = true
  }

  function run(): void {
    if (running || closed) {
      again = true
      return
    }
    running = readOnce()
      .catch(() => undefined) // a failed read is retried at the next tick
      .finally(() => {
        running = undefined
        if (again && !closed) {
          again = false
          run()
        }
      })
  }

  function schedule(): void {
    if (timer || closed || subscribers.size === 0) return
    timer = setInterval(run, pollMs)
    timer.unref()
  }

  return {
    async subscribe(actor, listener, { sinceId } = {}) {
      const subscriber: Subscriber = { actor, listener, after: sinceId ?? (await latestId()) }
      subscribers.add(subscriber)
      schedule()
      if (sinceId !== undefined) run()
      return () => {
        subscribers.delete(subscriber)
        if (subscribers.size === 0 && timer) {
          clearInterval(timer)
          timer = undefined
        }
      }
    },
    poke() {
      if (subscribers.size > 0) run()
    },
    close() {
      closed = true
      if (timer) clearInterval(timer)
      timer = undefined
      subscribers.clear()
    },
  }
}
