import { z } from 'zod'
import { errorCodes } from '../errors/codes.js'
import { advisoryStatuses, approvalKinds, containmentStatuses, machines, patchRoutes, patchStatuses, roles, severities } from '../lifecycle/types.js'

/** An instant, as ISO 8601 text in UTC. */
export const isoDate = z.string().meta({ format: 'date-time' })

/** The one error shape of every route: `{ error: { code, name, message, … } }`. */
export const errorResponse = z.strictObject({
  error: z.strictObject({
    code: z.enum(Object.keys(errorCodes) as [keyof typeof errorCodes, ...(keyof typeof errorCodes)[]]),
    name: z.string(),
    message: z.string(),
    details: z.string().optional(),
    meta: z.array(z.string()).optional(),
    /** The request field at fault (`body.title`), for BW_INPUT_INVALID. */
    field: z.string().optional(),
  }),
})
export type ErrorResponse = z.input<typeof errorResponse>

/**
 * Converts a zod schema to the JSON Schema (draft-07) that Fastify validates and serializes with and
 * that @fastify/swagger publishes. Request schemas are converted on their input side, responses
 * on their output side.
 */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  // Fastify's Ajv takes the draft from its own options, not from `$schema`.
  return Object.fromEntries(Object.entries(z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' })).filter(([key]) => key !== '$schema'))
}

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/)
const actor = z.strictObject({ id: z.string(), roles: z.array(z.enum(roles)) })

export const advisoryResponse = z.strictObject({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  severity: z.enum(severities),
  status: z.enum(advisoryStatuses),
  containment: z.enum(containmentStatuses),
  affectedContracts: z.array(z.strictObject({ address: hex, chain: z.string().optional(), name: z.string().optional() })),
  reporter: z.string(),
  discoveredAt: isoDate,
  reportedAt: isoDate,
  embargoed: z.boolean(),
  clearedActors: z.array(z.string()),
  alertIds: z.array(z.string()),
  updatedAt: isoDate,
})

export const evidenceResponse = z.strictObject({
  note: z.string().optional(),
  links: z.array(z.string()).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
})

export const transitionResponse = z.strictObject({
  id: z.number().int(),
  machine: z.enum(machines),
  subjectId: z.string(),
  advisoryId: z.string(),
  from: z.string().nullable(),
  to: z.string(),
  at: isoDate,
  actor,
  evidence: evidenceResponse,
  /** Present when an admin forced this move without its evidence: the reason given. */
  override: z.string().optional(),
  auditSeq: z.number().int(),
})

export const approvalResponse = z.strictObject({
  patchId: z.string(),
  signer: z.string(),
  kind: z.enum(approvalKinds),
  at: isoDate,
  digest: hex.optional(),
  signature: hex.optional(),
  note: z.string().optional(),
  auditSeq: z.number().int(),
})

export const patchResponse = z.strictObject({
  id: z.string(),
  advisoryId: z.string(),
  title: z.string(),
  status: z.enum(patchStatuses),
  route: z.enum(patchRoutes),
  targets: z.array(z.strictObject({ proxy: hex, newImplementation: hex, chain: z.string().optional(), call: hex.optional() })),
  requiredApprovals: z.number().int(),
  approvals: z.array(approvalResponse),
  reportHash: hex.nullable(),
  chainId: z.number().int().nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
})

export const apiTokenResponse = z.strictObject({
  id: z.number().int(),
  label: z.string(),
  roles: z.array(z.enum(roles)),
  createdAt: isoDate,
  lastUsedAt: isoDate.nullable(),
})

/** Dates become ISO text, everything else is already JSON. */
export function toJsonValue<T>(value: T): Jsonified<T> {
  return JSON.parse(JSON.stringify(value)) as Jsonified<T>
}

export type Jsonified<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? Jsonified<U>[]
    : T extends object
      ? { [K in keyof T]: Jsonified<T[K]> }
      : T
