import { z } from 'zod'
import type { LifecycleContext } from './context.js'
import { ConflictError, TransitionIllegalError } from './errors.js'
import { addressSchema, evidenceSchema, hexSchema, parseInput } from './input.js'
import { runChange } from './ledger.js'
import { loadAdvisory } from './loadRecords.js'
import { assertCan } from './permissions.js'
import { advisoryColumns, patchColumns, toAdvisory, toPatch, type AdvisoryRow, type PatchRow } from './rows.js'
import { closedPatchStatuses, nextAdvisoryStatuses } from './stateMachine.js'
import { patchRoutes, type Actor, type Advisory, type Patch, type Transition } from './types.js'

export const createPatchInputSchema = z
  .object({
    advisoryId: z.string().min(1),
    title: z.string().trim().min(1).max(300),
    route: z.enum(patchRoutes),
    targets: z
      .array(
        z
          .object({
            proxy: addressSchema,
            newImplementation: addressSchema,
            chain: z.string().min(1).max(100).optional(),
            call: hexSchema.optional(),
          })
          .strict(),
      )
      .min(1)
      .max(100),
    requiredApprovals: z.number().int().min(1).max(100).default(1),
    evidence: evidenceSchema,
  })
  .strict()
  .superRefine((value, ctx) => {
    const seen = new Set<string>()
    value.targets.forEach((target, index) => {
      const key = `${target.chain ?? ''}:${target.proxy}`
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['targets', index, 'proxy'], message: 'is listed twice' })
      seen.add(key)
    })
  })

export type CreatePatchInput = z.input<typeof createPatchInputSchema>
export type CreatePatchReturnType = { patch: Patch; advisory: Advisory; transitions: Transition[] }

/**
 * Proposes a patch for a triaged advisory (which then enters `patching`). An advisory has at
 * most one open patch: proposing another while one is open is BW_CONFLICT; a rejected or
 * withdrawn patch makes room for a new proposal.
 */
export async function createPatch(context: LifecycleContext, input: CreatePatchInput, actor: Actor): Promise<CreatePatchReturnType> {
  assertCan(actor, 'patch:create')
  const parsed = parseInput(createPatchInputSchema, input)
  return runChange(context, actor, async (change) => {
    const advisory = await loadAdvisory(change.tx, parsed.advisoryId, actor, { forUpdate: true })
    if (advisory.status !== 'triaged' && advisory.status !== 'patching') {
      throw new TransitionIllegalError({
        subject: `Advisory ${advisory.id}`,
        current: advisory.status,
        requested: 'patching',
        allowed: nextAdvisoryStatuses(advisory.status),
        hint: 'A patch can be proposed only while the advisory is triaged or patching.',
      })
    }
    const [open] = await change.tx.query<{ id: string; status: string }>(
      'SELECT id, status FROM patches WHERE advisory_id = $1 AND status <> ALL($2::text[]) LIMIT 1',
      [advisory.id, closedPatchStatuses],
    )
    if (open) {
      throw new ConflictError({ message: `Advisory ${advisory.id} already has an open patch ${open.id} (${open.status}); reject or withdraw it before proposing another.` })
    }
    const targets = parsed.targets.map((target) => ({
      proxy: target.proxy,
      newImplementation: target.newImplementation,
      ...(target.chain === undefined ? {} : { chain: target.chain }),
      ...(target.call === undefined ? {} : { call: target.call }),
    }))
    const [row] = await change.tx.query<PatchRow>(
      `INSERT INTO patches (id, advisory_id, title, status, route, targets, required_approvals, created_at, updated_at)
       VALUES ('PATCH-' || nextval('patch_numbers'), $1, $2, 'proposed', $3, $4, $5, $6, $6) RETURNING ${patchColumns}`,
      [advisory.id, parsed.title, parsed.route, JSON.stringify(targets), parsed.requiredApprovals, change.at],
    )
    const patch = toPatch(row!, [])
    const transitions = [
      await change.recordTransition({
        machine: 'patch',
        subjectId: patch.id,
        advisoryId: advisory.id,
        from: null,
        to: 'proposed',
        evidence: parsed.evidence,
        action: 'patch.created',
        extra: { patch: { id: patch.id, title: patch.title, route: patch.route, targets, requiredApprovals: patch.requiredApprovals } },
      }),
    ]
    let current = advisory
    if (advisory.status === 'triaged') {
      const [updated] = await change.tx.query<AdvisoryRow>(
        `UPDATE advisories SET status = 'patching', updated_at = $2 WHERE id = $1 RETURNING ${advisoryColumns}`,
        [advisory.id, change.at],
      )
      current = toAdvisory(updated!)
      transitions.push(
        await change.recordTransition({ machine: 'advisory', subjectId: advisory.id, advisoryId: advisory.id, from: 'triaged', to: 'patching', evidence: { note: `patch ${patch.id} proposed` } }),
      )
    }
    return { patch, advisory: current, transitions }
  })
}
