import { BaseError } from '../errors/BaseError.js'

/** No token, or a token that is unknown or revoked. The token itself never appears in the message. */
export class UnauthenticatedError extends BaseError {
  override readonly name = 'UnauthenticatedError'
  constructor({ reason }: { reason: 'missing' | 'malformed' | 'unknown' }) {
    super(
      'BW_UNAUTHENTICATED',
      reason === 'missing'
        ? 'This route needs an API token: send "Authorization: Bearer <token>".'
        : reason === 'malformed'
          ? 'The Authorization header is not "Bearer <token>".'
          : 'The API token is unknown or has been revoked.',
    )
  }
}

/** A request field fails its schema; `field` is where (`body.title`, `params.id`, `querystring.limit`). */
export class InputInvalidError extends BaseError {
  override readonly name = 'InputInvalidError'
  readonly field: string
  constructor({ field, message }: { field: string; message: string }) {
    super('BW_INPUT_INVALID', `${field}: ${message}`, { metaMessages: [`Field: ${field}`] })
    this.field = field
  }
}

export class BodyTooLargeError extends BaseError {
  override readonly name = 'BodyTooLargeError'
  constructor({ limit }: { limit: number }) {
    super('BW_BODY_TOO_LARGE', `The request body is larger than the server's limit of ${limit} bytes.`)
  }
}

export class RateLimitedError extends BaseError {
  override readonly name = 'RateLimitedError'
  constructor({ max, retryAfterSeconds }: { max: number; retryAfterSeconds: number }) {
    super('BW_RATE_LIMITED', `Rate limit of ${max} requests per minute reached; retry in ${retryAfterSeconds} s.`)
  }
}

export class RouteNotFoundError extends BaseError {
  override readonly name = 'RouteNotFoundError'
  constructor({ method, url }: { method: string; url: string }) {
    // Only the path: a query string could carry anything the caller typed.
    super('BW_ROUTE_NOT_FOUND', `No API route ${method} ${url.split('?')[0] ?? ''}.`)
  }
}

export class TokenNotFoundError extends BaseError {
  override readonly name = 'TokenNotFoundError'
  constructor({ id }: { id: number | string }) {
    super('BW_TOKEN_NOT_FOUND', `No active API token with id ${id}.`)
  }
}

export class ServerOptionsInvalidError extends BaseError {
  override readonly name = 'ServerOptionsInvalidError'
  constructor({ option, message }: { option: string; message: string }) {
    super('BW_SERVER_OPTIONS_INVALID', `Server option ${option}: ${message}`)
  }
}
