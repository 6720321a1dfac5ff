import { readFile } from 'node:fs/promises'
import { encodeFunctionData, getAddress, isAddress, parseAbiItem, toFunctionSelector, toFunctionSignature, type Abi, type AbiFunction, type AbiParameter, type Address, type Hex } from 'viem'
import { z } from 'zod'
import { defaultRiskConfig, type Incident, type RiskConfig } from './risk.js'
import { CallArgumentError, coerceArgs, coerceValue, parseFunction } from './responders/encodeCallArgs.js'
import { MonitorPolicyInvalidError } from './responders/errors.js'
import { severities, type DetectorFinding } from './types.js'

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

type AbiError = Extract<Abi[number], { type: 'error' }>

/** Wei: a JSON number up to 2^53 or a decimal string. */
const weiSchema = z.union([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.string().regex(/^\d+$/, 'must be a decimal string of wei')]).transform((value) => BigInt(value))

/** Custom errors a revert is decoded with: `error Unauthorized(address)` signatures or JSON ABI error fragments. */
const errorsSchema = z
  .array(z.union([z.string().min(1), z.record(z.string(), z.unknown())]))
  .default([])
  .transform((items, ctx): AbiError[] => {
    const errors: AbiError[] = []
    for (const [index, item] of items.entries()) {
      try {
        const parsed = typeof item === 'string' ? parseAbiItem(item.trim().startsWith('error ') ? item.trim() : `error ${item.trim()}`) : (item as unknown as AbiError)
        if (parsed.type !== 'error' || typeof parsed.name !== 'string' || !Array.isArray(parsed.inputs)) throw new Error('not an error')
        errors.push(parsed)
      } catch {
        ctx.addIssue({ code: 'custom', path: [index], message: 'is neither an error signature (`error Unauthorized(address)`) nor a JSON ABI error fragment' })
      }
    }
    return errors
  })

/**
 * Skips a call when a view already answers the wanted state (`paused()` equals true): a response
 * to an incident that is already contained counts as armed and sends nothing.
 */
const guardSchema = z
  .strictObject({
    /** The view: `paused()`, `function getPausedState() view returns (bool,uint256,uint256)`, or a JSON ABI fragment. */
    call: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
    /** Default: the call's own target. */
    target: addressSchema.optional(),
    args: z.array(z.unknown()).default([]),
    /** ABI type of the (first) return value compared; default: the fragment's first output, else inferred from `equals`. */
    returns: z.string().regex(/^[a-z0-9]+(\[\d*\])*$/).optional(),
    equals: z.union([z.boolean(), z.number(), z.string()]),
  })
  .transform((guard, ctx) => {
    try {
      const fn = parseFunction(guard.call)
      const args = coerceArgs(fn, guard.args)
      const returns = guard.returns ?? fn.outputs[0]?.type ?? inferType(guard.equals)
      const output: AbiParameter = { type: returns }
      return { target: guard.target, function: fn, signature: toFunctionSignature(fn), data: encodeFunctionData({ abi: [fn], args }), returns: output, equals: coerceValue(output, guard.equals) }
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: error instanceof CallArgumentError && error.path.length > 0 ? ['args', ...error.path] : ['call'], message: error instanceof Error ? error.message : String(error) })
      return z.NEVER
    }
  })

/** One call of a `contract-call` response: target, function, JSON arguments, optional value and guard. */
const contractCallSchema = z
  .strictObject({
    target: addressSchema,
    /** `setPoolPause(bool)`, `function pause()`, or a JSON ABI function fragment. */
    function: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
    /** JSON arguments; integers above 2^53 as decimal strings; `{ "keccak256": "PAUSER_ROLE" }` for a role id. */
    args: z.array(z.unknown()).default([]),
    /** Wei sent with the call. */
    value: weiSchema.optional(),
    skipIf: guardSchema.optional(),
    errors: errorsSchema,
  })
  .transform((call, ctx) => {
    let fn: AbiFunction
    let args: unknown[]
    try {
      fn = parseFunction(call.function)
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['function'], message: error instanceof Error ? error.message : String(error) })
      return z.NEVER
    }
    try {
      args = coerceArgs(fn, call.args)
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['args', ...(error instanceof CallArgumentError ? error.path : [])], message: error instanceof Error ? error.message : String(error) })
      return z.NEVER
    }
    let data: Hex
    try {
      data = encodeFunctionData({ abi: [fn], args })
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['args'], message: `cannot be encoded for ${toFunctionSignature(fn)} (${((error as { shortMessage?: string }).shortMessage ?? String(error)).split('\n')[0]})` })
      return z.NEVER
    }
    return { target: call.target, function: fn, signature: toFunctionSignature(fn), data, value: call.value ?? 0n, skipIf: call.skipIf, errors: call.errors as Abi }
  })

