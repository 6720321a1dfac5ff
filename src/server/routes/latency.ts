import { z } from 'zod'
import { latencyMeasures, latencyStages } from '../../lifecycle/computeLatency.js'
import { getAdvisoryLatency } from '../../lifecycle/getAdvisoryLatency.js'
import { getLatencySummary } from '../../lifecycle/getLatencySummary.js'
import { advisoryStatuses, patchRoutes, patchStatuses, severities } from '../../lifecycle/types.js'
import { defineRoute } from '../route.js'
import { isoDate, toJsonValue } from '../schemas.js'
import { advisoryParams } from './advisories.js'

/** An object with an optional member per key (milliseconds), none other. */
function optionalMembers<const K extends string>(keys: readonly K[], value: z.ZodType) {
  return z.strictObject(Object.fromEntries(keys.map((key) => [key, value.optional()])) as Record<K, z.ZodOptional<z.ZodType>>)
}

const milliseconds = z.number().min(0)
const durationSummary = z.strictObject({ count: z.number().int(), medianMs: z.number(), p90Ms: z.number() }).nullable()

export const advisoryLatencyResponse = z.strictObject({
  advisoryId: z.string(),
  severity: z.enum(severities),
  status: z.enum(advisoryStatuses),
  discoveredAt: isoDate,
  patchId: z.string().optional(),
  route: z.enum(patchRoutes).optional(),
  stages: optionalMembers(latencyStages, milliseconds),
  current: z.strictObject({ stage: z.enum(latencyStages), since: isoDate, elapsedMs: milliseconds }).optional(),
  measures: optionalMembers(
    latencyMeasures.filter((measure) => measure !== 'exposureWindow'),
    milliseconds,
  ),
  exposureWindow: z.strictObject({ ms: milliseconds, open: z.boolean(), endedBy: z.enum(['containment', 'verified-release']).optional() }),
  timeInState: z.strictObject({
    advisory: optionalMembers(advisoryStatuses, milliseconds),
    containment: z.record(z.string(), milliseconds.optional()),
    patches: z.array(
      z.strictObject({ patchId: z.string(), route: z.enum(patchRoutes), status: z.enum(patchStatuses), timeInState: optionalMembers(patchStatuses, milliseconds) }),
    ),
  }),
})

export const getAdvisoryLatencyRoute = defineRoute({
  method: 'GET',
  url: '/advisories/:id/latency',
  summary: "The advisory's latency: time per stage, whole-incident measures and the exposure window, in milliseconds.",
  tag: 'latency',
  permission: 'latency:read',
  params: advisoryParams,
  response: z.strictObject({ latency: advisoryLatencyResponse }),
  handler: async ({ params, actor, env }) => ({ latency: toJsonValue(await getAdvisoryLatency(env.context, params.id, actor)) }),
})

export const getLatencySummaryRoute = defineRoute({
  method: 'GET',
  url: '/latency',
  summary: 'Median and p90 per stage and per measure over the advisories the caller may see.',
  tag: 'latency',
  permission: 'latency:read',
  response: z.strictObject({
    latency: z.strictObject({
      advisories: z.number().int(),
      stages: z.strictObject(Object.fromEntries(latencyStages.map((stage) => [stage, durationSummary]))),
      measures: z.strictObject(Object.fromEntries(latencyMeasures.map((measure) => [measure, durationSummary]))),
      openExposures: z.number().int(),
    }),
  }),
  handler: async ({ actor, env }) => ({ latency: toJsonValue(await getLatencySummary(env.context, actor)) }),
})
