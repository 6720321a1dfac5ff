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

/** An approval without a signature, or one that is not a registered signer's EIP-712 PatchApproval over this patch, its validated report hash and chain. */
export class ApprovalSignatureInvalidError extends BaseError {
  override readonly name = 'ApprovalSignatureInvalidError'
  constructor({ patchId, reason }: { patchId: string; reason: string }) {
    super('BW_APPROVAL_SIGNATURE_INVALID', `The approval of patch ${patchId} is refused: ${reason}`, {
      metaMessages: ['Sign the EIP-712 PatchApproval { patchId, reportHash } in the domain { name: "Bulwark", version: "1", chainId } with a registered signer key (`bulwark patch approve ID --key env:VAR`).'],
    })
  }
}

/** A validation run that cannot validate this patch: its hash is not its report's, or it is about other proxies. */
export class ValidationRunInvalidError extends BaseError {
  override readonly name = 'ValidationRunInvalidError'
  constructor({ patchId, reason }: { patchId: string; reason: string }) {
    super('BW_VALIDATION_RUN_INVALID', `The validation run cannot be recorded for patch ${patchId}: ${reason}`)
  }
}

/** A release step whose transaction the chain does not show mined, successful and executing the planned Safe transaction. */
export class ReleaseNotOnChainError extends BaseError {
  override readonly name = 'ReleaseNotOnChainError'
  constructor({ patchId, transactionHash, reason }: { patchId: string; transactionHash: string; reason: string }) {
    super('BW_RELEASE_NOT_ON_CHAIN', `Patch ${patchId} is not moved: transaction ${transactionHash} ${reason}`)
  }
}

/** A public key given to verify the audit log with cannot be used. */
export class AuditKeyInvalidError extends BaseError {
  override readonly name = 'AuditKeyInvalidError'
  constructor({ source, reason }: { source: string; reason: string }) {
    super('BW_AUDIT_KEY_INVALID', `The audit public key ${source} cannot be used: ${reason}.`, {
      metaMessages: ['Give the SPKI PEM a Bulwark server prints (`bulwark audit verify --json` → keys[].publicKey), or its Ed25519 private key PEM.'],
    })
  }
}
