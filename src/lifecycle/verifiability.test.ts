import { privateKeyToAccount } from 'viem/accounts'
import { keccak256, stringToHex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Store } from '../store/openStore.js'
import { createAdvisory } from './createAdvisory.js'
import { createPatch } from './createPatch.js'
import { getPatch } from './getPatch.js'
import { listAuditEntries } from './listAuditEntries.js'
import { listTransitions } from './listTransitions.js'
import { patchApprovalTypedData } from './patchApprovalTypedData.js'
import { recordApproval } from './recordApproval.js'
import { recordValidationRun } from './recordValidationRun.js'
import { recordVerification } from './recordVerification.js'
import { registerApprovalSigner } from './registerApprovalSigner.js'
import { moveTestPatch, testActors, testBackends, testContext, testSignerAccount, testValidationReport } from './testing.js'
import { transitionAdvisory } from './transitionAdvisory.js'
import { transitionPatch } from './transitionPatch.js'
import type { PatchStatus } from './types.js'

// Deployed = validated = approved is enforced by the lifecycle itself: each move that claims
// something about the code or the chain needs its evidence, and a bypass is refused — even for an admin.

const { admin, responder, signer1, signer2 } = testActors
let store: Store
let ctx: ReturnType<typeof testContext>['context']
beforeAll(async () => {
  store = await testBackends()[0]!.open()
  ctx = testContext(store).context
})
afterAll(async () => store?.close())

async function patchIn(status: PatchStatus, requiredApprovals = 1) {
  const { advisory } = await createAdvisory(ctx, { title: `patch in ${status}`, severity: 'high', reporter: 'test' }, admin)
  await transitionAdvisory(ctx, { id: advisory.id, to: 'triaged' }, admin)
  const { patch } = await createPatch(ctx, { advisoryId: advisory.id, title: 'fix', route: 'emergency', requiredApprovals, targets: [{ proxy: `0x${'11'.repeat(20)}`, newImplementation: `0x${'22'.repeat(20)}` }] }, admin)
  const path: PatchStatus[] = ['validating', 'validated', 'awaiting_approval', 'approved', 'released']
  for (const step of path.slice(0, path.indexOf(status) + 1)) await moveTestPatch(ctx, patch.id, step, admin)
  return (await getPatch(ctx, patch.id, admin))
}

describe('validated only from a stored validation run', () => {
  test('a manual "validated" is refused, even for an admin, naming how a patch gets there', async () => {
    const patch = await patchIn('validating')
    const error = await transitionPatch(ctx, { id: patch.id, to: 'validated', evidence: { note: 'looks fine', data: { reportHash: `0x${'ab'.repeat(32)}` } } }, admin).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BW_TRANSITION_ILLEGAL', shortMessage: `Patch ${patch.id} is validating; it cannot move to validated. Allowed next: rejected, withdrawn.` })
    expect((error as { metaMessages: string[] }).metaMessages[0]).toMatch(/only from a stored passing validation run/)
    expect((await getPatch(ctx, patch.id, admin)).status).toBe('validating')
  })

  test('a run whose hash is not its report\'s, or that validates other proxies, is BW_VALIDATION_RUN_INVALID', async () => {
    const patch = await patchIn('validating')
    const report = testValidationReport(patch)
    await expect(recordValidationRun(ctx, { patchId: patch.id, report: { ...report, verdict: 'pass', blockingFindings: 3 } }, responder)).rejects.toMatchObject({ code: 'BW_VALIDATION_RUN_INVALID' })
    const other = testValidationReport({ targets: [{ proxy: `0x${'33'.repeat(20)}`, newImplementation: `0x${'22'.repeat(20)}` }] })
    await expect(recordValidationRun(ctx, { patchId: patch.id, report: other }, responder)).rejects.toMatchObject({ code: 'BW_VALIDATION_RUN_INVALID' })
    expect((await getPatch(ctx, patch.id, admin)).status).toBe('validating')
  })

  test('a passing run validates the patch and stores the report hash in its own column; a failing one rejects it', async () => {
    const patch = await patchIn('validating')
    const report = testValidationReport(patch)
    const { patch: validated, run, outcome } = await recordValidationRun(ctx, { patchId: patch.id, report }, responder)
    expect(outcome).toBe('validated')
    expect(validated).toMatchObject({ status: 'validated', reportHash: report.hash, chainId: 31337 })
    const [row] = await store.query<{ report_hash: string; validation_run_id: string }>('SELECT report_hash, validation_run_id::text AS validation_run_id FROM patches WHERE id = $1', [patch.id])
    expect(row).toMatchObject({ report_hash: report.hash, validation_run_id: String(run.id) })
    const failing = await patchIn('validating')
    expect((await recordValidationRun(ctx, { patchId: failing.id, report: testValidationReport(failing, { verdict: 'fail' }) }, responder)).patch.status).toBe('rejected')
  })
})

