import { BaseError, redactSecrets } from '../errors/BaseError.js'

/** Errors of the dynamic stages (fork rehearsal, exploit replay, regression, differential replay): each means "could not run". */

/** A fork could not be started or brought to the state the stage needs (implementation deployed, upgrade applied). */
export class ForkPreparationError extends BaseError {
  override readonly name = 'ForkPreparationError'
  readonly step: string
  /**
   * Set when the step was an upgrade whose transaction was mined and reverted: a fact about the
   * patch (stages report it as an `upgrade-reverted` finding), not a fork that could not run.
   */
  readonly revertedUpgrade: { target: string; transaction: string } | undefined
  constructor({ step, reason, cause, revertedUpgrade }: { step: string; reason: string; cause?: unknown; revertedUpgrade?: { target: string; transaction: string } }) {
    super('BW_FORK_FAILED', `Could not prepare the validation fork (${step}): ${redactSecrets(reason)}`, { cause })
    this.step = step
    this.revertedUpgrade = revertedUpgrade
  }
}

/** forge did not produce test results: compile error, nothing matched, timeout or unreadable output. */
export class ForgeRunError extends BaseError {
  override readonly name = 'ForgeRunError'
  readonly reason: 'compile' | 'no-tests' | 'timeout' | 'output' | 'spawn'
  constructor({ root, reason, output }: { root: string; reason: ForgeRunError['reason']; output?: string }) {
    const what = {
      compile: 'the project does not compile',
      'no-tests': 'no test matched the selection',
      timeout: 'it did not finish in time and was killed',
      output: 'its output could not be read as test results',
      spawn: 'the forge binary could not be started',
    }[reason]
    super('BW_FORGE_FAILED', `forge test in ${root} failed: ${what}.`, {
      ...(output ? { details: redactSecrets(output.trim().split('\n').slice(-12).join('\n')) } : {}),
    })
    this.reason = reason
  }
}

/** A proof of concept, regression check or invariant cannot be run as the manifest gives it. */
export class CheckInvalidError extends BaseError {
  override readonly name = 'CheckInvalidError'
  readonly check: string
  constructor({ check, reason, cause }: { check: string; reason: string; cause?: unknown }) {
    super('BW_CHECK_INVALID', `Check "${check}" cannot run: ${redactSecrets(reason)}`, { cause })
    this.check = check
  }
}
