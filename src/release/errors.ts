import type { Hex } from 'viem'
import { BaseError } from '../errors/BaseError.js'

/** The inputs cannot become a release plan (failed report, missing build, unconfigured route). */
export class ReleasePlanInvalidError extends BaseError {
  override readonly name = 'ReleasePlanInvalidError'
  constructor({ reason }: { reason: string }) {
    super('BW_RELEASE_PLAN_INVALID', `Cannot build the release plan: ${reason}`)
  }
}

export class ReleaseNotFoundError extends BaseError {
  override readonly name = 'ReleaseNotFoundError'
  constructor({ patchId }: { patchId: string }) {
    super('BW_RELEASE_NOT_FOUND', `No release plan is stored for patch ${patchId}.`, { metaMessages: [`Run: bulwark release plan ${patchId} --route standard|emergency|private`] })
  }
}

export class ReleaseSignaturesMissingError extends BaseError {
  override readonly name = 'ReleaseSignaturesMissingError'
  constructor({ step, have, threshold }: { step: string; have: number; threshold: number }) {
    super('BW_RELEASE_SIGNATURES_MISSING', `The ${step} transaction has ${have} valid owner signature(s); the Safe needs ${threshold}.`)
  }
}

export class ReleaseNonceConflictError extends BaseError {
  override readonly name = 'ReleaseNonceConflictError'
  constructor({ step, planned, current }: { step: string; planned: bigint; current: bigint }) {
    super('BW_RELEASE_NONCE_CONFLICT', `The ${step} transaction was signed at Safe nonce ${planned}, but the Safe is at nonce ${current}. Nothing was sent.`, {
      metaMessages: [
        current > planned
          ? 'Another Safe transaction used this nonce: rebuild the plan (bulwark release plan --replace) and collect signatures again.'
          : 'An earlier step of this plan has not executed yet: run it first.',
      ],
    })
  }
}

export class ReleaseNotReadyError extends BaseError {
  override readonly name = 'ReleaseNotReadyError'
  readonly readyAt: number
  constructor({ operationId, readyAt, now }: { operationId: Hex; readyAt: number; now: number }) {
    super(
      'BW_RELEASE_NOT_READY',
      readyAt === 0
        ? `Timelock operation ${operationId} is not scheduled. Nothing was sent.`
        : `Timelock operation ${operationId} is ready at ${new Date(readyAt * 1000).toISOString()} (in ${readyAt - now} s). Nothing was sent.`,
    )
    this.readyAt = readyAt
  }
}

export class ReleaseRevertedError extends BaseError {
  override readonly name = 'ReleaseRevertedError'
  readonly reason: string
  constructor({ step, reason, cause }: { step: string; reason: string; cause?: unknown }) {
    super('BW_RELEASE_REVERTED', `The ${step} transaction reverts: ${reason}. State is unchanged; fix the cause and retry.`, { cause })
    this.reason = reason
  }
}

export class ReleaseAlreadyExecutedError extends BaseError {
  override readonly name = 'ReleaseAlreadyExecutedError'
  constructor({ patchId, where }: { patchId: string; where: string }) {
    super('BW_RELEASE_ALREADY_EXECUTED', `The release of patch ${patchId} has already executed (${where}); a release never executes twice.`)
  }
}

export class VerifyInputInvalidError extends BaseError {
  override readonly name = 'VerifyInputInvalidError'
  constructor({ file, reason }: { file: string; reason: string }) {
    super('BW_VERIFY_INPUT_INVALID', `Cannot verify with ${file}: ${reason}`)
  }
}
