import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createAdvisory } from '../../lifecycle/createAdvisory.js'
import { setContainment } from '../../lifecycle/setContainment.js'
import { testActors, testContext } from '../../lifecycle/testing.js'
import { openStore } from '../../store/openStore.js'
import { main } from '../main.js'
import { captureIo } from '../testIo.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bulwark-risk-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const standalone = [
  'risk',
  '--severity', 'critical',
  '--exposure', 'private',
  '--value-at-risk', '10_000_000',
  '--unpausable-share', '0.1',
  '--routes', 'standard,emergency',
  '--timelock-delay', '48',
  '--discovered-at', '2026-03-01T09:00:00Z',
  '--now', '2026-03-01T12:00:00Z',
  '--samples', '2000',
]

describe('bulwark risk', () => {
  test('--json: every allowed option scored, the recommendation and the chart, reproducibly', async () => {
    const first = captureIo(dir)
    expect(await main([...standalone, '--json'], first.io)).toBe(0)
    const { ok, assessment } = first.json()
    expect(ok).toBe(true)
    expect(assessment.options.map((option: { id: string }) => option.id)).toEqual(['standard', 'standard+pause', 'emergency', 'emergency+pause'])
    expect(assessment.recommendation.optionId).toBe('emergency+pause')
    expect(assessment.input).toMatchObject({ severity: 'critical', exposure: 'private', valueAtRiskUsd: 10_000_000, discoveredAt: '2026-03-01T09:00:00.000Z' })
    expect(assessment.chart.hoursSinceDiscovery).toBe(3)
    expect(assessment.chart.series).toHaveLength(4)
    expect(first.stderr()).toBe('')
    const second = captureIo(dir)
    await main([...standalone, '--json'], second.io)
    expect(second.json()).toEqual(first.json())
  })

  test('text: a table of options with the recommended one starred, then the explanation', async () => {
    const run = captureIo(dir)
    expect(await main([...standalone, '--quiet'], run.io)).toBe(0)
    const text = run.stdout()
    expect(text).toMatch(/^option +release \(median, 80%\) +P\(exploit first\)/m)
    expect(text).toMatch(/^emergency\+pause \* +6\.0 h/m)
    expect(text).toContain('Recommended: emergency+pause — pause first, then release through the emergency council')
    expect(text).toContain("Not available under the project's governance constraints: private.")
  })

  test('missing or malformed flags are usage errors naming the flag; bad model inputs name the field', async () => {
    const cases: [string[], number, string, string][] = [
      [standalone.filter((_, i) => i < 5 || i > 6), 2, 'BW_USAGE', 'Give --value-at-risk USD'],
      [[...standalone, '--routes', 'standard,council'], 2, 'BW_USAGE', '--routes: unknown route "council"'],
      [[...standalone, '--seed', 'abc'], 2, 'BW_USAGE', '--seed must be a number; got "abc".'],
      [[...standalone, '--now', 'yesterday'], 2, 'BW_USAGE', '--now must be an ISO date-time'],
      [[...standalone, '--unpausable-share', '2'], 2, 'BW_RISK_INPUT_INVALID', 'Risk input unpausableShare:'],
      [[...standalone, '--severity', 'severe'], 2, 'BW_RISK_INPUT_INVALID', 'Risk input severity:'],
      [['risk', '--severity', 'high', '--exposure', 'public', '--value-at-risk', '1'], 2, 'BW_USAGE', 'Give --unpausable-share (0–1)'],
    ]
    for (const [argv, exit, code, message] of cases) {
      const run = captureIo(dir)
      expect(await main([...argv, '--json'], run.io), argv.join(' ')).toBe(exit)
      const { error } = run.json()
      expect(error.code, argv.join(' ')).toBe(code)
      expect(error.message).toContain(message)
    }
  })

  test('--history FILE: the project’s latencies replace the priors when there are enough', async () => {
    const file = path.join(dir, 'history.json')
    await writeFile(file, JSON.stringify({ emergency: [1, 1.5, 2, 2.5, 3] }))
    const run = captureIo(dir)
    expect(await main([...standalone, '--history', 'history.json', '--json'], run.io)).toBe(0)
    const emergency = run.json().assessment.options.find((option: { id: string }) => option.id === 'emergency')
    expect(emergency.latency.source).toEqual({ kind: 'history', samples: 5 })
  })

  test('--backtest FILE: scores the model against recorded incidents', async () => {
    const file = path.join(dir, 'incidents.json')
    const incident = { severity: 'critical', exposure: 'private', valueAtRiskUsd: 1e6, unpausableShare: 0, contained: false, route: 'emergency', releaseHours: 4, visibleHours: 0 }
    await writeFile(
      file,
      JSON.stringify([
        { ...incident, id: 'a', exploited: false },
        { ...incident, id: 'b', route: 'standard', releaseHours: 72, visibleHours: 48, exploited: true, lossUsd: 1e6 },
      ]),
    )
    const run = captureIo(dir)
    expect(await main(['risk', '--backtest', file, '--json'], run.io)).toBe(0)
    const { backtest } = run.json()
    expect(backtest.incidents).toBe(2)
    expect(backtest.observedExploits).toBe(1)
    expect(backtest.brierSkillScore).toBeGreaterThan(0)
    const text = captureIo(dir)
    await main(['risk', '--backtest', file], text.io)
    expect(text.stdout()).toContain('Backtest over 2 recorded incident(s):')
  })

  test('an advisory from the lifecycle store supplies severity, discovery time, embargo exposure and containment', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'bulwark-risk-advisory-'))
    try {
      const store = await openStore({ dataDir: path.join(cwd, '.bulwark', 'db') })
      let id: string
      try {
        const { context } = testContext(store, new Date('2026-03-01T10:00:00Z'))
        const { advisory } = await createAdvisory(
          context,
          { title: 'Reentrancy in withdraw', severity: 'high', reporter: 'whitehat', discoveredAt: '2026-03-01T08:00:00Z', embargoed: true },
          testActors.admin as never,
        )
        id = advisory.id
        await setContainment(context, { id, to: 'contained', evidence: { note: 'guardian paused' } }, testActors.admin as never)
      } finally {
        await store.close()
      }
      const run = captureIo(cwd, { USER: 'alice' })
      expect(await main(['risk', id, '--value-at-risk', '5000000', '--unpausable-share', '0.2', '--now', '2026-03-01T12:00:00Z', '--samples', '1000', '--json'], run.io)).toBe(0)
      const { advisoryId, assessment } = run.json()
      expect(advisoryId).toBe(id)
      expect(assessment.input).toMatchObject({ severity: 'high', exposure: 'private', contained: true, discoveredAt: '2026-03-01T08:00:00.000Z' })
      expect(assessment.options.some((option: { pauseFirst: boolean }) => option.pauseFirst)).toBe(false)

      const missing = captureIo(cwd)
      expect(await main(['risk', 'ADV-999', '--value-at-risk', '1', '--unpausable-share', '0', '--json'], missing.io)).not.toBe(0)
      expect(missing.json().error.code).toBe('BW_ADVISORY_NOT_FOUND')
    } finally {
      await rm(cwd, { recursive: true, force: true })
    }
  })
})
