import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Store } from '../store/openStore.js'
import { summarizeDurations } from './computeLatency.js'
import { createAdvisory } from './createAdvisory.js'
import { createPatch } from './createPatch.js'
import { getAdvisoryLatency } from './getAdvisoryLatency.js'
import { getLatencyHistory } from './getLatencyHistory.js'
import { getLatencySummary } from './getLatencySummary.js'
import { setContainment } from './setContainment.js'
import { moveTestPatch, testActors, testBackends, testContext } from './testing.js'
import { transitionAdvisory } from './transitionAdvisory.js'
import type { Actor, PatchStatus } from './types.js'

const { responder, signer1, viewer, admin } = testActors
const minute = 60_000
const hour = 60 * minute
const target = { proxy: `0x${'aa'.repeat(20)}`, newImplementation: `0x${'bb'.repeat(20)}` }

// An incident replayed on a controlled clock: every figure is known exactly.
describe('latency', () => {
  let store: Store
  let ctx: ReturnType<typeof testContext>['context']
  let advance: (ms: number) => void
  const ids: Record<'emergency' | 'standard' | 'open' | 'embargoed', string> = { emergency: '', standard: '', open: '', embargoed: '' }

  async function steps(patchId: string, plan: [PatchStatus, number][]) {
    for (const [to, after] of plan) {
      advance(after)
      await moveTestPatch(ctx, patchId, to, responder, signer1)
    }
  }

  beforeAll(async () => {
    store = await testBackends()[0]!.open()
    ;({ context: ctx, advance } = testContext(store))
    const t0 = ctx.now()

    // Emergency route: contained early, a first patch rejected, the second released.
    ids.emergency = (await createAdvisory(ctx, { title: 'GHO-like', severity: 'critical', reporter: 'r', discoveredAt: new Date(t0.getTime() - 2 * hour) }, responder)).advisory.id
    advance(30 * minute)
    await transitionAdvisory(ctx, { id: ids.emergency, to: 'triaged' }, responder)
    advance(15 * minute)
    await setContainment(ctx, { id: ids.emergency, to: 'contained', evidence: { note: 'guardian pause' } }, responder)
    advance(60 * minute)
    const p1 = (await createPatch(ctx, { advisoryId: ids.emergency, title: 'first', route: 'emergency', targets: [target] }, responder)).patch.id
    await steps(p1, [['validating', 10 * minute], ['rejected', 20 * minute]])
    advance(30 * minute)
    const p2 = (await createPatch(ctx, { advisoryId: ids.emergency, title: 'second', route: 'emergency', targets: [target] }, responder)).patch.id
    await steps(p2, [['validating', 40 * minute], ['validated', 20 * minute], ['awaiting_approval', 5 * minute], ['approved', 25 * minute], ['released', 10 * minute], ['verified', 20 * minute]])
    advance(48 * hour)
    await transitionAdvisory(ctx, { id: ids.emergency, to: 'disclosed' }, responder)

    // Standard route through the timelock, never contained.
    ids.standard = (await createAdvisory(ctx, { title: 'Compound-like', severity: 'high', reporter: 'r' }, responder)).advisory.id
    advance(10 * minute)
    await transitionAdvisory(ctx, { id: ids.standard, to: 'triaged' }, responder)
    advance(20 * minute)
    const p3 = (await createPatch(ctx, { advisoryId: ids.standard, title: 'fix', route: 'standard', targets: [target] }, responder)).patch.id
    await steps(p3, [['validating', 10 * minute], ['validated', 10 * minute], ['awaiting_approval', 0], ['approved', hour], ['scheduled', 5 * minute], ['released', 48 * hour], ['verified', 10 * minute]])

    // Still open: triaged, nothing else.
    ids.open = (await createAdvisory(ctx, { title: 'open', severity: 'medium', reporter: 'r' }, responder)).advisory.id
    advance(40 * minute)
    await transitionAdvisory(ctx, { id: ids.open, to: 'triaged' }, responder)

    ids.embargoed = (await createAdvisory(ctx, { title: 'secret', severity: 'low', reporter: 'r', embargoed: true }, responder)).advisory.id
    advance(5 * minute)
    await transitionAdvisory(ctx, { id: ids.embargoed, to: 'triaged' }, responder)
    advance(hour)
  })
  afterAll(async () => store?.close())

  test('per advisory: every stage, time to containment and release, and the exposure window ended by containment', async () => {
    const latency = await getAdvisoryLatency(ctx, ids.emergency, viewer)
    expect(latency).toMatchObject({
      route: 'emergency',
      stages: {
        report: 2 * hour,
        triage: 30 * minute,
        fix: (15 + 60 + 10 + 20 + 30) * minute,
        validation: 60 * minute,
        approval: 30 * minute,
        release: 10 * minute,
        verification: 20 * minute,
        disclosure: 48 * hour,
      },
      measures: {
        timeToContainment: 2 * hour + 45 * minute,
        timeToRelease: 2 * hour + (30 + 15 + 60 + 10 + 20 + 30 + 40 + 20 + 5 + 25 + 10) * minute,
        timeToVerification: 2 * hour + 285 * minute,
      },
      exposureWindow: { ms: 2 * hour + 45 * minute, open: false, endedBy: 'containment' },
    })
    expect(latency.current).toBeUndefined()
    const rejected = latency.timeInState.patches.find((p) => p.status === 'rejected')
    expect(rejected?.timeInState).toEqual({ proposed: 10 * minute, validating: 20 * minute })
  })

  test('an uncontained incident is exposed until its verified release; an open one shows its current stage', async () => {
    const standard = await getAdvisoryLatency(ctx, ids.standard, viewer)
    expect(standard.exposureWindow).toEqual({ ms: (10 + 20 + 10 + 10 + 60 + 5 + 10) * minute + 48 * hour, open: false, endedBy: 'verified-release' })
    expect(standard.stages.release).toBe(5 * minute + 48 * hour)
    expect(standard.timeInState.patches[0]?.timeInState).toMatchObject({ approved: 5 * minute, scheduled: 48 * hour })

    const open = await getAdvisoryLatency(ctx, ids.open, viewer)
    expect(open.current).toEqual({ stage: 'fix', since: expect.any(Date), elapsedMs: 5 * minute + hour })
    expect(open.exposureWindow).toEqual({ ms: 40 * minute + 5 * minute + hour, open: true })
  })

  test('across advisories: median and p90 per stage, over what the actor may see', async () => {
    const summary = await getLatencySummary(ctx, viewer)
    expect(summary.advisories).toBe(3)
    expect(summary.stages.triage).toEqual({ count: 3, medianMs: 30 * minute, p90Ms: 40 * minute })
    expect(summary.stages.disclosure).toEqual({ count: 1, medianMs: 48 * hour, p90Ms: 48 * hour })
    expect(summary.measures.exposureWindow?.count).toBe(2)
    expect(summary.openExposures).toBe(1)
    expect((await getLatencySummary(ctx, admin)).advisories).toBe(4)
    await expect(getAdvisoryLatency(ctx, ids.embargoed, viewer)).rejects.toMatchObject({ code: 'BW_ADVISORY_NOT_FOUND' })
  })

  test('history per route feeds the risk model with released incidents only', async () => {
    const history = await getLatencyHistory(ctx)
    expect(history.samples.map((s) => [s.advisoryId, s.route]).sort()).toEqual([[ids.emergency, 'emergency'], [ids.standard, 'standard']].sort())
    expect(history.byRoute.standard.stages.release).toEqual({ count: 1, medianMs: 5 * minute + 48 * hour, p90Ms: 5 * minute + 48 * hour })
    expect(history.byRoute.private.advisories).toBe(0)
  })

  test('an embargoed release counts in the history only for those cleared for it', async () => {
    const secret = (await createAdvisory(ctx, { title: 'embargoed fix', severity: 'high', reporter: 'r', embargoed: true, clearedActors: [signer1.id] }, responder)).advisory.id
    await transitionAdvisory(ctx, { id: secret, to: 'triaged' }, responder)
    const patchId = (await createPatch(ctx, { advisoryId: secret, title: 'quiet fix', route: 'private', targets: [target] }, responder)).patch.id
    await steps(patchId, [['validating', minute], ['validated', minute], ['awaiting_approval', 0], ['approved', minute], ['scheduled', minute], ['released', hour]])
    const sampled = async (actor?: Actor) => (await getLatencyHistory(ctx, actor)).samples.map((sample) => sample.advisoryId)
    expect(await sampled(responder)).toContain(secret)
    expect(await sampled()).toContain(secret)
    expect(await sampled(viewer)).not.toContain(secret)
    expect((await getLatencyHistory(ctx, viewer)).byRoute.private.advisories).toBe(0)
    expect(await sampled(viewer)).toEqual(expect.arrayContaining([ids.emergency, ids.standard]))
  })

  test('median and nearest-rank p90', () => {
    expect(summarizeDurations([])).toBeNull()
    expect(summarizeDurations([7])).toEqual({ count: 1, medianMs: 7, p90Ms: 7 })
    expect(summarizeDurations([10, 1, 9, 2, 8, 3, 7, 4, 6, 5])).toEqual({ count: 10, medianMs: 5.5, p90Ms: 9 })
    expect(summarizeDurations([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100])).toEqual({ count: 11, medianMs: 6, p90Ms: 10 })
  })
})
