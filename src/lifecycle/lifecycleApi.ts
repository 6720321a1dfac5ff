import type { AuditEntry } from './appendAuditEntry.js'
import type { AdvisoryLatency } from './computeLatency.js'
import type { LifecycleContext } from './context.js'
import { createAdvisory, type CreateAdvisoryInput, type CreateAdvisoryReturnType } from './createAdvisory.js'
import { createPatch, type CreatePatchInput, type CreatePatchReturnType } from './createPatch.js'
import { getAdvisory } from './getAdvisory.js'
import { getAdvisoryLatency } from './getAdvisoryLatency.js'
import { getLatencySummary, type LatencySummary } from './getLatencySummary.js'
import { getPatch } from './getPatch.js'
import { listAdvisories, type ListAdvisoriesFilter } from './listAdvisories.js'
import { listAuditEntries, type ListAuditEntriesFilter } from './listAuditEntries.js'
import { listPatches, type ListPatchesFilter } from './listPatches.js'
import { listTransitions } from './listTransitions.js'
import { assertCan } from './permissions.js'
import { recordApproval, type RecordApprovalInput, type RecordApprovalReturnType } from './recordApproval.js'
import { listApprovalSigners, registerApprovalSigner, type ApprovalSigner, type RegisterApprovalSignerInput } from './registerApprovalSigner.js'
import { setContainment, type SetContainmentInput, type SetContainmentReturnType } from './setContainment.js'
import { transitionAdvisory, type TransitionAdvisoryInput, type TransitionAdvisoryReturnType } from './transitionAdvisory.js'
import { transitionPatch, type TransitionPatchInput, type TransitionPatchReturnType } from './transitionPatch.js'
import type { Actor, Advisory, Patch, Role, Transition } from './types.js'
import { verifyAuditLog, type VerifyAuditLogReturnType } from './verifyAuditLog.js'

/**
 * The lifecycle operations bound to one actor: what the CLI commands call. The local
 * implementation below runs them on the embedded store; the remote mode (`--server URL
 * --token T`, part B) implements the same type over the HTTP API, so every command works
 * unchanged against either. Results cross JSON in remote mode: render dates with `new Date(x)`.
 */
export type LifecycleApi = {
  actor: Actor
  createAdvisory(input: CreateAdvisoryInput): Promise<CreateAdvisoryReturnType>
  getAdvisory(id: string): Promise<Advisory>
  listAdvisories(filter: ListAdvisoriesFilter): Promise<Advisory[]>
  transitionAdvisory(input: TransitionAdvisoryInput): Promise<TransitionAdvisoryReturnType>
  setContainment(input: SetContainmentInput): Promise<SetContainmentReturnType>
  listTransitions(advisoryId: string): Promise<Transition[]>
  createPatch(input: CreatePatchInput): Promise<CreatePatchReturnType>
  getPatch(id: string): Promise<Patch>
  listPatches(filter: ListPatchesFilter): Promise<Patch[]>
  transitionPatch(input: TransitionPatchInput): Promise<TransitionPatchReturnType>
  recordApproval(input: RecordApprovalInput): Promise<RecordApprovalReturnType>
  registerApprovalSigner(input: RegisterApprovalSignerInput): Promise<ApprovalSigner>
  listApprovalSigners(): Promise<ApprovalSigner[]>
  getAdvisoryLatency(id: string): Promise<AdvisoryLatency>
  getLatencySummary(): Promise<LatencySummary>
  listAuditEntries(filter: ListAuditEntriesFilter): Promise<AuditEntry[]>
  /**
   * Without keys: every entry is checked against the key registered for it in the log (or this
   * server's own key). With keys (SPKI PEM, one per host): only those keys are trusted.
   */
  verifyAuditLog(options: { publicKeys?: readonly string[]; expectHead?: { seq: number; hash: string } }): Promise<VerifyAuditLogReturnType>
  close(): Promise<void>
}

/**
 * The roles of the local operator (`bulwark … --as NAME`): whoever holds the embedded
 * database and its key can do anything anyway, so the local actor is an admin, and a signer
 * so that `patch approve` works (approvals stay unique per name).
 */
export const localRoles = ['admin', 'signer'] as const satisfies readonly Role[]

export function localLifecycleApi(context: LifecycleContext, actor: Actor): LifecycleApi {
  return {
    actor,
    createAdvisory: (input) => createAdvisory(context, input, actor),
    getAdvisory: (id) => getAdvisory(context, id, actor),
    listAdvisories: (filter) => listAdvisories(context, filter, actor),
    transitionAdvisory: (input) => transitionAdvisory(context, input, actor),
    setContainment: (input) => setContainment(context, input, actor),
    listTransitions: (advisoryId) => listTransitions(context, { advisoryId }, actor),
    createPatch: (input) => createPatch(context, input, actor),
    getPatch: (id) => getPatch(context, id, actor),
    listPatches: (filter) => listPatches(context, filter, actor),
    transitionPatch: (input) => transitionPatch(context, input, actor),
    recordApproval: (input) => recordApproval(context, input, actor),
    registerApprovalSigner: (input) => registerApprovalSigner(context, input, actor),
    listApprovalSigners: () => listApprovalSigners(context, actor),
    getAdvisoryLatency: (id) => getAdvisoryLatency(context, id, actor),
    getLatencySummary: () => getLatencySummary(context, actor),
    listAuditEntries: (filter) => listAuditEntries(context, filter, actor),
    async verifyAuditLog({ publicKeys, expectHead }) {
      assertCan(actor, 'audit:verify')
      const pinned = publicKeys !== undefined && publicKeys.length > 0
      return verifyAuditLog(context.store, {
        trustedKeys: pinned ? publicKeys : [context.signingKey.publicKey],
        trust: pinned ? 'pinned' : 'registered',
        ...(expectHead ? { expectHead } : {}),
      })
    },
    close: () => context.store.close(),
  }
}
