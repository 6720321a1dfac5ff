import { readFile } from 'node:fs/promises'
import { getAddress, isAddress, toFunctionSelector, type Hex } from 'viem'
import { z } from 'zod'
import { defaultRiskConfig, type Incident, type RiskConfig } from './risk.js'
import { MonitorPolicyInvalidError } from './responders/errors.js'
import { severities } from './types.js'

const addressSchema = z
  .string()
  .refine((value) => isAddress(value, { strict: false }), { message: 'is not a 20-byte hex address' })
  .transform((value) => getAddress(value))

/** A 4-byte selector (`0x2e1a7d4d`) or a function signature (`withdraw(uint256)`). */
const selectorSchema = z
  .string()
  .min(1)
  .transform((value, ctx) => {
    if (/^0x[0-9a-fA-F]{8}$/.test(value)) return value.toLowerCase() as Hex
    if (/^[A-Za-z_$][A-Za-z0-9_$]*\(.*\)$/.test(value)) return toFunctionSelector(value)
    ctx.addIssue({ code: 'custom', message: 'is neither a 4-byte selector nor a function signature' })
    return z.NEVER
  })

/** One response a policy rule may order. The field names are the documented policy file format (docs/monitor.md). */
export const responseSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('notify') }),
  z.strictObject({
    kind: z.literal('pause'),
    /** `seal`: the EmergencyPauseSeal's one-shot `seal(targets, duration)`; `pauser`: each target's `pauseFor(duration)`. */
    via: z.enum(['seal', 'pauser']).default('seal'),
    seal: addressSchema.optional(),
    targets: z.array(addressSchema).min(1),
    /** Seconds. */
    duration: z.number().int().min(1).max(365 * 24 * 3600),
  }),
  z
    .strictObject({
      kind: z.literal('partial-lockdown'),
      /** A contract inheriting PartialPausableUpgradeable exposing pauseSelector/pauseAsset to the responder. */
      contract: addressSchema,
      selectors: z.array(selectorSchema).default([]),
      assets: z.array(addressSchema).default([]),
    })
    .refine((value) => value.selectors.length + value.assets.length > 0, { message: 'names no selector and no asset' }),
  z.strictObject({
    kind: z.literal('circuit-breaker'),
    /** The CircuitBreaker (owned by the responder key): the rule is tightened to 1 wei per window, which stops outflows. */
    breaker: addressSchema,
    protectedContract: addressSchema,
    asset: addressSchema,
  }),
])

export const policySchema = z.strictObject({
  /** Findings about the same target within this many seconds (chain time) are one incident. */
  windowSeconds: z.number().int().min(1).max(7 * 24 * 3600).default(defaultRiskConfig.windowSeconds),
  severityScores: z
    .strictObject(Object.fromEntries(severities.map((severity) => [severity, z.number().int().min(0).max(100).optional()])) as Record<(typeof severities)[number], z.ZodOptional<z.ZodNumber>>)
    .default({}),
  corroborationBonus: z.number().int().min(0).max(100).default(defaultRiskConfig.corroborationBonus),
  /** Checked in order; the first rule whose `minScore` is reached (and whose `detectors`, if given, include one that fired) decides. */
  rules: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(100).optional(),
        minScore: z.number().int().min(0).max(100),
        detectors: z.array(z.string().min(1)).min(1).optional(),
        respond: z.array(responseSchema).min(1),
      }),
    )
    .min(1),
})

export type Policy = z.output<typeof policySchema>
export type PolicyInput = z.input<typeof policySchema>
export type PolicyResponse = z.output<typeof responseSchema>
export type PolicyRule = Policy['rules'][number]

/** Validates a policy; the first problem becomes BW_MONITOR_POLICY_INVALID naming its field path. */
export function parsePolicy(input: unknown, source?: string): Policy {
  const result = policySchema.safeParse(input)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const field = (issue?.path ?? []).reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '')
  throw new MonitorPolicyInvalidError({ field: field || '(policy)', message: issue?.message ?? 'is invalid', source })
}

/** Reads and validates a policy JSON file. */
export async function loadPolicy(file: string): Promise<Policy> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new MonitorPolicyInvalidError({ field: '(file)', message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, source: file })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new MonitorPolicyInvalidError({ field: '(file)', message: 'is not valid JSON', source: file })
  }
  return parsePolicy(json, file)
}

export function riskConfigOf(policy: Policy): RiskConfig {
  const severityScores = { ...defaultRiskConfig.severityScores }
  for (const severity of severities) {
    const score = policy.severityScores[severity]
    if (score !== undefined) severityScores[severity] = score
  }
  return { windowSeconds: policy.windowSeconds, severityScores, corroborationBonus: policy.corroborationBonus }
}

/** The rule that decides an incident, or undefined when no rule's threshold is reached (the alert is only printed). */
export function selectRule(policy: Policy, incident: Pick<Incident, 'score' | 'detectors'>): PolicyRule | undefined {
  return policy.rules.find((rule) => incident.score >= rule.minScore && (!rule.detectors || rule.detectors.some((id) => incident.detectors.includes(id))))
}

/** A stable name of one response, the idempotency key beside the incident (one pause per incident, not ten). */
export function responseKey(response: PolicyResponse): string {
  switch (response.kind) {
    case 'notify':
      return 'notify'
    case 'pause':
      return `pause:${response.via}:${(response.seal ?? '').toLowerCase()}:${response.targets.map((target) => target.toLowerCase()).join(',')}`
    case 'partial-lockdown':
      return `partial-lockdown:${response.contract.toLowerCase()}:${response.selectors.join(',')}:${response.assets.map((asset) => asset.toLowerCase()).join(',')}`
    case 'circuit-breaker':
      return `circuit-breaker:${response.breaker.toLowerCase()}:${response.protectedContract.toLowerCase()}:${response.asset.toLowerCase()}`
  }
}

