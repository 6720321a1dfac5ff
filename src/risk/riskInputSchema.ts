import { z } from 'zod'
import { RiskInputInvalidError } from './errors.js'
import { exposures, routeNames, severities, type RiskInput, type SimulationOptions } from './model.js'

const hours = z.number().finite().nonnegative()
const durations = z.array(hours)

const constraintsSchema = z.strictObject({
  routes: z
    .array(z.enum(routeNames))
    .min(1, 'must allow at least one route')
    .refine((routes) => new Set(routes).size === routes.length, { message: 'names a route twice' }),
  timelockDelayHours: hours,
  pauseAvailable: z.boolean(),
  emergencyVisibleHours: hours.optional(),
})

export const riskInputSchema = z
  .strictObject({
    severity: z.enum(severities),
    exposure: z.enum(exposures),
    discoveredAt: z.number().finite(),
    now: z.number().finite(),
    valueAtRiskUsd: z.number().finite().nonnegative(),
    unpausableShare: z.number().min(0).max(1),
    contained: z.boolean(),
    history: z.strictObject({ standard: durations.optional(), emergency: durations.optional(), private: durations.optional(), pause: durations.optional() }).optional(),
    constraints: constraintsSchema,
    pauseCostUsdPerHour: z.number().finite().nonnegative().optional(),
  })
  .refine((input) => input.now >= input.discoveredAt, { message: 'is before discoveredAt', path: ['now'] })

export const simulationOptionsSchema = z.strictObject({
  samples: z.number().int().min(100, 'must be at least 100').max(1_000_000, 'must be at most 1,000,000').optional(),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  chartPoints: z.number().int().min(2).max(1000).optional(),
})

/** Validates a RiskInput (for inputs that come from flags, files or the API); every problem is named by its path. */
export function parseRiskInput(input: unknown): RiskInput {
  return parseWith(riskInputSchema, input, '') as RiskInput
}

export function parseSimulationOptions(options: unknown): SimulationOptions {
  return parseWith(simulationOptionsSchema, options, 'options.') as SimulationOptions
}

/** Parses `value` with a risk schema: every problem named by its path (after `prefix`), as BW_RISK_INPUT_INVALID. */
export function parseWith(schema: z.ZodType, value: unknown, prefix: string): unknown {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  throw new RiskInputInvalidError({
    issues: result.error.issues.map((issue) => ({ path: prefix + formatPath(issue.path) || '(root)', message: issue.message })),
  })
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : out === '' ? String(segment) : `.${String(segment)}`
  return out
}
