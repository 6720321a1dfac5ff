import { z } from 'zod'
import { ServerOptionsInvalidError } from './errors.js'

export type ServerOptions = Readonly<{
  bodyLimit: number
  rateLimitPerMinute: number
  tokenCacheMs: number
  readCacheEntries: number
  eventsPollMs: number
  eventsHeartbeatMs: number
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
}>

/** Every server option and its default, in one place. The resolved options are frozen. */
export const serverDefaults: ServerOptions = Object.freeze({
  /** Largest accepted request body, in bytes. */
  bodyLimit: 64 * 1024,
  /** Requests per token (or per client address without a token) per minute. */
  rateLimitPerMinute: 600,
  /** How long a verified token is trusted without a database read, in milliseconds (revoking through the API clears it at once). */
  tokenCacheMs: 2_000,
  /** Read answers (advisory and patch lists and records) kept, in entries; each is revalidated against the audit log's head on every request, 0 turns the cache off. */
  readCacheEntries: 1_000,
  /** How often `GET /events` looks for new transitions in the audit log, in milliseconds. */
  eventsPollMs: 1_000,
  /** Interval of SSE keep-alive comments, in milliseconds. */
  eventsHeartbeatMs: 15_000,
  /** pino log level; 'silent' turns logging off. */
  logLevel: 'info',
})

export type ServerOptionsInput = { [K in keyof ServerOptions]?: ServerOptions[K] | undefined }

const optionsSchema = z
  .object({
    bodyLimit: z.number().int().min(1024).max(64 * 1024 * 1024),
    rateLimitPerMinute: z.number().int().min(1).max(10_000_000),
    tokenCacheMs: z.number().int().min(0).max(60_000),
    readCacheEntries: z.number().int().min(0).max(1_000_000),
    eventsPollMs: z.number().int().min(10).max(60_000),
    eventsHeartbeatMs: z.number().int().min(100).max(600_000),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  })
  .strict()

/** Validates the given options once, fills in the defaults and freezes the result. */
export function resolveServerOptions(input: ServerOptionsInput = {}): ServerOptions {
  const given = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined))
  const parsed = optionsSchema.safeParse({ ...serverDefaults, ...given })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ServerOptionsInvalidError({ option: issue?.path.join('.') || '(options)', message: issue?.message ?? 'invalid' })
  }
  return Object.freeze(parsed.data)
}