describe('approved only from verified signatures', () => {
  test('an approval without a signature is refused', async () => {
    const patch = await patchIn('awaiting_approval')
    await expect(recordApproval(ctx, { patchId: patch.id, note: 'clicked approve' }, signer1)).rejects.toMatchObject({ code: 'BW_APPROVAL_SIGNATURE_INVALID' })
    await expect(recordApproval(ctx, { patchId: patch.id, digest: patch.reportHash! }, signer1)).rejects.toMatchObject({ code: 'BW_APPROVAL_SIGNATURE_INVALID' })
    expect((await getPatch(ctx, patch.id, admin)).approvals).toEqual([])
  })

  test('bad signatures are refused: an unregistered key, another report, another chain, another patch, garbage', async () => {
    const patch = await patchIn('awaiting_approval')
    const registered = testSignerAccount('registered-signer')
    await registerApprovalSigner(ctx, { address: registered.address, label: 'registered' }, admin)
    const stranger = privateKeyToAccount(keccak256(stringToHex('not registered')))
    const message = { patchId: patch.id, reportHash: patch.reportHash!, chainId: patch.chainId! }
    const signatures = {
      'an unregistered key': await stranger.signTypedData(patchApprovalTypedData(message)),
      'another report': await registered.signTypedData(patchApprovalTypedData({ ...message, reportHash: `0x${'ee'.repeat(32)}` })),
      'another chain': await registered.signTypedData(patchApprovalTypedData({ ...message, chainId: 1 })),
      'another patch': await registered.signTypedData(patchApprovalTypedData({ ...message, patchId: 'PATCH-999' })),
      'a plain message signature': await registered.signMessage({ message: { raw: patch.reportHash! } }),
    }
    for (const [why, signature] of Object.entries(signatures)) {
      await expect(recordApproval(ctx, { patchId: patch.id, signature }, signer1), why).rejects.toMatchObject({ code: 'BW_APPROVAL_SIGNATURE_INVALID' })
    }
    await expect(recordApproval(ctx, { patchId: patch.id, signature: `0x${'12'.repeat(65)}` }, signer1)).rejects.toMatchObject({ code: 'BW_APPROVAL_SIGNATURE_INVALID' })
    // A revoked signer no longer counts.
    await registerApprovalSigner(ctx, { address: registered.address, label: 'registered', revoke: true }, admin)
    await expect(recordApproval(ctx, { patchId: patch.id, signature: await registered.signTypedData(patchApprovalTypedData(message)) }, signer1)).rejects.toMatchObject({ code: 'BW_APPROVAL_SIGNATURE_INVALID' })
    expect((await getPatch(ctx, patch.id, admin)).approvals).toEqual([])
    // The right signature of a registered key lands, as the signer's address, kind eip712.
    await registerApprovalSigner(ctx, { address: registered.address, label: 'registered' }, admin)
    const { patch: approved, approval } = await recordApproval(ctx, { patchId: patch.id, signature: await registered.signTypedData(patchApprovalTypedData(message)) }, signer1)
    expect(approval).toMatchObject({ signer: registered.address, kind: 'eip712' })
    expect(approved.status).toBe('approved')
  })

  test('one key approves once, whoever submits its signature', async () => {
    const patch = await patchIn('awaiting_approval', 2)
    await moveTestPatch(ctx, patch.id, 'approved', admin, signer1)
    const signature = await testSignerAccount(signer1.id).signTypedData(patchApprovalTypedData({ patchId: patch.id, reportHash: patch.reportHash!, chainId: patch.chainId! }))
    await expect(recordApproval(ctx, { patchId: patch.id, signature }, signer2)).rejects.toMatchObject({ code: 'BW_CONFLICT' })
  })
})

