import { z } from 'zod'
import { getAdvisory } from '../../lifecycle/getAdvisory.js'
import { getLatencyHistory } from '../../lifecycle/getLatencyHistory.js'
import { assessRisk, defaultSamples } from '../../risk/assessRisk.js'
import { priceMultiChainRelease } from '../../operations/priceMultiChainRelease.js'
import { latencyHistoryFromStages } from '../../risk/latencyHistoryFromStages.js'
import { maxValueAtRiskUsd } from '../../risk/priceExposureWindow.js'
import { exposures, routeNames, severities, type RiskInput } from '../../risk/model.js'
import { defineRoute } from '../route.js'
import { isoDate } from '../schemas.js'
import { advisoryParams } from './advisories.js'

const hours = z.number().min(0)
const share = z.number().min(0).max(1)

const constraints = z.strictObject({
  routes: z.array(z.enum(routeNames)).min(1),
  timelockDelayHours: hours,
  pauseAvailable: z.boolean(),
  emergencyVisibleHours: hours.optional(),
})

/** The same constraints as echoed in a response (read-only arrays, as the model returns them). */
const echoedConstraints = z.strictObject({
  routes: z.array(z.enum(routeNames)).readonly(),
  timelockDelayHours: z.number(),
  pauseAvailable: z.boolean(),
  emergencyVisibleHours: z.number().optional(),
})

const simulation = {
  samples: z.number().int().min(100).max(100_000).optional().meta({ description: `Monte Carlo samples per option (default ${defaultSamples}).` }),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  now: isoDate.optional().meta({ description: 'Decision time (default: the server clock).' }),
}

const latencySource = z.union([
  z.strictObject({ kind: z.literal('history'), samples: z.number().int() }),
  z.strictObject({ kind: z.literal('prior'), prior: z.string() }),
])
const latencySummary = { source: latencySource, p10Hours: z.number(), medianHours: z.number(), p90Hours: z.number() }

export const riskAssessmentResponse = z.strictObject({
  version: z.literal(1),
  input: z.strictObject({
    severity: z.enum(severities),
    exposure: z.enum(exposures),
    discoveredAt: isoDate,
    now: isoDate,
    valueAtRiskUsd: z.number(),
    unpausableShare: z.number(),
    contained: z.boolean(),
    constraints: echoedConstraints,
    pauseCostUsdPerHour: z.number().optional(),
  }),
  samples: z.number().int(),
  seed: z.number().int(),
  hazardPerHour: z.strictObject(Object.fromEntries(exposures.map((exposure) => [exposure, z.number()]))),
  options: z.array(
    z.strictObject({
      id: z.string(),
      route: z.enum(routeNames),
      pauseFirst: z.boolean(),
      latency: z.strictObject({ ...latencySummary, fixedHours: z.number(), visibleHours: z.number() }),
      pauseLatency: z.strictObject(latencySummary).optional(),
      pExploit: z.number(),
      pExploitStdErr: z.number(),
      pExploitInterval95: z.array(z.number()).length(2).readonly(),
      expectedLossUsd: z.number(),
      expectedLossStdErr: z.number(),
      expectedPauseCostUsd: z.number(),
      expectedCostUsd: z.number(),
      medianExposureWindowHours: z.number(),
      closedForm: z.strictObject({ pExploit: z.number(), expectedLossUsd: z.number() }).optional(),
    }),
  ),
  recommendation: z.strictObject({
    optionId: z.string(),
    route: z.enum(routeNames),
    pauseFirst: z.boolean(),
    pExploit: z.number(),
    expectedLossUsd: z.number(),
    expectedCostUsd: z.number(),
    ranking: z.array(z.string()),
    runnerUp: z.strictObject({ optionId: z.string(), pExploit: z.number(), expectedLossUsd: z.number(), expectedCostUsd: z.number() }).optional(),
    withinNoise: z.boolean(),
    explanation: z.array(z.string()),
  }),
  chart: z.strictObject({
    unit: z.literal('hours'),
    startsAt: isoDate,
    hoursSinceDiscovery: z.number(),
    series: z.array(
      z.strictObject({
        id: z.string(),
        points: z.array(z.strictObject({ hours: z.number(), probability: z.number() })),
        release: z.strictObject({ p10Hours: z.number(), medianHours: z.number(), p90Hours: z.number() }),
      }),
    ),
  }),
})

/**
 * The risk model for one advisory: severity, discovery time and containment come from the
 * advisory (embargo applies: an advisory the caller may not see is 404), latency history from
 * the recorded releases; value at risk, the unpausable share and the governance constraints
 * from the body. Exposure defaults to `private` while embargoed, else `public`.
 */
