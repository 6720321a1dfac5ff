import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { localLifecycleApi } from '../lifecycle/lifecycleApi.js'
import { patchApprovalTypedData } from '../lifecycle/patchApprovalTypedData.js'
import { recordValidationRun } from '../lifecycle/recordValidationRun.js'
import { testSignerAccount, testValidationReport } from '../lifecycle/testing.js'
import { startTestServer, testBackends, type TestServer } from '../server/testServer.js'
import { remoteLifecycleApi } from './remoteLifecycleApi.js'

const [[, store]] = testBackends() as [[string, Parameters<typeof startTestServer>[0]]]
let t: TestServer
let server: string
beforeAll(async () => {
  t = await startTestServer(store)
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  server = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
})
afterAll(async () => t?.close())

test('the remote lifecycle API runs a whole incident over HTTP and answers like the local one', async () => {
  const responder = await remoteLifecycleApi({ server, token: t.tokens.responder })
  const signer = await remoteLifecycleApi({ server, token: t.tokens.signer })
  const auditor = await remoteLifecycleApi({ server, token: t.tokens.auditor })
  expect(responder.actor).toEqual({ id: t.labels.responder, roles: ['responder'] })

  const { advisory } = await responder.createAdvisory({ title: 'Price oracle stale', severity: 'high', reporter: 'monitor' })
  await responder.setContainment({ id: advisory.id, to: 'contained', evidence: { note: 'paused the pool' } })
  await responder.transitionAdvisory({ id: advisory.id, to: 'triaged' })
  const { patch } = await responder.createPatch({
    advisoryId: advisory.id,
    title: 'Reject stale rounds',
    route: 'emergency',
    targets: [{ proxy: `0x${'11'.repeat(20)}`, newImplementation: `0x${'22'.repeat(20)}` }],
  })
  await responder.transitionPatch({ id: patch.id, to: 'validating' })
  // "validated" only comes from a stored validation run (as `bulwark validate --patch` records it).
  await expect(responder.transitionPatch({ id: patch.id, to: 'validated' })).rejects.toMatchObject({ code: 'BW_TRANSITION_ILLEGAL' })
  await recordValidationRun(t.context, { patchId: patch.id, report: testValidationReport(patch) }, { id: 'validator', roles: ['responder'] })
  await responder.transitionPatch({ id: patch.id, to: 'awaiting_approval' })
  // An approval is a registered signer's EIP-712 signature, sent over HTTP like any other.
  const key = testSignerAccount('remote-signer')
  await expect(signer.recordApproval({ patchId: patch.id, note: 'diff reviewed' })).rejects.toMatchObject({ code: 'BW_APPROVAL_SIGNATURE_INVALID' })
  await localLifecycleApi(t.context, { id: 'setup', roles: ['admin'] }).registerApprovalSigner({ address: key.address, label: 'remote signer' })
  const validated = await responder.getPatch(patch.id)
  const signature = await key.signTypedData(patchApprovalTypedData({ patchId: patch.id, reportHash: validated.reportHash!, chainId: validated.chainId! }))
  const approved = await signer.recordApproval({ patchId: patch.id, signature, note: 'diff reviewed' })
  expect(approved.patch.status).toBe('approved')
  // Released without a chain: only an admin's explicit override.
  await expect(responder.transitionPatch({ id: patch.id, to: 'released' })).rejects.toMatchObject({ code: 'BW_TRANSITION_ILLEGAL' })
  await localLifecycleApi(t.context, { id: 'admin', roles: ['admin'] }).transitionPatch({ id: patch.id, to: 'released', override: { reason: 'released outside Bulwark in this test' } })

  expect((await responder.getAdvisory(advisory.id)).status).toBe('released')
  expect((await responder.listAdvisories({ status: 'released' })).map((a) => a.id)).toContain(advisory.id)
  expect((await responder.listPatches({ advisoryId: advisory.id })).map((p) => p.id)).toEqual([patch.id])
  expect((await responder.getPatch(patch.id)).approvals.map((a) => a.signer)).toEqual([key.address])
  const timeline = await responder.listTransitions(advisory.id)
  expect(timeline.map((x) => `${x.machine}:${x.to}`)).toEqual([
    'advisory:reported',
    'containment:contained',
    'advisory:triaged',
    'patch:proposed',
    'advisory:patching',
    'patch:validating',
    'patch:validated',
    'patch:awaiting_approval',
    'patch:approved',
    'patch:released',
    'advisory:released',
  ])
  expect((await responder.getAdvisoryLatency(advisory.id)).exposureWindow).toMatchObject({ open: false, endedBy: 'containment' })
  expect((await responder.getLatencySummary()).advisories).toBeGreaterThanOrEqual(1)

  // The same log, read remotely and locally, verifies with the server's key.
  const entries = await auditor.listAuditEntries({ fromSeq: 1, limit: 1000 })
  const local = localLifecycleApi(t.context, { id: 'local', roles: ['admin'] })
  expect(entries).toEqual(JSON.parse(JSON.stringify(await local.listAuditEntries({ fromSeq: 1, limit: 1000 }))))
  const verdict = await auditor.verifyAuditLog({})
  expect(verdict).toMatchObject({ ok: true, entries: entries.length, keys: [{ keyId: t.context.signingKey.keyId, publicKey: t.context.signingKey.publicKeyPem, registeredAt: 1 }] })
  const tail = await auditor.verifyAuditLog({ publicKeys: [t.context.signingKey.publicKeyPem], expectHead: verdict.head! })
  expect(tail.ok).toBe(true)

  // Refusals keep their codes.
  await expect(responder.listAuditEntries({})).rejects.toMatchObject({ code: 'BW_FORBIDDEN', status: 403 })
  await expect(responder.getAdvisory('ADV-999999')).rejects.toMatchObject({ code: 'BW_ADVISORY_NOT_FOUND' })
  await expect(responder.transitionAdvisory({ id: advisory.id, to: 'reported' })).rejects.toMatchObject({ code: 'BW_TRANSITION_ILLEGAL' })
  await expect(remoteLifecycleApi({ server, token: `bwt_${'x'.repeat(43)}` })).rejects.toMatchObject({ code: 'BW_UNAUTHENTICATED' })
})
