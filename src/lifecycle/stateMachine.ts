import { TransitionIllegalError } from './errors.js'
import type { AdvisoryStatus, ContainmentStatus, PatchStatus } from './types.js'

/**
 * Two linked machines plus an orthogonal containment flag (docs/lifecycle.md has the tables).
 *
 * - The advisory machine tracks the incident; the patch machine tracks one candidate fix.
 *   An advisory may see several patches (a rejected one is followed by a new proposal), but
 *   at most one open patch at a time.
 * - `manual` lists what a responder may ask for; `automatic` lists what the library does
 *   itself when the linked machine moves (proposing a patch, releasing, verifying, reaching
 *   the approval threshold). A manual request for an automatic target is illegal.
 * - Containment (pause, lockdown, circuit breaker) can happen at any point before release,
 *   so it is its own small machine rather than a state in the advisory's line.
 */
export const advisoryMachine = {
  manual: {
    reported: ['triaged', 'withdrawn'],
    triaged: ['withdrawn'],
    patching: ['withdrawn'],
    released: [],
    verified: ['disclosed'],
    disclosed: [],
    withdrawn: [],
  },
  automatic: {
    reported: [],
    triaged: ['patching'],
    patching: ['released'],
    released: ['verified'],
    verified: [],
    disclosed: [],
    withdrawn: [],
  },
} as const satisfies Record<'manual' | 'automatic', Record<AdvisoryStatus, readonly AdvisoryStatus[]>>

/** Why an automatic state cannot be requested by hand, shown with the error. */
export const advisoryAutomaticHints: Partial<Record<AdvisoryStatus, string>> = {
  patching: 'An advisory enters "patching" when a patch is proposed for it (`bulwark patch create`).',
  released: 'An advisory enters "released" when one of its patches is released.',
  verified: 'An advisory enters "verified" when its released patch is verified.',
}

/**
 * The patch machine. Every move that claims something about the code or the chain is
 * `automatic`: it is made only by the lifecycle operation that checks the evidence for it, never
 * on request (docs/lifecycle.md, "What each state proves"):
 * - `validated` / `rejected` from a stored validation run (`recordValidationRun`: report and hash);
 * - `approved` from verified signatures (`recordApproval`: EIP-712 of a registered signer;
 *   `recordSafeApprovals`: Safe owner confirmations re-verified against the live Safe);
 * - `scheduled` / `released` from a mined release transaction checked on chain (`recordReleaseStep`);
 * - `verified` from a passing stored `verifyRelease` result (`recordVerification`).
 * An admin may force an automatic move with a reason (`transitionPatch` with `override`): it is
 * audited as `patch.overridden` and shown as an override wherever the transition is shown.
 */
export const patchMachine = {
  manual: {
    proposed: ['validating', 'withdrawn'],
    validating: ['rejected', 'withdrawn'],
    validated: ['awaiting_approval', 'withdrawn'],
    rejected: [],
    awaiting_approval: ['rejected', 'withdrawn'],
    approved: ['withdrawn'],
    scheduled: ['withdrawn'],
    released: [],
    verified: [],
    withdrawn: [],
  },
  automatic: {
    proposed: [],
    validating: ['validated', 'rejected'],
    validated: [],
    rejected: [],
    awaiting_approval: ['approved'],
    approved: ['scheduled', 'released'],
    scheduled: ['released'],
    released: ['verified'],
    verified: [],
    withdrawn: [],
  },
} as const satisfies Record<'manual' | 'automatic', Record<PatchStatus, readonly PatchStatus[]>>

