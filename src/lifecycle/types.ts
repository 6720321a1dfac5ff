/**
 * The lifecycle domain: advisories, patches, their state machines, transitions and approvals.
 *
 * Public API for the HTTP server (part B) and the CLI. Every operation takes a
 * `LifecycleContext` (store + the server's audit signing key, see `context.ts`), its input,
 * and the acting `Actor`; it checks the actor's permission (`permissions.ts`), validates the
 * input (BW_INPUT_INVALID with the field path), and writes the change together with its audit
 * entry in one database transaction.
 *
 *   createAdvisory / getAdvisory / listAdvisories / transitionAdvisory / setContainment
 *   createPatch / getPatch / listPatches / transitionPatch / recordApproval
 *   listTransitions                       (the timeline of one advisory and its patches)
 *   getAdvisoryLatency / getLatencySummary / getLatencyHistory
 *   appendAuditEntry / listAuditEntries / verifyAuditLog
 */

export const roles = ['admin', 'responder', 'auditor', 'signer', 'viewer'] as const
export type Role = (typeof roles)[number]

/** Who performs an operation: a token's owner (server) or the local operator (CLI `--as`). */
export type Actor = { id: string; roles: readonly Role[] }

export const severities = ['low', 'medium', 'high', 'critical'] as const
export type Severity = (typeof severities)[number]

/**
 * Advisory statuses (see docs/lifecycle.md). `patching`, `released` and `verified` are entered
 * by the patch machine (proposing a patch, releasing and verifying it), not by hand.
 */
export const advisoryStatuses = ['reported', 'triaged', 'patching', 'released', 'verified', 'disclosed', 'withdrawn'] as const
export type AdvisoryStatus = (typeof advisoryStatuses)[number]

/** Containment is orthogonal to the advisory's status: it can happen at any point before release. */
export const containmentStatuses = ['none', 'contained', 'lifted'] as const
export type ContainmentStatus = (typeof containmentStatuses)[number]

export const patchStatuses = [
  'proposed',
  'validating',
  'validated',
  'rejected',
  'awaiting_approval',
  'approved',
  'scheduled',
  'released',
  'verified',
  'withdrawn',
] as const
export type PatchStatus = (typeof patchStatuses)[number]

/** How a patch reaches the chain: the governance path (timelock), the emergency path, or a private mempool. */
export const patchRoutes = ['standard', 'emergency', 'private'] as const
export type PatchRoute = (typeof patchRoutes)[number]

/** Which state machine a transition belongs to. */
export const machines = ['advisory', 'containment', 'patch'] as const
export type Machine = (typeof machines)[number]

/** What backs a transition: a note, links (tx, report, chat thread), and free JSON (tx hash, report hash…). */
export type Evidence = {
  note?: string
  links?: string[]
  data?: Record<string, unknown>
}

export type AffectedContract = {
  address: `0x${string}`
  /** Chain name from the project file, or a chain id as text. */
  chain?: string
  name?: string
}

export type Advisory = {
  id: string
  title: string
  description: string
  severity: Severity
  status: AdvisoryStatus
  containment: ContainmentStatus
  affectedContracts: AffectedContract[]
  reporter: string
  /** When the vulnerability was found (may precede `reportedAt`, when it was recorded here). */
  discoveredAt: Date
  reportedAt: Date
  /** Embargoed details are visible only to cleared actors (see `isClearedFor`). */
  embargoed: boolean
  /** Actor ids cleared for this advisory in addition to the cleared roles. */
  clearedActors: string[]
  /** Ids of monitor alerts that led to or concern this advisory. */
  alertIds: string[]
  updatedAt: Date
}

export type PatchTarget = {
  proxy: `0x${string}`
  newImplementation: `0x${string}`
  chain?: string
  /** Calldata run on the new implementation during the upgrade (upgradeToAndCall), if any. */
  call?: `0x${string}`
}

export type Patch = {
  id: string
  advisoryId: string
  title: string
  status: PatchStatus
  route: PatchRoute
  targets: PatchTarget[]
  /** Approvals by distinct signers needed before the patch moves to `approved`. */
  requiredApprovals: number
  approvals: Approval[]
  /** The validated report's hash (from the stored validation run that validated it); null before. */
  reportHash: `0x${string}` | null
  /** The chain the validated report is for: approvals are signed for it (EIP-712 domain). */
  chainId: number | null
  createdAt: Date
  updatedAt: Date
}

/**
 * How an approval was verified: `eip712` a PatchApproval signature of a registered signer address,
 * `safe-confirmation` a Safe owner's confirmation re-verified against the live Safe, `override` an
 * admin's explicit override with a reason; `unverified` only on rows stored before verification existed.
 */
export const approvalKinds = ['eip712', 'safe-confirmation', 'override', 'unverified'] as const
export type ApprovalKind = (typeof approvalKinds)[number]

export type Approval = {
  patchId: string
  /** The signer's address (checksummed) for verified approvals; the admin's id for an override. */
  signer: string
  kind: ApprovalKind
  at: Date
  /** What was approved: e.g. the validation report hash or the upgrade plan hash. */
  digest?: `0x${string}`
  signature?: `0x${string}`
  note?: string
  auditSeq: number
}

export type Transition = {
  id: number
  machine: Machine
  /** Advisory id (advisory, containment) or patch id (patch). */
  subjectId: string
  advisoryId: string
  /** `null` for the creation of the subject. */
  from: string | null
  to: string
  at: Date
  actor: Actor
  evidence: Evidence
  /** Set when an admin forced this move past the evidence the machine requires: the reason given. */
  override?: string
  /** The audit log entry that records this transition. */
  auditSeq: number
}
