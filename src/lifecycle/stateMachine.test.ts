import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Store } from '../store/openStore.js'
import { createAdvisory } from './createAdvisory.js'
import { createPatch } from './createPatch.js'
import { setContainment } from './setContainment.js'
import { advisoryMachine, patchMachine } from './stateMachine.js'
import { moveTestPatch, testActors, testBackends, testContext } from './testing.js'
import { transitionAdvisory } from './transitionAdvisory.js'
import { transitionPatch } from './transitionPatch.js'
import { advisoryStatuses, patchStatuses, type AdvisoryStatus, type PatchStatus } from './types.js'

// Exhaustive over the real library and database: from every state, every requested target is
// either a legal transition (it lands, with its record) or rejected with BW_TRANSITION_ILLEGAL
// naming the current state and exactly the allowed next ones.

const { admin, signer1 } = testActors
const [pglite] = testBackends()
let store: Store
let ctx: ReturnType<typeof testContext>['context']
beforeAll(async () => {
  store = await pglite!.open()
  ctx = testContext(store).context
})
afterAll(async () => store?.close())

/** How to reach each patch status from `proposed`, by the shortest legal path. */
const patchPaths: Record<PatchStatus, PatchStatus[]> = {
  proposed: [],
  validating: ['validating'],
  validated: ['validating', 'validated'],
  rejected: ['validating', 'rejected'],
  awaiting_approval: ['validating', 'validated', 'awaiting_approval'],
  approved: ['validating', 'validated', 'awaiting_approval', 'approved'],
  scheduled: ['validating', 'validated', 'awaiting_approval', 'approved', 'scheduled'],
  released: ['validating', 'validated', 'awaiting_approval', 'approved', 'released'],
  verified: ['validating', 'validated', 'awaiting_approval', 'approved', 'released', 'verified'],
  withdrawn: ['withdrawn'],
}

async function patchIn(status: PatchStatus) {
  const { advisory } = await createAdvisory(ctx, { title: `patch in ${status}`, severity: 'high', reporter: 'test' }, admin)
  await transitionAdvisory(ctx, { id: advisory.id, to: 'triaged' }, admin)
  const { patch } = await createPatch(ctx, { advisoryId: advisory.id, title: 'fix', route: 'emergency', targets: [{ proxy: `0x${'11'.repeat(20)}`, newImplementation: `0x${'22'.repeat(20)}` }] }, admin)
  for (const step of patchPaths[status]) await moveTestPatch(ctx, patch.id, step, admin, signer1)
  return patch.id
}

/** How to reach each advisory status from `reported`. */
async function advisoryIn(status: AdvisoryStatus) {
  const { advisory } = await createAdvisory(ctx, { title: `advisory in ${status}`, severity: 'medium', reporter: 'test' }, admin)
  const id = advisory.id
  if (status === 'reported') return id
  if (status === 'withdrawn') {
    await transitionAdvisory(ctx, { id, to: 'withdrawn' }, admin)
    return id
  }
  await transitionAdvisory(ctx, { id, to: 'triaged' }, admin)
  if (status === 'triaged') return id
  const { patch } = await createPatch(ctx, { advisoryId: id, title: 'fix', route: 'emergency', targets: [{ proxy: `0x${'11'.repeat(20)}`, newImplementation: `0x${'22'.repeat(20)}` }] }, admin)
  if (status === 'patching') return id
  for (const step of ['validating', 'validated', 'awaiting_approval', 'approved', 'released'] as const) await moveTestPatch(ctx, patch.id, step, admin, signer1)
  if (status === 'released') return id
  await moveTestPatch(ctx, patch.id, 'verified', admin)
  if (status === 'verified') return id
  await transitionAdvisory(ctx, { id, to: 'disclosed' }, admin)
  return id
}

