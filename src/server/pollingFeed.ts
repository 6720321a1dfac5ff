import type { Actor } from '../lifecycle/types.js'

/**
 * A live feed over an append-only table with increasing ids. It reads the table, so it sees rows
 * written by any process sharing the database (another server, the CLI, a monitor), not only this
 * one; writers must commit ids in order, so "everything after the last id seen" misses nothing.
 * It polls only while someone listens; a change made through this server pokes it for an
 * immediate read.
 */
export type Feed<Item> = {
  /** Calls `listener` with each new item the actor may see, from `sinceId` (exclusive) or from now. */
  subscribe(actor: Actor, listener: (item: Item, id: number) => void, options?: { sinceId?: number | undefined }): Promise<() => void>
  /** The newest id now (0 when empty). */
  latestId(): Promise<number>
  poke(): void
  close(): void
}

/** Where a feed reads from. */
export type FeedSource<Item> = {
  /** The newest id (0 when empty): a live subscriber starts after it. */
  latestId(): Promise<number>
  /** Rows after `afterId` (exclusive), oldest first, at most `limit`, each with who may see it. */
  readAfter(afterId: number, limit: number): Promise<{ id: number; item: Item; visibleTo(actor: Actor): boolean }[]>
}

type Subscriber<Item> = { actor: Actor; listener: (item: Item, id: number) => void; after: number }

const batchSize = 500

export function createPollingFeed<Item>(source: FeedSource<Item>, { pollMs }: { pollMs: number }): Feed<Item> {
  const subscribers = new Set<Subscriber<Item>>()
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let again = false
  let closed = false

  async function readOnce(): Promise<void> {
    if (subscribers.size === 0) return
    const from = Math.min(...[...subscribers].map((subscriber) => subscriber.after))
    const rows = await source.readAfter(from, batchSize)
    for (const row of rows) {
      for (const subscriber of subscribers) {
        if (row.id <= subscriber.after) continue
        subscriber.after = row.id
        if (row.visibleTo(subscriber.actor)) subscriber.listener(row.item, row.id)
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
      const subscriber: Subscriber<Item> = { actor, listener, after: sinceId ?? (await source.latestId()) }
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
    latestId: () => source.latestId(),
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
