import { z } from 'zod'
import type { LifecycleContext } from './context.js'
import { parseInput } from './input.js'
import { assertCan, embargoClearedRoles } from './permissions.js'
import { advisoryColumns, toAdvisory, type AdvisoryRow } from './rows.js'
import { advisoryStatuses, severities, type Actor, type Advisory } from './types.js'

export const listAdvisoriesFilterSchema = z
  .object({
    status: z.enum(advisoryStatuses).optional(),
    severity: z.enum(severities).optional(),
    limit: z.number().int().min(1).max(1000).default(100),
    offset: z.number().int().min(0).default(0),
  })
  .strict()

export type ListAdvisoriesFilter = z.input<typeof listAdvisoriesFilterSchema>

/** Advisories the actor may see, newest first; embargoed ones the actor is not cleared for are left out entirely. */
export async function listAdvisories(context: Pick<LifecycleContext, 'store'>, filter: ListAdvisoriesFilter, actor: Actor): Promise<Advisory[]> {
  assertCan(actor, 'advisory:read')
  const { status, severity, limit, offset } = parseInput(listAdvisoriesFilterSchema, filter)
  const cleared = actor.roles.some((role) => (embargoClearedRoles as readonly string[]).includes(role))
  const rows = await context.store.query<AdvisoryRow>(
    `SELECT ${advisoryColumns} FROM advisories
     WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR severity = $2)
       AND (NOT embargoed OR $3::boolean OR cleared_actors @> jsonb_build_array($4::text))
     ORDER BY reported_at DESC, id DESC LIMIT $5 OFFSET $6`,
    [status ?? null, severity ?? null, cleared, actor.id, limit, offset],
  )
  return rows.map(toAdvisory)
}
