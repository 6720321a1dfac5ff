import { BaseError, InternalError } from '../errors/BaseError.js'
import type { ErrorResponse } from './schemas.js'
import { StoreError } from '../store/errors.js'
import { BodyTooLargeError, InputInvalidError } from './errors.js'

type FastifyLikeError = Error & {
  code?: string
  statusCode?: number
  validation?: { instancePath?: string; keyword?: string; params?: Record<string, unknown>; message?: string }[]
  validationContext?: string
}

/** Maps whatever a route or Fastify threw to the BaseError the client sees (never a stack, never a token). */
export function toHttpError(error: unknown, { bodyLimit }: { bodyLimit: number }): BaseError {
  if (error instanceof BaseError) return error
  const failure = error as FastifyLikeError
  if (Array.isArray(failure.validation) && failure.validation.length > 0) {
    const [first] = failure.validation
    return new InputInvalidError({ field: fieldOf(failure.validationContext ?? 'body', first!), message: first!.message ?? 'is invalid' })
  }
  switch (failure.code) {
    case 'FST_ERR_BAD_URL':
      return new InputInvalidError({ field: 'url', message: 'is not a valid URL (malformed percent-encoding or not UTF-8)' })
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new InputInvalidError({ field: 'params', message: 'a path parameter is too long' })
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return new InputInvalidError({ field: 'request', message: 'matches no route constraint' })
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new BodyTooLargeError({ limit: bodyLimit })
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new InputInvalidError({ field: 'body', message: 'is not valid JSON' })
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new InputInvalidError({ field: 'content-type', message: 'must be application/json' })
  }
  // Last line of defence: PostgreSQL refusing a value as data (class 22: bad text encoding, a number out of
  // range, invalid syntax for its type) is the caller's input, not a failure of the server.
  if (error instanceof StoreError && /^22[0-9A-Z]{3}$/.test(String((error.cause as { code?: unknown } | undefined)?.code ?? ''))) {
    return new InputInvalidError({ field: 'request', message: `holds a value the database cannot store (${error.details ?? 'data exception'})` })
  }
  if (typeof failure.statusCode === 'number' && failure.statusCode >= 400 && failure.statusCode < 500) {
    return new InputInvalidError({ field: 'request', message: failure.message })
  }
  return new InternalError(error)
}

/** `body.affectedContracts[0].address`, from Ajv's `/affectedContracts/0/address`. */
function fieldOf(context: string, issue: { instancePath?: string; keyword?: string; params?: Record<string, unknown> }): string {
  let field = context
  for (const part of (issue.instancePath ?? '').split('/').slice(1)) field += /^\d+$/.test(part) ? `[${part}]` : `.${part.replace(/~1/g, '/').replace(/~0/g, '~')}`
  const extra = issue.params?.missingProperty ?? issue.params?.additionalProperty
  if (typeof extra === 'string') field += `.${extra}`
  return field
}

export function errorBody(error: BaseError): ErrorResponse {
  const json = error.toJSON()
  const field = (error as { field?: unknown }).field
  return { error: { ...json, meta: json.meta ? [...json.meta] : undefined, ...(typeof field === 'string' ? { field } : {}) } } as ErrorResponse
}

/**
 * The first value in a request part that cannot be stored or computed with: a string holding NUL or
 * a lone UTF-16 surrogate (PostgreSQL text refuses both), or a number that is not finite (`1e999`
 * parses as Infinity). Returns the field (`body.evidence.note`) and why, or undefined.
 */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

export function findUnstorableValue(value: unknown, field: string, depth = 0): { field: string; message: string } | undefined {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { field, message: 'must not contain NUL characters' }
    if (loneSurrogate.test(value)) return { field, message: 'must be valid Unicode (a lone surrogate was sent)' }
    return undefined
  }
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { field, message: 'must be a finite number' }
  if (value === null || typeof value !== 'object' || depth > 64) return undefined
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const problem = findUnstorableValue(item, `${field}[${index}]`, depth + 1)
      if (problem) return problem
    }
    return undefined
  }
  for (const [key, member] of Object.entries(value)) {
    const keyProblem = findUnstorableValue(key, `${field} key`, depth + 1)
    if (keyProblem) return keyProblem
    const problem = findUnstorableValue(member, `${field}.${key}`, depth + 1)
    if (problem) return problem
  }
  return undefined
}
