import { z } from 'zod'
import type { LifecycleContext } from './context.js'
import { parseInput } from './input.js'
import { loadAdvisory, withApprovals } from './loadRecords.js'
import { assertCan, embargoClearedRoles } from './permissions.js'
import { patchColumns, type PatchRow } from './rows.js'
import { patchStatuses, type Actor, type Patch } from './types.js'

export const listPatchesFilterSchema = z
  .object({
    advisoryId: z.string().min(1).optional(),
    status: z.enum(patchStatuses).optional(),
    limit: z.number().int().min(1).max(1000).default(100),
    offset: z.number().int().min(0).default(0),
  })
  .strict()

export type ListPatchesFilter = z.input<typeof listPatchesFilterSchema>

/** Patches the actor may see (their advisory not embargoed from them), newest first. */
export async function listPatches(context: Pick<LifecycleContext, 'store'>, filter: ListPatchesFilter, actor: Actor): Promise<Patch[]> {
  assertCan(actor, 'advisory:read')
  const { advisoryId, status, limit, offset } = parseInput(listPatchesFilterSchema, filter)
  // An advisory the actor cannot see answers "not found", as getAdvisory does.
  if (advisoryId !== undefined) await loadAdvisory(context.store, advisoryId, actor)
  const cleared = actor.roles.some((role) => (embargoClearedRoles as readonly string[]).includes(role))
  const rows = await context.store.query<PatchRow>(
    `SELECT ${patchColumns.split(', ').map((column) => `p.${column}`).join(', ')} FROM patches p JOIN advisories a ON a.id = p.advisory_id
     WHERE ($1::text IS NULL OR p.advisory_id = $1) AND ($2::text IS NULL OR p.status = $2)
       AND (NOT a.embargoed OR $3::boolean OR a.cleared_actors @> jsonb_build_array($4::text))
     ORDER BY p.created_at DESC, p.id DESC LIMIT $5 OFFSET $6`,
    [advisoryId ?? null, status ?? null, cleared, actor.id, limit, offset],
  )
  return withApprovals(context.store, rows)
}
