import { isClearedFor, embargoClearedRoles } from '../../lifecycle/permissions.js'
import type { Actor, Role } from '../../lifecycle/types.js'
import { createPollingFeed, type Feed } from '../pollingFeed.js'
import type { RouteEnvironment } from '../route.js'

/** One event of a job (queued, started, progress, completed, failed, retrying), as /events sends it. */
export type JobFeedEvent = { jobId: string; kind: string; patchId: string | null; type: string; data: unknown; at: string }

const feeds = new WeakMap<RouteEnvironment, Feed<JobFeedEvent>>()

/**
 * Live job events for `GET /events`, read from `bulwark_job_events` (written by workers and by
 * in-process runs alike). A patch's job is seen by whoever may see the patch's advisory (embargo);
 * a job bound to no patch only by roles cleared for every advisory. Polls only while a stream listens.
 */
export function jobFeedOf(env: RouteEnvironment): Feed<JobFeedEvent> {
  let feed = feeds.get(env)
  if (feed) return feed
  const { store } = env.context
  feed = createPollingFeed<JobFeedEvent>(
    {
      async latestId() {
        const [row] = await store.query<{ id: string | number | null }>('SELECT max(id) AS id FROM bulwark_job_events')
        return Number(row?.id ?? 0)
      },
      async readAfter(afterId, limit) {
        const rows = await store.query<{ id: string | number; job_id: string; type: string; data: unknown; created_at: Date | string; kind: string; patch_id: string | null; embargoed: boolean | null; cleared_actors: unknown }>(
          `SELECT e.id, e.job_id, e.type, e.data, e.created_at, j.kind, j.input->>'patchId' AS patch_id, a.embargoed, a.cleared_actors
           FROM bulwark_job_events e JOIN bulwark_jobs j ON j.id = e.job_id
           LEFT JOIN patches p ON p.id = j.input->>'patchId' LEFT JOIN advisories a ON a.id = p.advisory_id
           WHERE e.id > $1 ORDER BY e.id LIMIT ${Number(limit)}`,
          [afterId],
        )
        return rows.map((row) => {
          const clearedActors = (typeof row.cleared_actors === 'string' ? JSON.parse(row.cleared_actors) : (row.cleared_actors ?? [])) as string[]
          const visibleTo = (actor: Actor) =>
            row.embargoed === null ? actor.roles.some((role) => (embargoClearedRoles as readonly Role[]).includes(role)) : isClearedFor(actor, { embargoed: row.embargoed, clearedActors })
          const data = typeof row.data === 'string' ? (JSON.parse(row.data) as unknown) : row.data
          return { id: Number(row.id), item: { jobId: row.job_id, kind: row.kind, patchId: row.patch_id, type: row.type, data, at: new Date(row.created_at).toISOString() }, visibleTo }
        })
      },
    },
    { pollMs: env.options.eventsPollMs },
  )
  feeds.set(env, feed)
  return feed
}
