import type { Store } from '../store/openStore.js'
import { AdvisoryNotFoundError, PatchNotFoundError } from './errors.js'
import { isClearedFor } from './permissions.js'
import { advisoryColumns, approvalColumns, patchColumns, toAdvisory, toPatch, type AdvisoryRow, type ApprovalRow, type PatchRow } from './rows.js'
import type { Actor, Advisory, Patch } from './types.js'

type Query = Pick<Store, 'query'>

/**
 * The advisory as this actor may see it. Absent and "embargoed, not cleared" give the same
 * error, so an uncleared caller cannot learn that an embargoed advisory exists.
 * `forUpdate` locks the row for the rest of the caller's transaction.
 */
export async function loadAdvisory(db: Query, id: string, actor: Actor, { forUpdate = false } = {}): Promise<Advisory> {
  const [row] = await db.query<AdvisoryRow>(`SELECT ${advisoryColumns} FROM advisories WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id])
  const advisory = row ? toAdvisory(row) : undefined
  if (!advisory || !isClearedFor(actor, advisory)) throw new AdvisoryNotFoundError({ id })
  return advisory
}

/** A patch and its advisory, under the advisory's embargo (an uncleared actor gets BW_PATCH_NOT_FOUND). */
export async function loadPatch(db: Query, id: string, actor: Actor, { forUpdate = false } = {}): Promise<{ patch: Patch; advisory: Advisory }> {
  const [row] = await db.query<PatchRow>(`SELECT ${patchColumns} FROM patches WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id])
  if (!row) throw new PatchNotFoundError({ id })
  const [advisoryRow] = await db.query<AdvisoryRow>(`SELECT ${advisoryColumns} FROM advisories WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [row.advisory_id])
  const advisory = advisoryRow ? toAdvisory(advisoryRow) : undefined
  if (!advisory || !isClearedFor(actor, advisory)) throw new PatchNotFoundError({ id })
  const approvals = await db.query<ApprovalRow>(`SELECT ${approvalColumns} FROM patch_approvals WHERE patch_id = $1 ORDER BY at, signer`, [id])
  return { patch: toPatch(row, approvals), advisory }
}

/** Patches with their approvals, for the given patch rows. */
export async function withApprovals(db: Query, rows: readonly PatchRow[]): Promise<Patch[]> {
  if (rows.length === 0) return []
  const approvals = await db.query<ApprovalRow>(`SELECT ${approvalColumns} FROM patch_approvals WHERE patch_id = ANY($1::text[]) ORDER BY at, signer`, [rows.map((row) => row.id)])
  return rows.map((row) => toPatch(row, approvals))
}
