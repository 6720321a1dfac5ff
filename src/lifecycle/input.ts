import { getAddress, isAddress } from 'viem'
import { z } from 'zod'
import { LifecycleInputError } from './errors.js'

/** Validates an operation's input; the first problem becomes BW_INPUT_INVALID naming its field path. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  throw new LifecycleInputError({ field: formatPath(issue?.path ?? []) || '(input)', message: issue?.message ?? 'is invalid' })
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '')
}

export const addressSchema = z
  .string()
  .refine((value) => isAddress(value, { strict: false }), { message: 'is not a 20-byte hex address' })
  .transform((value) => getAddress(value))

export const hexSchema = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2})*$/, { message: 'is not 0x-prefixed hex bytes' })
  .transform((value) => value.toLowerCase() as `0x${string}`)

export const dateSchema = z.union([z.date(), z.string()]).transform((value, ctx) => {
  const date = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(date.getTime()) || (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}/.test(value))) {
    ctx.addIssue({ code: 'custom', message: 'is not an ISO-8601 date-time' })
    return z.NEVER
  }
  return date
})

export const evidenceSchema = z
  .object({
    note: z.string().max(10_000).optional(),
    links: z.array(z.string().min(1).max(2_000)).max(50).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .optional()
  .transform((value) => {
    const evidence: { note?: string; links?: string[]; data?: Record<string, unknown> } = {}
    if (value?.note !== undefined) evidence.note = value.note
    if (value?.links !== undefined) evidence.links = value.links
    if (value?.data !== undefined) evidence.data = value.data
    return evidence
  })

/** An actor id: what approvals are unique by, and what embargo clearance lists. */
export const actorIdSchema = z.string().min(1).max(200)
