import { errorCodes, type ErrorCode } from './codes.js'

export type BaseErrorParameters = {
  /** Extra lines shown under the message: context such as the field path or the RPC call. */
  metaMessages?: readonly string[] | undefined
  /** The underlying detail (a compiler line, an RPC error text), already free of secrets. */
  details?: string | undefined
  cause?: unknown
}

/**
 * The one base class for every failure Bulwark reports. Each failure is a subclass with a
 * literal `name` and a stable `code` from `codes.ts`; callers switch on `code`, never on text.
 */
export abstract class BaseError extends Error {
  abstract override readonly name: string
  readonly code: ErrorCode
  readonly shortMessage: string
  readonly details: string | undefined
  readonly metaMessages: readonly string[]

  constructor(code: ErrorCode, shortMessage: string, parameters: BaseErrorParameters = {}) {
    const metaMessages = parameters.metaMessages ?? []
    const message = [
      shortMessage,
      ...(metaMessages.length > 0 ? ['', ...metaMessages] : []),
      ...(parameters.details ? ['', `Details: ${parameters.details}`] : []),
    ].join('\n')
    super(message, parameters.cause === undefined ? undefined : { cause: parameters.cause })
    this.code = code
    this.shortMessage = shortMessage
    this.details = parameters.details
    this.metaMessages = metaMessages
  }

  get exitCode(): number {
    return errorCodes[this.code].exit
  }

  get httpStatus(): number {
    return errorCodes[this.code].http
  }

  /** The stable shape printed by `--json` and returned by the HTTP API. */
  toJSON(): { code: ErrorCode; name: string; message: string; details?: string; meta?: readonly string[] } {
    return {
      code: this.code,
      name: this.name,
      message: this.shortMessage,
      ...(this.details ? { details: this.details } : {}),
      ...(this.metaMessages.length > 0 ? { meta: this.metaMessages } : {}),
    }
  }
}

/** Wraps anything that is not a BaseError so the CLI and server still answer with a code. */
export class InternalError extends BaseError {
  override readonly name = 'InternalError'
  constructor(cause: unknown) {
    super('BW_INTERNAL', 'An unexpected error occurred inside Bulwark.', {
      details: redactSecrets(cause instanceof Error ? cause.message : String(cause)),
      cause,
    })
  }
}

export function toBaseError(error: unknown): BaseError {
  return error instanceof BaseError ? error : new InternalError(error)
}

/**
 * Removes credentials from text that may contain RPC or database URLs: userinfo
 * (`user:pass@`), and query parameters or path segments that look like API keys.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1***@')
    .replace(/([?&](?:key|apikey|api_key|token|access_token|secret|password)=)[^&\s]+/gi, '$1***')
    .replace(/(\/v\d+\/)[A-Za-z0-9_-]{20,}/g, '$1***')
    .replace(/0x[0-9a-fA-F]{64}(?![0-9a-fA-F])/g, (match, offset: number, whole: string) =>
      // A 32-byte hex right after "key"/"private" is a private key; hashes elsewhere are kept.
      /(?:private|key|secret)[^\n]{0,20}$/i.test(whole.slice(Math.max(0, offset - 24), offset)) ? '0x***' : match,
    )
}
