import { getAddress } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Store } from '../store/openStore.js'
import { createAdvisory } from './createAdvisory.js'
import { createPatch } from './createPatch.js'
import { getAdvisory } from './getAdvisory.js'
import { getPatch } from './getPatch.js'
import { listAdvisories } from './listAdvisories.js'
import { listPatches } from './listPatches.js'
import { listTransitions } from './listTransitions.js'
import { can } from './permissions.js'
import { recordApproval } from './recordApproval.js'
import { registerApprovalSigner } from './registerApprovalSigner.js'
import { approveAs, moveTestPatch, testActors, testSignerAccount, testBackends, testContext } from './testing.js'
import { transitionAdvisory } from './transitionAdvisory.js'
import { transitionPatch } from './transitionPatch.js'
import { verifyAuditLog } from './verifyAuditLog.js'

const { admin, responder, auditor, signer1, signer2, viewer } = testActors
const target = { proxy: `0x${'aa'.repeat(20)}`, newImplementation: `0x${'bb'.repeat(20)}` }

describe.each(testBackends())('lifecycle on $name', ({ open }) => {
  let store: Store
  let ctx: ReturnType<typeof testContext>['context']
  beforeAll(async () => {
    store = await open()
    ctx = testContext(store).context
  })
  afterAll(async () => store?.close())

  async function triaged(extra: Partial<Parameters<typeof createAdvisory>[1]> = {}) {
    const { advisory } = await createAdvisory(ctx, { title: 'Oracle rounding lets borrowers drain reserves', severity: 'critical', reporter: 'whitehat@example.org', ...extra }, responder)
    await transitionAdvisory(ctx, { id: advisory.id, to: 'triaged' }, responder)
    return advisory.id
  }

  test('an advisory is stored as given, with its creation transition and audit entry', async () => {
    const { advisory, transition } = await createAdvisory(
      ctx,
      {
        title: 'Reentrancy in withdraw',
        severity: 'high',
        reporter: 'monitor',
        affectedContracts: [{ address: `0x${'ab'.repeat(20)}`, chain: 'devnet', name: 'LendingPool' }],
        discoveredAt: '2024-12-31T22:00:00.000Z',
        alertIds: ['alert-7'],
      },
      responder,
    )
    expect(advisory).toMatchObject({
      id: expect.stringMatching(/^ADV-\d+$/),
      status: 'reported',
      containment: 'none',
      affectedContracts: [{ address: getAddress(`0x${'ab'.repeat(20)}`), chain: 'devnet', name: 'LendingPool' }],
      discoveredAt: new Date('2024-12-31T22:00:00.000Z'),
      reportedAt: new Date('2025-01-01T00:00:00.000Z'),
      embargoed: false,
      alertIds: ['alert-7'],
    })
    expect(transition).toMatchObject({ machine: 'advisory', from: null, to: 'reported', actor: responder })
    expect(await getAdvisory(ctx, advisory.id, viewer)).toEqual(advisory)
    expect((await listTransitions(ctx, { advisoryId: advisory.id }, viewer)).map((t) => t.auditSeq)).toEqual([transition.auditSeq])
    expect(await verifyAuditLog(store, { publicKey: ctx.signingKey.publicKey })).toMatchObject({ ok: true })
  })

  test('bad input is BW_INPUT_INVALID naming the field path; nothing is written', async () => {
    const before = await listAdvisories(ctx, { limit: 1000 }, admin)
    await expect(createAdvisory(ctx, { title: 'x', severity: 'severe' as never, reporter: 'r' }, admin)).rejects.toMatchObject({ code: 'BW_INPUT_INVALID', field: 'severity' })
    await expect(
      createAdvisory(ctx, { title: 'x', severity: 'low', reporter: 'r', affectedContracts: [{ address: `0x${'11'.repeat(20)}` }, { address: '0x1234' }] }, admin),
    ).rejects.toMatchObject({ code: 'BW_INPUT_INVALID', field: 'affectedContracts[1].address', shortMessage: 'affectedContracts[1].address: is not a 20-byte hex address' })
    await expect(createAdvisory(ctx, { title: 'x', severity: 'low', reporter: 'r', discoveredAt: '2999-01-01T00:00:00Z' }, admin)).rejects.toMatchObject({
      code: 'BW_INPUT_INVALID',
      field: 'discoveredAt',
    })
    const id = await triaged()
    await expect(createPatch(ctx, { advisoryId: id, title: 'fix', route: 'standard', targets: [target, { ...target }] }, admin)).rejects.toMatchObject({
      code: 'BW_INPUT_INVALID',
      field: 'targets[1].proxy',
    })
    await expect(transitionAdvisory(ctx, { id, to: 'fixed' as never }, admin)).rejects.toMatchObject({ code: 'BW_INPUT_INVALID', field: 'to' })
    expect((await listAdvisories(ctx, { limit: 1000 }, admin)).length).toBe(before.length + 1)
  })

  test('roles: each operation needs its permission (BW_FORBIDDEN), and approvals need a signer', async () => {
    await expect(createAdvisory(ctx, { title: 'x', severity: 'low', reporter: 'r' }, viewer)).rejects.toMatchObject({ code: 'BW_FORBIDDEN', name: 'ForbiddenError' })
    const id = await triaged()
    await expect(transitionAdvisory(ctx, { id, to: 'withdrawn' }, auditor)).rejects.toMatchObject({ code: 'BW_FORBIDDEN' })
    await expect(createPatch(ctx, { advisoryId: id, title: 'fix', route: 'standard', targets: [target] }, signer1)).rejects.toMatchObject({ code: 'BW_FORBIDDEN' })
    const { patch } = await createPatch(ctx, { advisoryId: id, title: 'fix', route: 'standard', targets: [target] }, responder)
    await expect(recordApproval(ctx, { patchId: patch.id }, admin)).rejects.toMatchObject({ code: 'BW_FORBIDDEN' })
    expect(can(signer1, 'patch:approve') && !can(signer1, 'patch:transition') && can(auditor, 'audit:verify') && !can(viewer, 'audit:read')).toBe(true)
  })

  test('embargo: uncleared actors get "not found" for the advisory and its patches, and lists leave them out', async () => {
    const id = await triaged({ embargoed: true, clearedActors: ['sue'] })
    const { patch } = await createPatch(ctx, { advisoryId: id, title: 'fix', route: 'private', targets: [target] }, responder)
    for (const actor of [signer1, viewer]) {
      const error = await getAdvisory(ctx, id, actor).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'BW_ADVISORY_NOT_FOUND', shortMessage: `No advisory ${id}.` })
      // The same answer as an id that never existed: nothing leaks.
      expect((error as Error).message).toBe(((await getAdvisory(ctx, 'ADV-999999', actor).catch((e: Error) => e)) as Error).message.replace('ADV-999999', id))
      await expect(getPatch(ctx, patch.id, actor)).rejects.toMatchObject({ code: 'BW_PATCH_NOT_FOUND' })
      await expect(listPatches(ctx, { advisoryId: id }, actor)).rejects.toMatchObject({ code: 'BW_ADVISORY_NOT_FOUND' })
      await expect(listTransitions(ctx, { advisoryId: id }, actor)).rejects.toMatchObject({ code: 'BW_ADVISORY_NOT_FOUND' })
      expect((await listAdvisories(ctx, { limit: 1000 }, actor)).map((a) => a.id)).not.toContain(id)
      expect((await listPatches(ctx, { limit: 1000 }, actor)).map((p) => p.id)).not.toContain(patch.id)
    }
    for (const actor of [admin, responder, auditor, signer2]) {
      expect((await getAdvisory(ctx, id, actor)).embargoed).toBe(true)
      expect((await listAdvisories(ctx, { limit: 1000 }, actor)).map((a) => a.id)).toContain(id)
      expect((await getPatch(ctx, patch.id, actor)).id).toBe(patch.id)
    }
    // A signer not cleared cannot approve it either: for them the patch does not exist.
    for (const step of ['validating', 'validated', 'awaiting_approval'] as const) await moveTestPatch(ctx, patch.id, step, responder)
    await expect(approveAs(ctx, patch.id, signer1)).rejects.toMatchObject({ code: 'BW_PATCH_NOT_FOUND' })
    expect((await approveAs(ctx, patch.id, signer2)).patch.status).toBe('approved')
  })

  test('a patch moves its advisory: proposing enters patching, a rejected patch makes room for a new one, releasing and verifying carry the advisory', async () => {
    const reported = (await createAdvisory(ctx, { title: 'x', severity: 'low', reporter: 'r' }, responder)).advisory.id
    await expect(createPatch(ctx, { advisoryId: reported, title: 'too early', route: 'standard', targets: [target] }, responder)).rejects.toMatchObject({
      code: 'BW_TRANSITION_ILLEGAL',
      shortMessage: `Advisory ${reported} is reported; it cannot move to patching. Allowed next: triaged, withdrawn.`,
    })
    const id = await triaged()
    const first = await createPatch(ctx, { advisoryId: id, title: 'first try', route: 'standard', targets: [target], requiredApprovals: 2 }, responder)
    expect(first.advisory.status).toBe('patching')
    await expect(createPatch(ctx, { advisoryId: id, title: 'second', route: 'standard', targets: [target] }, responder)).rejects.toMatchObject({
      code: 'BW_CONFLICT',
      shortMessage: `Advisory ${id} already has an open patch ${first.patch.id} (proposed); reject or withdraw it before proposing another.`,
    })
    await transitionPatch(ctx, { id: first.patch.id, to: 'validating' }, responder)
    await transitionPatch(ctx, { id: first.patch.id, to: 'rejected', evidence: { note: 'storage layout clash', links: ['https://ci.example/run/1'] } }, responder)
    const second = await createPatch(ctx, { advisoryId: id, title: 'second try', route: 'standard', targets: [target], requiredApprovals: 2 }, responder)
    expect(second.transitions.map((t) => t.machine)).toEqual(['patch']) // the advisory already is patching
    for (const step of ['validating', 'validated', 'awaiting_approval'] as const) await moveTestPatch(ctx, second.patch.id, step, responder)
    const sam = testSignerAccount('sam').address
    const sue = testSignerAccount('sue').address

    const one = await approveAs(ctx, second.patch.id, signer1)
    expect(one).toMatchObject({ patch: { status: 'awaiting_approval' }, approval: { signer: sam, kind: 'eip712' } })
    expect(one.transition).toBeUndefined()
    await expect(approveAs(ctx, second.patch.id, signer1)).rejects.toMatchObject({ code: 'BW_CONFLICT', shortMessage: `${sam} has already approved patch ${second.patch.id}.` })
    const two = await approveAs(ctx, second.patch.id, signer2)
    expect(two.transition).toMatchObject({ from: 'awaiting_approval', to: 'approved', evidence: { data: { signers: [sam, sue] } } })
    await expect(approveAs(ctx, second.patch.id, { id: 'sid', roles: ['signer'] })).rejects.toMatchObject({
      code: 'BW_TRANSITION_ILLEGAL',
      metaMessages: ['Approvals are accepted only while a patch is awaiting_approval.'],
    })

    await moveTestPatch(ctx, second.patch.id, 'scheduled', admin)
    const released = await transitionPatch(ctx, { id: second.patch.id, to: 'released', override: { reason: 'test: released without a chain' } }, admin)
    expect(released.advisory.status).toBe('released')
    const verified = await transitionPatch(ctx, { id: second.patch.id, to: 'verified', override: { reason: 'test: verified without a chain' } }, admin)
    expect(verified.advisory.status).toBe('verified')
    expect((await getPatch(ctx, second.patch.id, viewer)).approvals.map((a) => a.signer)).toEqual([sam, sue])
    expect((await listPatches(ctx, { advisoryId: id }, viewer)).map((p) => [p.id, p.status])).toEqual([
      [second.patch.id, 'verified'],
      [first.patch.id, 'rejected'],
    ])
    expect(await verifyAuditLog(store, { publicKey: ctx.signingKey.publicKeyPem })).toMatchObject({ ok: true })
  })

  describe('concurrency: conflicting changes run at once, exactly one wins and the state stays consistent', () => {
    test('two transitions of one advisory to different states', async () => {
      const { advisory } = await createAdvisory(ctx, { title: 'race', severity: 'low', reporter: 'r' }, responder)
      const results = await Promise.allSettled([
        transitionAdvisory(ctx, { id: advisory.id, to: 'triaged', expectedStatus: 'reported' }, responder),
        transitionAdvisory(ctx, { id: advisory.id, to: 'withdrawn', expectedStatus: 'reported' }, admin),
      ])
      const won = results.filter((r) => r.status === 'fulfilled')
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      expect(won).toHaveLength(1)
      expect(lost.map((r) => (r.reason as { code: string }).code)).toEqual(['BW_CONFLICT'])
      const transitions = await listTransitions(ctx, { advisoryId: advisory.id }, admin)
      expect(transitions.map((t) => t.to)).toEqual(['reported', (await getAdvisory(ctx, advisory.id, admin)).status])
    })

    test('the same transition of one patch twice, without expectedStatus: the second is illegal from the new state', async () => {
      const id = await triaged()
      const { patch } = await createPatch(ctx, { advisoryId: id, title: 'fix', route: 'emergency', targets: [target] }, responder)
      const results = await Promise.allSettled([1, 2, 3].map(() => transitionPatch(ctx, { id: patch.id, to: 'validating' }, responder)))
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2 - 1)
      for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
        expect(r.reason).toMatchObject({ code: 'BW_TRANSITION_ILLEGAL', current: 'validating' })
      }
      expect((await listTransitions(ctx, { advisoryId: id }, admin)).filter((t) => t.subjectId === patch.id).map((t) => t.to)).toEqual(['proposed', 'validating'])
    })

    test('two proposals for one advisory: one patch, one BW_CONFLICT', async () => {
      const id = await triaged()
      const results = await Promise.allSettled(
        ['a', 'b'].map((title) => createPatch(ctx, { advisoryId: id, title, route: 'standard', targets: [target] }, responder)),
      )
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'BW_CONFLICT' })
      expect(await listPatches(ctx, { advisoryId: id }, admin)).toHaveLength(1)
    })

    test('approvals at once: a double approval by one signer conflicts; two signers reach the threshold exactly once', async () => {
      const id = await triaged()
      const { patch } = await createPatch(ctx, { advisoryId: id, title: 'fix', route: 'standard', targets: [target], requiredApprovals: 2 }, responder)
      for (const step of ['validating', 'validated', 'awaiting_approval'] as const) await moveTestPatch(ctx, patch.id, step, responder)
      for (const actor of [signer1, signer2]) await registerApprovalSigner(ctx, { address: testSignerAccount(actor.id).address, label: actor.id }, admin)
      const once = { register: false }
      const results = await Promise.allSettled([approveAs(ctx, patch.id, signer1, once), approveAs(ctx, patch.id, signer1, once), approveAs(ctx, patch.id, signer2, once)])
      expect(results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok')).sort()).toEqual(['BW_CONFLICT', 'ok', 'ok'])
      const stored = await getPatch(ctx, patch.id, admin)
      expect(stored.status).toBe('approved')
      expect(stored.approvals.map((a) => a.signer).sort()).toEqual([testSignerAccount('sam').address, testSignerAccount('sue').address].sort())
      const approvedTransitions = (await listTransitions(ctx, { advisoryId: id }, admin)).filter((t) => t.to === 'approved')
      expect(approvedTransitions).toHaveLength(1)
      expect(await verifyAuditLog(store, { publicKey: ctx.signingKey.publicKey })).toMatchObject({ ok: true })
    })
  })
})