describe('patch state machine', () => {
  test.each(patchStatuses)('from %s: each allowed move lands, every other is BW_TRANSITION_ILLEGAL naming the state and the allowed ones', async (from) => {
    const allowed: readonly PatchStatus[] = patchMachine.manual[from]
    const id = await patchIn(from)
    for (const to of patchStatuses.filter((status) => !allowed.includes(status))) {
      const error = await transitionPatch(ctx, { id, to }, admin).catch((e: unknown) => e)
      expect(error, `${from} → ${to}`).toMatchObject({
        code: 'BW_TRANSITION_ILLEGAL',
        name: 'TransitionIllegalError',
        shortMessage: `Patch ${id} is ${from}; it cannot move to ${to}. Allowed next: ${allowed.length > 0 ? allowed.join(', ') : 'none (final state)'}.`,
        current: from,
        allowed,
      })
    }
    for (const to of allowed) {
      const fresh = await patchIn(from)
      const { patch, transitions } = await transitionPatch(ctx, { id: fresh, to, evidence: { note: `${from} → ${to}` } }, admin)
      expect(patch.status).toBe(to)
      expect(transitions[0]).toMatchObject({ machine: 'patch', subjectId: fresh, from, to, actor: admin, evidence: { note: `${from} → ${to}` } })
    }
  })

  test('"approved" is reached only by approvals; asking for it says how many are missing', async () => {
    const id = await patchIn('awaiting_approval')
    const error = await transitionPatch(ctx, { id, to: 'approved' }, admin).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BW_TRANSITION_ILLEGAL', metaMessages: ['A patch enters "approved" when 1 distinct signer(s) approve it; it has 0.'] })
  })
})

describe('advisory state machine', () => {
  test.each(advisoryStatuses)('from %s: each allowed move lands, every other is BW_TRANSITION_ILLEGAL', async (from) => {
    const allowed: readonly AdvisoryStatus[] = advisoryMachine.manual[from]
    const id = await advisoryIn(from)
    for (const to of advisoryStatuses.filter((status) => !allowed.includes(status))) {
      const error = await transitionAdvisory(ctx, { id, to }, admin).catch((e: unknown) => e)
      expect(error, `${from} → ${to}`).toMatchObject({
        code: 'BW_TRANSITION_ILLEGAL',
        shortMessage: `Advisory ${id} is ${from}; it cannot move to ${to}. Allowed next: ${allowed.length > 0 ? allowed.join(', ') : 'none (final state)'}.`,
      })
    }
    for (const to of allowed) {
      const fresh = await advisoryIn(from)
      const { advisory, transitions } = await transitionAdvisory(ctx, { id: fresh, to }, admin)
      expect(advisory.status).toBe(to)
      expect(transitions[0]).toMatchObject({ machine: 'advisory', from, to })
    }
  })

  test('the automatic states explain how they are entered', async () => {
    const id = await advisoryIn('triaged')
    await expect(transitionAdvisory(ctx, { id, to: 'patching' }, admin)).rejects.toMatchObject({
      code: 'BW_TRANSITION_ILLEGAL',
      metaMessages: ['An advisory enters "patching" when a patch is proposed for it (`bulwark patch create`).'],
    })
  })

  test('withdrawing an advisory withdraws its open patch, as a recorded transition of its own', async () => {
    const id = await advisoryIn('patching')
    const { transitions } = await transitionAdvisory(ctx, { id, to: 'withdrawn' }, admin)
    expect(transitions.map((t) => `${t.machine}:${t.from}→${t.to}`)).toEqual(['advisory:patching→withdrawn', 'patch:proposed→withdrawn'])
  })
})

describe('containment', () => {
  test('can be put in place in any state before release, lifted, and re-applied; never after release', async () => {
    for (const status of ['reported', 'triaged', 'patching'] as const) {
      const id = await advisoryIn(status)
      expect((await setContainment(ctx, { id, to: 'contained' }, admin)).advisory).toMatchObject({ containment: 'contained', status })
      await expect(setContainment(ctx, { id, to: 'contained' }, admin)).rejects.toMatchObject({
        code: 'BW_TRANSITION_ILLEGAL',
        shortMessage: `Containment of advisory ${id} (advisory ${status}) is contained; it cannot move to contained. Allowed next: lifted.`,
      })
      await setContainment(ctx, { id, to: 'lifted' }, admin)
      expect((await setContainment(ctx, { id, to: 'contained' }, admin)).advisory.containment).toBe('contained')
    }
    const released = await advisoryIn('released')
    const error = await setContainment(ctx, { id: released, to: 'contained' }, admin).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'BW_TRANSITION_ILLEGAL',
      shortMessage: `Containment of advisory ${released} (advisory released) is none; it cannot move to contained. Allowed next: none (final state).`,
      metaMessages: ['Containment is only possible before the fix is released.'],
    })
    await expect(setContainment(ctx, { id: released, to: 'lifted' }, admin)).rejects.toMatchObject({ code: 'BW_TRANSITION_ILLEGAL' })
  })
})
