import { BaseError } from '../../errors/BaseError.js'

/** The response policy is not valid JSON or fails its schema; `field` is the path of the first problem. */
export class MonitorPolicyInvalidError extends BaseError {
  override readonly name = 'MonitorPolicyInvalidError' as const
  constructor({ field, message, source }: { field: string; message: string; source?: string | undefined }) {
    super('BW_MONITOR_POLICY_INVALID', `Monitor policy${source ? ` ${source}` : ''}: ${field} ${message}.`)
  }
}

/** The responder key reference is malformed or does not resolve to a private key. Never carries the key. */
export class ResponderKeyInvalidError extends BaseError {
  override readonly name = 'ResponderKeyInvalidError' as const
  constructor({ reason }: { reason: string }) {
    super('BW_RESPONDER_KEY_INVALID', `Responder key: ${reason}`, { metaMessages: ['Pass --key env:VAR, where VAR holds a 0x-prefixed 32-byte hex private key.'] })
  }
}

/** A response transaction could not be sent, or it reverted. */
export class ResponseFailedError extends BaseError {
  override readonly name = 'ResponseFailedError' as const
  constructor({ response, reason, cause }: { response: string; reason: string; cause?: unknown }) {
    super('BW_RESPONSE_FAILED', `Response ${response} failed: ${reason}`, { cause })
  }
}
