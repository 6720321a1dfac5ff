import { z } from 'zod'
import type { LifecycleContext } from './context.js'
import { LifecycleInputError } from './errors.js'
import { actorIdSchema, addressSchema, dateSchema, parseInput } from './input.js'
import { runCreation, type CreationKind } from './ledger.js'
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
  return runCreation(context, actor, advisoryCreation, parseInput(createAdvisoryInputSchema, input))
}

/** Advisories created at once (in one ledger hold) are inserted by one statement. */
const advisoryCreation: CreationKind<z.output<typeof createAdvisoryInputSchema>, CreateAdvisoryReturnType> = {
  table: 'advisories',
  async insert(tx, items) {
    const values = items.map(({ input, at }) => {
      const discoveredAt = input.discoveredAt ?? at
      if (discoveredAt.getTime() > at.getTime()) throw new LifecycleInputError({ field: 'discoveredAt', message: 'is in the future' })
      const affectedContracts = input.affectedContracts.map((contract) => ({
        address: contract.address,
        ...(contract.chain === undefined ? {} : { chain: contract.chain }),
        ...(contract.name === undefined ? {} : { name: contract.name }),
      }))
      return [
        input.title,
        input.description,
        input.severity,
        JSON.stringify(affectedContracts),
        input.reporter,
        discoveredAt.toISOString(),
        at.toISOString(),
        String(input.embargoed),
        JSON.stringify([...new Set(input.clearedActors)]),
        JSON.stringify([...new Set(input.alertIds)]),
      ]
    })
    // Numbers are drawn in the order of the changes; the rows come back in that order too.
    const rows = await tx.query<AdvisoryRow & { n: string | number }>(
      `WITH numbered AS (SELECT n, 'ADV-' || nextval('advisory_numbers') AS id FROM generate_series(1, $11::int) AS n),
       inserted AS (
         INSERT INTO advisories (id, title, description, severity, status, containment, affected_contracts, reporter, discovered_at, reported_at, embargoed, cleared_actors, alert_ids, updated_at)
         SELECT numbered.id, u.title, u.description, u.severity, 'reported', 'none', u.affected_contracts::jsonb, u.reporter, u.discovered_at::timestamptz, u.reported_at::timestamptz,
           u.embargoed::boolean, u.cleared_actors::jsonb, u.alert_ids::jsonb, u.reported_at::timestamptz
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
           WITH ORDINALITY AS u(title, description, severity, affected_contracts, reporter, discovered_at, reported_at, embargoed, cleared_actors, alert_ids, n)
         JOIN numbered USING (n)
         RETURNING ${advisoryColumns})
       SELECT inserted.*, numbered.n FROM inserted JOIN numbered USING (id) ORDER BY numbered.n`,
      [...Array.from({ length: 10 }, (_, column) => values.map((row) => row[column])), items.length],
    )
    return rows.map((row) => {
      const advisory = toAdvisory(row)
      return {
        transition: {
          machine: 'advisory',
          subjectId: advisory.id,
          advisoryId: advisory.id,
          from: null,
          to: 'reported',
          evidence: {},
          action: 'advisory.created',
          extra: { advisory: { ...advisory, discoveredAt: advisory.discoveredAt.toISOString(), reportedAt: advisory.reportedAt.toISOString(), updatedAt: advisory.updatedAt.toISOString() } },
        },
        finish: (transition: Transition) => ({ advisory, transition }),
      }
    })
  },
}
