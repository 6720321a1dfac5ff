import type { Store } from '../store/openStore.js'
import { advisoryColumns, patchColumns, toAdvisory, toPatch, toTransition, transitionColumns, type AdvisoryRow, type PatchRow, type TransitionRow } from './rows.js'
import type { Advisory, Patch, Transition } from './types.js'

export type LatencyInput = { advisory: Advisory; transitions: Transition[]; patches: Patch[] }

/** Every advisory (or one) with its transitions and patches, in three queries. Visibility is the caller's job. */
export async function loadLatencyInputs(db: Pick<Store, 'query'>, { advisoryId }: { advisoryId?: string } = {}): Promise<LatencyInput[]> {
  const where = advisoryId === undefined ? '' : ' WHERE advisory_id = $1'
  const params = advisoryId === undefined ? [] : [advisoryId]
  const [advisories, patches, transitions] = await Promise.all([
    db.query<AdvisoryRow>(`SELECT ${advisoryColumns} FROM advisories${advisoryId === undefined ? '' : ' WHERE id = $1'} ORDER BY reported_at, id`, params),
    db.query<PatchRow>(`SELECT ${patchColumns} FROM patches${where} ORDER BY created_at, id`, params),
    db.query<TransitionRow>(`SELECT ${transitionColumns} FROM lifecycle_transitions${where} ORDER BY at, id`, params),
  ])
  const byAdvisory = new Map<string, LatencyInput>(advisories.map((row) => [row.id, { advisory: toAdvisory(row), transitions: [], patches: [] }]))
  for (const row of patches) byAdvisory.get(row.advisory_id)?.patches.push(toPatch(row, []))
  for (const row of transitions) byAdvisory.get(row.advisory_id)?.transitions.push(toTransition(row))
  return [...byAdvisory.values()]
}
