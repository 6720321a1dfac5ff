import { z } from 'zod'
import type { LifecycleContext } from './context.js'
import { LifecycleInputError } from './errors.js'
import { actorIdSchema, addressSchema, dateSchema, parseInput } from './input.js'
import { runChange } from './ledger.js'
import { assertCan } from './permissions.js'
import { advisoryColumns, toAdvisory, type AdvisoryRow } from './rows.js'
import { severities, type Actor, type Advisory, type Transition } from './types.js'

export const createAdvisoryInputSchema = z
  .object({
    title: z.string().trim().min(1).max(300),
    description: z.string().max(50_000).default(''),
    severity: z.enum(severities),
    affectedContracts: z
      .array(z.object({ address: addressSchema, chain: z.string().min(1).max(100).optional(), name: z.string().min(1).max(200).optional() }).strict())
      .max(500)
      .default([]),
    reporter: z.string().trim().min(1).max(300),
    /** Default: now. */
    discoveredAt: dateSchema.optional(),
    embargoed: z.boolean().default(false),
    clearedActors: z.array(actorIdSchema).max(500).default([]),
    alertIds: z.array(z.string().min(1).max(200)).max(500).default([]),
  })
  .strict()

export type CreateAdvisoryInput = z.input<typeof createAdvisoryInputSchema>
export type CreateAdvisoryReturnType = { advisory: Advisory; transition: Transition }

/** Records a new advisory in `reported`, with its creation transition and audit entry. */
export async function createAdvisory(context: LifecycleContext, input: CreateAdvisoryInput, actor: Actor): Promise<CreateAdvisoryReturnType> {
  assertCan(actor, 'advisory:create')
  const parsed = parseInput(createAdvisoryInputSchema, input)
  return runChange(context, actor, async (change) => {
    const discoveredAt = parsed.discoveredAt ?? change.at
    if (discoveredAt.getTime() > change.at.getTime()) {
      throw new LifecycleInputError({ field: 'discoveredAt', message: 'is in the future' })
    }
    const affectedContracts = parsed.affectedContracts.map((contract) => ({
      address: contract.address,
      ...(contract.chain === undefined ? {} : { chain: contract.chain }),
      ...(contract.name === undefined ? {} : { name: contract.name }),
    }))
    const [row] = await change.tx.query<AdvisoryRow>(
      `INSERT INTO advisories (id, title, description, severity, status, containment, affected_contracts, reporter, discovered_at, reported_at, embargoed, cleared_actors, alert_ids, updated_at)
       VALUES ('ADV-' || nextval('advisory_numbers'), $1, $2, $3, 'reported', 'none', $4, $5, $6, $7, $8, $9, $10, $7)
       RETURNING ${advisoryColumns}`,
      [
        parsed.title,
        parsed.description,
        parsed.severity,
        JSON.stringify(affectedContracts),
        parsed.reporter,
        discoveredAt,
        change.at,
        parsed.embargoed,
        JSON.stringify([...new Set(parsed.clearedActors)]),
        JSON.stringify([...new Set(parsed.alertIds)]),
      ],
    )
    const advisory = toAdvisory(row!)
    const transition = await change.recordTransition({
      machine: 'advisory',
      subjectId: advisory.id,
      advisoryId: advisory.id,
      from: null,
      to: 'reported',
      evidence: {},
      action: 'advisory.created',
      extra: { advisory: { ...advisory, discoveredAt: advisory.discoveredAt.toISOString(), reportedAt: advisory.reportedAt.toISOString(), updatedAt: advisory.updatedAt.toISOString() } },
    })
    return { advisory, transition }
  })
}
