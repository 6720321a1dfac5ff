import { z } from 'zod'
import { defineRoute } from '../route.js'
import { toJsonValue } from '../schemas.js'

/**
 * Server-sent events: one `transition` event per lifecycle transition the caller may see
 * (embargo applies), with the transition id as the event id so a reconnecting client resumes
 * with `Last-Event-ID` (or `?since=`). Comments keep idle connections open.
 */
export const eventsRoute = defineRoute({
  method: 'GET',
  url: '/events',
  summary: 'A text/event-stream of lifecycle transitions (event `transition`, data: the transition as JSON).',
  tag: 'events',
  permission: 'advisory:read',
  querystring: z.strictObject({ since: z.number().int().min(0).optional() }),
  response: 'stream',
  handler: async ({ query, actor, env, request, reply }) => {
    const lastEventId = Number(request.headers['last-event-id'])
    const sinceId = query.since ?? (Number.isSafeInteger(lastEventId) && lastEventId >= 0 ? lastEventId : undefined)
    reply.hijack()
    const socket = reply.raw
    socket.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    })
    socket.write('retry: 3000\n\n')
    const unsubscribe = await env.feed.subscribe(
      actor,
      (transition) => void socket.write(`id: ${transition.id}\nevent: transition\ndata: ${JSON.stringify(toJsonValue(transition))}\n\n`),
      { sinceId },
    )
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