describe('released and verified need the chain; an override is explicit, admin-only and shown', () => {
  test('a manual "released", "scheduled" or "verified" is refused', async () => {
    const approved = await patchIn('approved')
    for (const to of ['released', 'scheduled'] as const) await expect(transitionPatch(ctx, { id: approved.id, to }, admin)).rejects.toMatchObject({ code: 'BW_TRANSITION_ILLEGAL' })
    const released = await patchIn('released')
    await expect(transitionPatch(ctx, { id: released.id, to: 'verified', evidence: { note: 'checked by hand' } }, admin)).rejects.toMatchObject({ code: 'BW_TRANSITION_ILLEGAL' })
  })

  test('a failing verifyRelease result is stored and moves nothing; a passing one for another report moves nothing', async () => {
    const released = await patchIn('released')
    const failing = { ok: false, reportHash: released.reportHash!, gate: null, gatePatchId: null, targets: [], checks: [{ check: 'gate released the report', ok: false, detail: 'no PatchReleased event' }] }
    const stored = await recordVerification(ctx, { patchId: released.id, result: failing }, responder)
    expect(stored.verification.ok).toBe(false)
    expect(stored.patch.status).toBe('released')
    const elsewhere = { ...failing, ok: true, reportHash: `0x${'cd'.repeat(32)}` as const, checks: [{ check: 'gate released the report', ok: true, detail: 'ok' }] }
    expect((await recordVerification(ctx, { patchId: released.id, result: elsewhere }, responder)).patch.status).toBe('released')
  })

  test('an override needs an admin and a reason, and is recorded as an override', async () => {
    const patch = await patchIn('validating')
    await expect(transitionPatch(ctx, { id: patch.id, to: 'validated', override: { reason: 'validated offline by the audit firm' } }, responder)).rejects.toMatchObject({ code: 'BW_FORBIDDEN' })
    await expect(transitionPatch(ctx, { id: patch.id, to: 'validated', override: { reason: 'ok' } }, admin)).rejects.toMatchObject({ code: 'BW_INPUT_INVALID' })
    await expect(transitionPatch(ctx, { id: patch.id, to: 'released', override: { reason: 'jumping ahead is not an override' } }, admin)).rejects.toMatchObject({ code: 'BW_TRANSITION_ILLEGAL' })
    const { transitions } = await transitionPatch(ctx, { id: patch.id, to: 'validated', override: { reason: 'validated offline by the audit firm' } }, admin)
    expect(transitions[0]).toMatchObject({ to: 'validated', override: 'validated offline by the audit firm' })
    const timeline = await listTransitions(ctx, { advisoryId: patch.advisoryId }, admin)
    expect(timeline.at(-1)).toMatchObject({ to: 'validated', override: 'validated offline by the audit firm' })
    const audit = await listAuditEntries(ctx, {}, admin)
    expect(audit.at(-1)).toMatchObject({ action: 'patch.overridden', payload: expect.objectContaining({ override: 'validated offline by the audit firm' }) })
    // Nothing to approve: an overridden patch has no validated report hash.
    expect((await getPatch(ctx, patch.id, admin)).reportHash).toBeNull()
  })
})
