import { BaseError, InternalError } from '../errors/BaseError.js'
import type { ErrorResponse } from './schemas.js'
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
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new BodyTooLargeError({ limit: bodyLimit })
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new InputInvalidError({ field: 'body', message: 'is not valid JSON' })
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new InputInvalidError({ field: 'content-type', message: 'must be application/json' })
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
