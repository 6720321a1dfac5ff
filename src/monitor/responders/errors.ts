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

/**
 * A configured response would not land if ordered now: simulated as the responder against the
 * latest block, a call reverts (wrong role, wrong signature, wrong target) or the keys cannot send it
 * (a Safe threshold they do not meet, no ETH for gas). The monitor refuses to start armed with it.
 */
export class ResponseNotArmedError extends BaseError {
  override readonly name = 'ResponseNotArmedError' as const
  constructor({ rule, label, target, fn, sender, block, reason, others }: { rule: string; label: string; target?: string | undefined; fn?: string | undefined; sender: string; block: string; reason: string; others: readonly string[] }) {
    const what = target && fn ? `${target}.${fn} would revert when sent by ${sender}` : `it cannot be sent by ${sender}`
    super('BW_RESPONSE_NOT_ARMED', `Response "${label}" of rule "${rule}" is not armed: ${what}: ${reason} (simulated at block ${block}).`, {
      metaMessages: [
        ...(others.length > 0 ? ['Also not armed:', ...others.map((line) => `  ${line}`)] : []),
        'Grant the responder the role the call needs, fix the function or target in the policy, or run with --dry-run to decide without sending.',
        '`bulwark monitor check --policy FILE --key env:VAR` checks every response without starting the monitor.',
      ],
    })
  }
}