export const patchAutomaticHints: Partial<Record<PatchStatus, string>> = {
  validated: 'A patch enters "validated" only from a stored passing validation run (`bulwark validate <manifest> --patch ID`, or POST /patches/{id}/validation-runs). An admin can override with a reason (`bulwark patch transition ID validated --override "reason"`).',
  approved: 'A patch enters "approved" when enough registered signers approve it with an EIP-712 signature over patch id, report hash and chain id (`bulwark patch approve ID --key env:VAR`), or Safe owners confirm its release transaction.',
  scheduled: 'A patch enters "scheduled" when the release module executes the schedule step and the mined transaction is checked on chain (`bulwark release execute`).',
  released: 'A patch enters "released" when the release module executes its last step and the mined transaction is checked on chain (`bulwark release execute`).',
  verified: 'A patch enters "verified" only from a passing stored verifyRelease result (`bulwark verify ID`, or POST /patches/{id}/verifications).',
}

/** A patch in one of these states no longer blocks a new proposal for its advisory. */
export const closedPatchStatuses = ['rejected', 'withdrawn', 'verified'] as const satisfies readonly PatchStatus[]

/** The advisory statuses in which containment may still be put in place (before release). */
export const containableAdvisoryStatuses = ['reported', 'triaged', 'patching'] as const satisfies readonly AdvisoryStatus[]

export const containmentMachine = {
  none: ['contained'],
  contained: ['lifted'],
  lifted: ['contained'],
} as const satisfies Record<ContainmentStatus, readonly ContainmentStatus[]>

export function nextAdvisoryStatuses(current: AdvisoryStatus): readonly AdvisoryStatus[] {
  return advisoryMachine.manual[current]
}

export function nextPatchStatuses(current: PatchStatus): readonly PatchStatus[] {
  return patchMachine.manual[current]
}

/** Every move an admin may force from `current` (manual and evidence-backed ones alike). */
export function overridablePatchStatuses(current: PatchStatus): readonly PatchStatus[] {
  return [...patchMachine.manual[current], ...patchMachine.automatic[current]]
}

/** Whether the lifecycle (not a request) makes this move once it has checked its evidence. */
export function isAutomaticPatchMove(current: PatchStatus, to: PatchStatus): boolean {
  return (patchMachine.automatic[current] as readonly PatchStatus[]).includes(to)
}

/** The containment moves allowed now; containing again is impossible once the advisory is released. */
export function nextContainmentStatuses(current: ContainmentStatus, advisoryStatus: AdvisoryStatus): readonly ContainmentStatus[] {
  const containable = (containableAdvisoryStatuses as readonly AdvisoryStatus[]).includes(advisoryStatus)
  return containmentMachine[current].filter((next) => next !== 'contained' || containable)
}

export function assertAdvisoryTransition(id: string, current: AdvisoryStatus, to: AdvisoryStatus): void {
  const allowed = nextAdvisoryStatuses(current)
  if (!(allowed as readonly string[]).includes(to)) {
    const hint = advisoryAutomaticHints[to]
    throw new TransitionIllegalError({ subject: `Advisory ${id}`, current, requested: to, allowed, ...(hint ? { hint } : {}) })
  }
}

export function assertPatchTransition(id: string, current: PatchStatus, to: PatchStatus, hint?: string): void {
  const allowed = nextPatchStatuses(current)
  if (!(allowed as readonly string[]).includes(to)) {
    const why = hint ?? patchAutomaticHints[to]
    throw new TransitionIllegalError({ subject: `Patch ${id}`, current, requested: to, allowed, ...(why ? { hint: why } : {}) })
  }
}

export function assertContainmentTransition(id: string, current: ContainmentStatus, to: ContainmentStatus, advisoryStatus: AdvisoryStatus): void {
  const allowed = nextContainmentStatuses(current, advisoryStatus)
  if (!(allowed as readonly string[]).includes(to)) {
    throw new TransitionIllegalError({
      subject: `Containment of advisory ${id} (advisory ${advisoryStatus})`,
      current,
      requested: to,
      allowed,
      ...(to === 'contained' && !(containableAdvisoryStatuses as readonly string[]).includes(advisoryStatus)
        ? { hint: 'Containment is only possible before the fix is released.' }
        : {}),
    })
  }
}
