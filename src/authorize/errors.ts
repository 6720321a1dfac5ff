import type { Address, Hex } from 'viem'
import { BaseError } from '../errors/BaseError.js'

/** The proposal itself cannot be accepted: wrong chain, not a Safe, malformed field, hash mismatch. */
export class SafeTransactionInvalidError extends BaseError {
  override readonly name = 'SafeTransactionInvalidError'
  constructor({ message, cause }: { message: string; cause?: unknown }) {
    super('BW_SAFE_TX_INVALID', message, cause === undefined ? {} : { cause })
  }
}

export class SafeTransactionNotFoundError extends BaseError {
  override readonly name = 'SafeTransactionNotFoundError'
  constructor({ safeTxHash }: { safeTxHash: string }) {
    super('BW_SAFE_TX_NOT_FOUND', `No Safe transaction ${safeTxHash} was proposed through Bulwark.`)
  }
}

/** A signature that does not count. `reason` says why in words a signer can act on. */
export class SignatureInvalidError extends BaseError {
  override readonly name = 'SignatureInvalidError'
  readonly reason: string
  constructor({ safeTxHash, reason, signer }: { safeTxHash: Hex; reason: string; signer?: Address | undefined }) {
    super('BW_SIGNATURE_INVALID', `Signature rejected for Safe transaction ${safeTxHash}: ${reason}.`, signer ? { metaMessages: [`Recovered signer: ${signer}`] } : {})
    this.reason = reason
  }
}

export class SignatureDuplicateError extends BaseError {
  override readonly name = 'SignatureDuplicateError'
  constructor({ safeTxHash, owner }: { safeTxHash: Hex; owner: Address }) {
    super('BW_SIGNATURE_DUPLICATE', `Owner ${owner} has already confirmed Safe transaction ${safeTxHash}.`)
  }
}

export class SafeNonceStaleError extends BaseError {
  override readonly name = 'SafeNonceStaleError'
  constructor({ safe, nonce, currentNonce }: { safe: Address; nonce: bigint; currentNonce: bigint }) {
    super('BW_SAFE_NONCE_STALE', `Safe ${safe} is at nonce ${currentNonce}; a transaction at nonce ${nonce} can never execute.`)
  }
}

export class ReportHashMismatchError extends BaseError {
  override readonly name = 'ReportHashMismatchError'
  constructor({ patchId, bound, current, where }: { patchId: string; bound: Hex; current: Hex | null; where: 'patch' | 'calldata' }) {
    super(
      'BW_REPORT_HASH_MISMATCH',
      where === 'patch'
        ? `The Safe transaction is bound to report ${bound}, but patch ${patchId}'s current validation report is ${current ?? '(none)'}: signatures over the old report no longer count.`
        : `The calldata approves report ${current ?? '(none)'}, but the transaction is proposed for patch ${patchId} under report ${bound}.`,
    )
  }
}

export class ThresholdNotMetError extends BaseError {
  override readonly name = 'ThresholdNotMetError'
  readonly valid: number
  readonly threshold: number
  constructor({ safeTxHash, valid, threshold, rejected }: { safeTxHash: Hex; valid: number; threshold: number; rejected: readonly string[] }) {
    super('BW_THRESHOLD_NOT_MET', `Safe transaction ${safeTxHash} has ${valid} valid confirmation(s); the Safe's threshold is ${threshold}.`, {
      metaMessages: rejected.map((line) => `Not counted: ${line}`),
    })
    this.valid = valid
    this.threshold = threshold
  }
}
