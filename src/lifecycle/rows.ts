import type { Advisory, AdvisoryStatus, Approval, ApprovalKind, ContainmentStatus, Patch, PatchRoute, PatchStatus, Severity, Transition, Actor, Machine } from './types.js'

/** Row shapes as PGlite and node-postgres return them, and their mapping to the domain types. */

export type AdvisoryRow = {
  id: string
  title: string
  description: string
  severity: string
  status: string
  containment: string
  affected_contracts: unknown
  reporter: string
  discovered_at: Date | string
  reported_at: Date | string
  embargoed: boolean
  cleared_actors: unknown
  alert_ids: unknown
  updated_at: Date | string
}

export type PatchRow = {
  id: string
  advisory_id: string
  title: string
  status: string
  route: string
  targets: unknown
  required_approvals: number | string
  report_hash: string | null
  chain_id: number | string | null
  created_at: Date | string
  updated_at: Date | string
}

export type ApprovalRow = {
  patch_id: string
  signer: string
  kind: string
  at: Date | string
  digest: string | null
  signature: string | null
  note: string | null
  audit_seq: number | string
}

export type TransitionRow = {
  id: number | string
  machine: string
  subject_id: string
  advisory_id: string
  from_status: string | null
  to_status: string
  at: Date | string
  actor: unknown
  evidence: unknown
  override_reason: string | null
  audit_seq: number | string
}

function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T
}

export function toAdvisory(row: AdvisoryRow): Advisory {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    severity: row.severity as Severity,
    status: row.status as AdvisoryStatus,
    containment: row.containment as ContainmentStatus,
    affectedContracts: json(row.affected_contracts),
    reporter: row.reporter,
    discoveredAt: new Date(row.discovered_at),
    reportedAt: new Date(row.reported_at),
    embargoed: row.embargoed,
    clearedActors: json(row.cleared_actors),
    alertIds: json(row.alert_ids),
    updatedAt: new Date(row.updated_at),
  }
}

export function toApproval(row: ApprovalRow): Approval {
  return {
    patchId: row.patch_id,
    signer: row.signer,
    kind: row.kind as ApprovalKind,
    at: new Date(row.at),
    ...(row.digest === null ? {} : { digest: row.digest as `0x${string}` }),
    ...(row.signature === null ? {} : { signature: row.signature as `0x${string}` }),
    ...(row.note === null ? {} : { note: row.note }),
    auditSeq: Number(row.audit_seq),
  }
}

export function toPatch(row: PatchRow, approvals: readonly ApprovalRow[]): Patch {
  return {
    id: row.id,
    advisoryId: row.advisory_id,
    title: row.title,
    status: row.status as PatchStatus,
    route: row.route as PatchRoute,
    targets: json(row.targets),
    requiredApprovals: Number(row.required_approvals),
    approvals: approvals.filter((approval) => approval.patch_id === row.id).map(toApproval),
    reportHash: row.report_hash === null ? null : (row.report_hash as `0x${string}`),
    chainId: row.chain_id === null ? null : Number(row.chain_id),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  }
}

export function toTransition(row: TransitionRow): Transition {
  return {
    id: Number(row.id),
    machine: row.machine as Machine,
    subjectId: row.subject_id,
    advisoryId: row.advisory_id,
    from: row.from_status,
    to: row.to_status,
    at: new Date(row.at),
    actor: json<Actor>(row.actor),
    evidence: json(row.evidence),
    ...(row.override_reason === null || row.override_reason === undefined ? {} : { override: row.override_reason }),
    auditSeq: Number(row.audit_seq),
  }
}

export const advisoryColumns =
  'id, title, description, severity, status, containment, affected_contracts, reporter, discovered_at, reported_at, embargoed, cleared_actors, alert_ids, updated_at'
export const patchColumns = 'id, advisory_id, title, status, route, targets, required_approvals, report_hash, chain_id, created_at, updated_at'
export const approvalColumns = 'patch_id, signer, kind, at, digest, signature, note, audit_seq'
export const transitionColumns = 'id, machine, subject_id, advisory_id, from_status, to_status, at, actor, evidence, override_reason, audit_seq'
