import { BaseError } from '../errors/BaseError.js'

/** A transition the state machine does not allow from the current state. */
export class TransitionIllegalError extends BaseError {
  override readonly name = 'TransitionIllegalError'
  readonly current: string
  readonly requested: string
  readonly allowed: readonly string[]
  constructor({ subject, current, requested, allowed, hint }: { subject: string; current: string; requested: string; allowed: readonly string[]; hint?: string }) {
    super(
      'BW_TRANSITION_ILLEGAL',
      `${subject} is ${current}; it cannot move to ${requested}. Allowed next: ${allowed.length > 0 ? allowed.join(', ') : 'none (final state)'}.`,
      hint ? { metaMessages: [hint] } : {},
    )
    this.current = current
    this.requested = requested
    this.allowed = allowed
  }
}

/** Absent, or embargoed and the actor is not cleared: the two are indistinguishable on purpose. */
export class AdvisoryNotFoundError extends BaseError {
  override readonly name = 'AdvisoryNotFoundError'
  constructor({ id }: { id: string }) {
    super('BW_ADVISORY_NOT_FOUND', `No advisory ${id}.`)
  }
}

export class PatchNotFoundError extends BaseError {
  override readonly name = 'PatchNotFoundError'
  constructor({ id }: { id: string }) {
    super('BW_PATCH_NOT_FOUND', `No patch ${id}.`)
  }
}

/** The actor's roles do not allow the operation (same code as the server's route check). */
export class ForbiddenError extends BaseError {
  override readonly name = 'ForbiddenError'
  constructor({ permission, roles }: { permission: string; roles: readonly string[] }) {
    super('BW_FORBIDDEN', `The roles ${roles.length > 0 ? roles.join(', ') : '(none)'} do not allow "${permission}".`)
  }
}

/** Another change got there first: the state is not what the caller expected, or a unique fact already exists. */
export class ConflictError extends BaseError {
  override readonly name = 'ConflictError'
  constructor({ message }: { message: string }) {
    super('BW_CONFLICT', message)
  }
}

/** A field of an operation's input is malformed; `field` is its path (`targets[0].proxy`). */
export class LifecycleInputError extends BaseError {
  override readonly name = 'LifecycleInputError'
  readonly field: string
  constructor({ field, message }: { field: string; message: string }) {
    super('BW_INPUT_INVALID', `${field}: ${message}`, { metaMessages: [`Field: ${field}`] })
    this.field = field
  }
}

/** BULWARK_SIGNING_KEY (or .bulwark/signing-key.pem) is not an Ed25519 private key in PEM. The key never appears. */
export class SigningKeyInvalidError extends BaseError {
  override readonly name = 'SigningKeyInvalidError'
  constructor({ source, reason }: { source: string; reason: string }) {
    super('BW_SIGNING_KEY_INVALID', `The audit signing key from ${source} is unusable: ${reason}.`)
  }
}
