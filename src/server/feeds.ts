import type { LifecycleContext } from '../lifecycle/context.js'
import { isClearedFor } from '../lifecycle/permissions.js'
import { toTransition, transitionColumns, type TransitionRow } from '../lifecycle/rows.js'
import type { Transition } from '../lifecycle/types.js'
import { latestStreamAlertId, listStreamAlerts } from '../monitor/sinks/alertStream.js'
import type { Alert } from '../monitor/types.js'
import { createPollingFeed, type Feed } from './pollingFeed.js'

export type TransitionFeed = Feed<Transition>
export type AlertFeed = Feed<Alert>

/**
 * Live lifecycle transitions for `GET /events`, read from the transitions table (lifecycle
 * writers hold the ledger lock while inserting, so ids commit in order). Embargo applies: an
 * embargoed advisory's transitions reach only actors cleared for it.
 */
export function createTransitionFeed(context: Pick<LifecycleContext, 'store'>, { pollMs }: { pollMs: number }): TransitionFeed {
  return createPollingFeed<Transition>(
    {
      async latestId() {
        const [row] = await context.store.query<{ id: string | number | null }>('SELECT max(id) AS id FROM lifecycle_transitions')
        return Number(row?.id ?? 0)
      },
      async readAfter(afterId, limit) {
        const rows = await context.store.query<TransitionRow & { embargoed: boolean; cleared_actors: unknown }>(
          `SELECT ${transitionColumns
            .split(', ')
            .map((column) => `t.${column}`)
            .join(', ')}, a.embargoed, a.cleared_actors
           FROM lifecycle_transitions t JOIN advisories a ON a.id = t.advisory_id
           WHERE t.id > $1 ORDER BY t.id LIMIT ${Number(limit)}`,
          [afterId],
        )
        return rows.map((row) => {
          const transition = toTransition(row)
          const clearedActors = (typeof row.cleared_actors === 'string' ? JSON.parse(row.cleared_actors) : row.cleared_actors) as string[]
          return { id: transition.id, item: transition, visibleTo: (actor) => isClearedFor(actor, { embargoed: row.embargoed, clearedActors }) }
        })
      },
    },
    { pollMs },
  )
}

/**
 * Live monitor alerts for `GET /events`, read from `monitor_alert_stream`, where every monitor
 * sharing the database (`bulwark monitor`, the one `npm start` runs) writes what it raised.
 */
export function createAlertFeed(context: Pick<LifecycleContext, 'store'>, { pollMs }: { pollMs: number }): AlertFeed {
  return createPollingFeed<Alert>(
    {
      latestId: () => latestStreamAlertId(context.store),
      async readAfter(afterId, limit) {
        const rows = await listStreamAlerts(context.store, { afterId, limit })
        return rows.map(({ id, alert }) => ({ id, item: alert, visibleTo: () => true }))
      },
    },
    { pollMs },
  )
}
