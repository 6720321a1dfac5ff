import { z } from 'zod'
import { embargoClearedRoles } from '../../lifecycle/permissions.js'
import type { Role } from '../../lifecycle/types.js'
import { eventCursorKey, openEventCursor, sealEventCursor } from '../eventCursor.js'
import { defineRoute } from '../route.js'
import { toJsonValue } from '../schemas.js'
import { jobFeedOf } from './jobFeed.js'

/**
 * Server-sent events: one `transition` event per lifecycle transition the caller may see
 * (embargo applies), one `alert` event per alert a monitor raised, and one `job` event per event
 * of a job the caller may see (a validation, release step or verification: queued, started,
 * progress, completed with its result, failed with its error). Each event's id is the
 * pair of cursors `<transition id>.<alert id>`, sealed (eventCursor.ts) so that it counts nothing
 * an uncleared caller may not see; a reconnecting client resumes both streams with
 * `Last-Event-ID` (or `?since=` and `?alertsSince=`). Job events start from the connection (or
 * `?jobsSince=`, the `seq` of a job event received before). Comments keep idle connections open.
 */
export const eventsRoute = defineRoute({
  method: 'GET',
  url: '/events',
  summary: 'A text/event-stream of lifecycle transitions (event `transition`), monitor alerts (event `alert`) and job progress (event `job`), data as JSON; event ids are opaque cursors that resume transitions and alerts (Last-Event-ID), `jobsSince` resumes jobs.',
  tag: 'events',
  permission: 'advisory:read',
  querystring: z.strictObject({ since: z.number().int().min(0).optional(), alertsSince: z.number().int().min(0).optional(), jobsSince: z.number().int().min(0).optional() }),
  response: 'stream',
  handler: async ({ query, actor, env, request, reply }) => {
    const key = eventCursorKey(env.context.signingKey.privateKey)
    const resumed = parseLastEventId(key, request.headers['last-event-id'])
    // Global counters (transition id, audit seq) would let an uncleared caller count what it may not see.
    const cleared = actor.roles.some((role) => (embargoClearedRoles as readonly Role[]).includes(role))
    const sinceId = query.since ?? resumed.transitions ?? (await env.feed.latestId())
    const alertsSinceId = query.alertsSince ?? resumed.alerts ?? (await env.alerts.latestId())
    reply.hijack()
    const socket = reply.raw
    socket.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    })
    socket.write('retry: 3000\n\n')
    const cursor = { transitions: sinceId, alerts: alertsSinceId }
    const send = (event: string, data: unknown) => void socket.write(`id: ${sealEventCursor(key, cursor)}\nevent: ${event}\ndata: ${JSON.stringify(toJsonValue(data))}\n\n`)
    const unsubscribeTransitions = await env.feed.subscribe(
      actor,
      (transition, id) => {
        cursor.transitions = id
        if (cleared) send('transition', transition)
        else send('transition', Object.fromEntries(Object.entries(transition).filter(([name]) => name !== 'id' && name !== 'auditSeq')))
      },
      { sinceId },
    )
    const unsubscribeAlerts = await env.alerts.subscribe(
      actor,
      (alert, id) => {
        cursor.alerts = id
        send('alert', { streamId: id, ...alert })
      },
      { sinceId: alertsSinceId },
    )
    const unsubscribeJobs = await jobFeedOf(env).subscribe(
      actor,
      // A global sequence number would let an uncleared caller count jobs it may not see.
      (event, id) => send('job', cleared ? { seq: id, ...event } : event),
      { sinceId: query.jobsSince },
    )
    const unsubscribe = () => {
      unsubscribeTransitions()
      unsubscribeAlerts()
      unsubscribeJobs()
    }
    const heartbeat = setInterval(() => socket.write(': keep-alive\n\n'), env.options.eventsHeartbeatMs)
    heartbeat.unref()
    const end = () => {
      clearInterval(heartbeat)
      unsubscribe()
      env.streams.delete(end)
      if (!socket.writableEnded) socket.end()
    }
    env.streams.add(end)
    request.raw.on('close', end)
    socket.on('close', end)
  },
})

/** `Last-Event-ID`: a sealed cursor this server issued; anything else starts from now. */
function parseLastEventId(key: Buffer, header: string | string[] | undefined): { transitions?: number; alerts?: number } {
  if (typeof header !== 'string') return {}
  return openEventCursor(key, header) ?? {}
}