/** How a response ranks when a finding asks for more than its incident already got. */
export const responseStrengths = ['notify', 'partial-lockdown', 'circuit-breaker', 'pause'] as const
export type ResponseStrength = (typeof responseStrengths)[number]

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
  z
    .strictObject({
      kind: z.literal('contract-call'),
      /** A label for logs, alerts and the response's key. */
      name: z.string().min(1).max(100).optional(),
      /** `responder`: the responder key sends each call; `safe`: each call is a Safe transaction the responder key(s) sign and execute. */
      via: z.enum(['responder', 'safe']).default('responder'),
      safe: addressSchema.optional(),
      /** What the calls amount to, for escalation and the alert's `response.kind` (default pause). */
      strength: z.enum(responseStrengths).default('pause'),
      calls: z.array(contractCallSchema).min(1).max(20),
    })
    .refine((value) => (value.via === 'safe') === (value.safe !== undefined), { message: 'names `safe` exactly when `via` is "safe"' }),
])

export const policySchema = z.strictObject({
  /** Findings about the same target within this many seconds (chain time) are one incident. */
  windowSeconds: z.number().int().min(1).max(7 * 24 * 3600).default(defaultRiskConfig.windowSeconds),
  /** An incident takes no finding more than this many seconds (chain time) after its first one: a stream of benign findings cannot hold it open. */
  incidentMaxSeconds: z.number().int().min(1).max(30 * 24 * 3600).default(defaultRiskConfig.incidentMaxSeconds),
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
export type ContractCallResponse = Extract<PolicyResponse, { kind: 'contract-call' }>
export type PolicyContractCall = ContractCallResponse['calls'][number]

function inferType(value: boolean | number | string): string {
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return 'uint256'
  if (isAddress(value, { strict: false })) return 'address'
  if (/^0x[0-9a-fA-F]{64}$/.test(value)) return 'bytes32'
  if (/^-?\d+$/.test(value)) return 'uint256'
  return 'string'
}

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
  return { windowSeconds: policy.windowSeconds, incidentMaxSeconds: policy.incidentMaxSeconds, severityScores, corroborationBonus: policy.corroborationBonus }
}

/**
 * The rule that decides a finding, or undefined when no rule's threshold is reached (the alert is
 * only printed). The incident's score is compared with `minScore`; a rule's `detectors` list is
 * matched against the finding at hand when one is given (else against every detector of the
 * incident): a rule written for a benign detector that fired earlier in the incident must not
 * decide the attack's finding that joins it.
 */
export function selectRule(policy: Policy, incident: Pick<Incident, 'score' | 'detectors'>, finding?: Pick<DetectorFinding, 'detector'>): PolicyRule | undefined {
  const fired = finding ? [finding.detector] : incident.detectors
  return policy.rules.find((rule) => incident.score >= rule.minScore && (!rule.detectors || rule.detectors.some((id) => fired.includes(id))))
}

/** What a response amounts to: a contract call says so itself (default pause). */
export function strengthOf(response: PolicyResponse): ResponseStrength {
  return response.kind === 'contract-call' ? response.strength : response.kind
}

/** Rank of a strength: notify < partial-lockdown < circuit-breaker < pause. */
export function rankOf(strength: ResponseStrength | 'none'): number {
  return strength === 'none' ? 0 : responseStrengths.indexOf(strength) + 1
}

/** The calls of a contract-call response as one line: `0xPool….setPoolPause(bool)`. */
export function describeContractCall(call: { target: Address; signature: string }): string {
  return `${call.target}.${call.signature}`
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
    case 'contract-call':
      return `contract-call:${response.via}:${(response.safe ?? '').toLowerCase()}:${response.calls.map((call) => `${call.target.toLowerCase()}.${call.data}${call.value > 0n ? `+${call.value}` : ''}`).join(',')}`
  }
}