export const assessAdvisoryRiskRoute = defineRoute({
  method: 'POST',
  url: '/advisories/:id/risk',
  summary: "Probability of exploit before release and expected loss per route option for this advisory, with the recommended route and chart data.",
  tag: 'risk',
  permission: 'advisory:read',
  params: advisoryParams,
  body: z.strictObject({
    exposure: z.enum(exposures).optional(),
    valueAtRiskUsd: z.number().min(0),
    unpausableShare: share,
    constraints,
    pauseCostUsdPerHour: z.number().min(0).optional(),
    ...simulation,
  }),
  response: z.strictObject({ advisoryId: z.string(), assessment: riskAssessmentResponse }),
  handler: async ({ params, body, actor, env }) => {
    const advisory = await getAdvisory(env.context, params.id, actor)
    const history = latencyHistoryFromStages((await getLatencyHistory(env.context, actor)).samples)
    const input: RiskInput = {
      severity: advisory.severity,
      exposure: body.exposure ?? (advisory.embargoed ? 'private' : 'public'),
      discoveredAt: advisory.discoveredAt.getTime(),
      now: body.now === undefined ? Date.now() : Date.parse(body.now),
      valueAtRiskUsd: body.valueAtRiskUsd,
      unpausableShare: body.unpausableShare,
      contained: advisory.containment === 'contained',
      history,
      constraints: stripUndefined(body.constraints),
      ...(body.pauseCostUsdPerHour === undefined ? {} : { pauseCostUsdPerHour: body.pauseCostUsdPerHour }),
    }
    const assessment = assessRisk(input, { ...(body.samples === undefined ? {} : { samples: body.samples }), ...(body.seed === undefined ? {} : { seed: body.seed }) })
    return { advisoryId: advisory.id, assessment }
  },
})

/** The risk model on explicit inputs (what-if analysis; no advisory needed). */
export const assessRiskRoute = defineRoute({
  method: 'POST',
  url: '/risk',
  summary: 'Probability of exploit before release and expected loss per route option for explicit inputs, with the recommended route and chart data.',
  tag: 'risk',
  permission: 'latency:read',
  body: z.strictObject({
    severity: z.enum(severities),
    exposure: z.enum(exposures),
    discoveredAt: isoDate,
    valueAtRiskUsd: z.number().min(0),
    unpausableShare: share,
    contained: z.boolean(),
    history: z.strictObject({ standard: z.array(hours).optional(), emergency: z.array(hours).optional(), private: z.array(hours).optional(), pause: z.array(hours).optional() }).optional(),
    constraints,
    pauseCostUsdPerHour: z.number().min(0).optional(),
    ...simulation,
  }),
  response: z.strictObject({ assessment: riskAssessmentResponse }),
  handler: async ({ body }) => {
    const { samples, seed, now, discoveredAt, constraints: given, history, pauseCostUsdPerHour, ...rest } = body
    const input: RiskInput = {
      ...rest,
      discoveredAt: Date.parse(discoveredAt),
      now: now === undefined ? Date.now() : Date.parse(now),
      constraints: stripUndefined(given),
      ...(history === undefined ? {} : { history: stripUndefined(history) }),
      ...(pauseCostUsdPerHour === undefined ? {} : { pauseCostUsdPerHour }),
    }
    return { assessment: assessRisk(input, { ...(samples === undefined ? {} : { samples }), ...(seed === undefined ? {} : { seed }) }) }
  },
})

const chainWindow = z.strictObject({
  chainId: z.number().int(),
  route: z.enum(routeNames),
  delaySeconds: z.number(),
  releaseHours: z.number(),
  pausedFromHours: z.number().nullable(),
  projected: z.boolean(),
})
const chainPrice = z.strictObject({ chainId: z.number().int(), windowHours: z.number(), openHours: z.number(), pausedHours: z.number(), pExploit: z.number(), expectedLossUsd: z.number(), openPremiumUsd: z.number() })
const windowPrice = z.strictObject({
  severity: z.enum(severities),
  hazardPerHour: z.number(),
  chains: z.array(chainPrice),
  windowHours: z.number(),
  pAnyExploit: z.number(),
  expectedLossUsd: z.number(),
  openPremiumUsd: z.number(),
  openChainIds: z.array(z.number().int()),
})
const pricedWindow = { chains: z.array(chainWindow), price: windowPrice }

/**
 * The multi-chain exposure window of a patch, priced: per chain the hours it runs the flawed code
 * while the fix is public elsewhere, whether it is paused meanwhile, and the probability and
 * expected loss of an exploit in that window — as planned (from the stored plans) and as executed
 * (from the release's block timestamps). Embargo applies (404 for a patch the caller may not see).
 */
export const priceMultiChainWindowRoute = defineRoute({
  method: 'POST',
  url: '/patches/:id/exposure-window',
  summary: 'The multi-chain exposure window of a patch (fix public on one chain, pending on another), per chain, planned and executed, with the probability and expected loss of an exploit in it.',
  tag: 'risk',
  permission: 'advisory:read',
  params: z.strictObject({ id: z.string().min(1).max(100) }),
  body: z.strictObject({
    chains: z
      .array(
        z.strictObject({
          chainId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
          valueAtRiskUsd: z.number().min(0).max(maxValueAtRiskUsd),
          unpausableShare: share,
          pauseAvailable: z.boolean().optional().meta({ description: "Whether the release pauses this chain before the fix is public; default: what the executed release did, else false." }),
        }),
      )
      .min(1)
      .max(64),
  }),
  response: z.strictObject({
    patchId: z.string(),
    severity: z.enum(severities),
    planned: z.strictObject(pricedWindow).nullable(),
    executed: z.strictObject({ ...pricedWindow, phase: z.enum(['scheduled', 'released']), disclosedAt: z.strictObject({ chainId: z.number().int(), timestamp: z.number() }) }).nullable(),
    unplanned: z.array(z.number().int()),
  }),
  handler: async ({ params, body, actor, env }) => priceMultiChainRelease(env.context, { patchId: params.id, actor, chains: body.chains.map((chain) => stripUndefined(chain)) }),
})

/** exactOptionalPropertyTypes: an optional member is absent, never `undefined`. */
function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as never
}
