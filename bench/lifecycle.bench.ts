/**
 * Lifecycle write and read costs on the embedded store (PGlite in memory), and on PostgreSQL
 * when BULWARK_TEST_DATABASE_URL is set: a full incident (create → verified → disclosed, 13
 * audited transitions), audit-log verification throughput, and the latency summary.
 * Prints figures and ratios; never fails on an absolute time.
 */
import { createAdvisory } from '../src/lifecycle/createAdvisory.js'
import { createPatch } from '../src/lifecycle/createPatch.js'
import { getLatencySummary } from '../src/lifecycle/getLatencySummary.js'
import { recordApproval } from '../src/lifecycle/recordApproval.js'
import { setContainment } from '../src/lifecycle/setContainment.js'
import { testActors, testBackends, testContext } from '../src/lifecycle/testing.js'
import { transitionAdvisory } from '../src/lifecycle/transitionAdvisory.js'
import { transitionPatch } from '../src/lifecycle/transitionPatch.js'
import { verifyAuditLog } from '../src/lifecycle/verifyAuditLog.js'

const incidents = Number(process.env.BENCH_INCIDENTS ?? 50)
const { responder, signer1, viewer } = testActors
const target = { proxy: `0x${'aa'.repeat(20)}`, newImplementation: `0x${'bb'.repeat(20)}` } as const

for (const backend of testBackends()) {
  const store = await backend.open()
  try {
    const { context, advance } = testContext(store)
    const started = performance.now()
    for (let i = 0; i < incidents; i += 1) {
      const { advisory } = await createAdvisory(context, { title: `incident ${i}`, severity: 'high', reporter: 'bench' }, responder)
      advance(60_000)
      await transitionAdvisory(context, { id: advisory.id, to: 'triaged' }, responder)
      await setContainment(context, { id: advisory.id, to: 'contained' }, responder)
      const { patch } = await createPatch(context, { advisoryId: advisory.id, title: 'fix', route: i % 2 === 0 ? 'standard' : 'emergency', targets: [target] }, responder)
      for (const to of ['validating', 'validated', 'awaiting_approval'] as const) {
        advance(60_000)
        await transitionPatch(context, { id: patch.id, to }, responder)
      }
      await recordApproval(context, { patchId: patch.id }, signer1)
      for (const to of ['released', 'verified'] as const) {
        advance(60_000)
        await transitionPatch(context, { id: patch.id, to }, responder)
      }
      await transitionAdvisory(context, { id: advisory.id, to: 'disclosed' }, responder)
    }
    const writeMs = performance.now() - started
    const [{ entries } = { entries: 0 }] = await store.query<{ entries: number }>('SELECT count(*)::int AS entries FROM audit_log')

    const verifyStart = performance.now()
    const verified = await verifyAuditLog(store, { publicKey: context.signingKey.publicKey })
    const verifyMs = performance.now() - verifyStart

    const summaryStart = performance.now()
    await getLatencySummary(context, viewer)
    const summaryMs = performance.now() - summaryStart

    console.log(`${backend.name}: ${incidents} incidents, ${entries} audit entries`)
    console.log(`  write:   ${(writeMs / entries).toFixed(2)} ms per audited change (${((entries / writeMs) * 1000).toFixed(0)} changes/s), ${(writeMs / incidents).toFixed(1)} ms per incident`)
    console.log(`  verify:  ${verifyMs.toFixed(0)} ms for the whole log (${((entries / verifyMs) * 1000).toFixed(0)} entries/s), ok=${verified.ok}`)
    console.log(`  latency summary over ${incidents} advisories: ${summaryMs.toFixed(1)} ms`)
    console.log(`  ratio verify/write per entry: ${(verifyMs / writeMs).toFixed(3)}`)
  } finally {
    await store.close()
  }
}
