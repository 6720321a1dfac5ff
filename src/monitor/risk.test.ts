import { describe, expect, test } from 'vitest'
import { createRiskRollup, defaultRiskConfig, scoreFindings } from './risk.js'
import type { DetectorFinding } from './types.js'

const pool = '0x5FbDB2315678afecb367f032d93F642f64180aa3' as const
const vault = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' as const

function finding(detector: string, severity: DetectorFinding['severity'], target: `0x${string}` = pool, chain = 31337): DetectorFinding {
  return { detector, severity, chain, addresses: [target], summary: detector, evidence: {}, pending: false }
}

describe('risk roll-up', () => {
  test('the worst severity sets the score; each further distinct detector adds the corroboration bonus; capped at 100', () => {
    expect(scoreFindings([finding('tvl-drop', 'medium')])).toBe(45)
    expect(scoreFindings([finding('tvl-drop', 'medium'), finding('tvl-drop', 'high')])).toBe(70)
    expect(scoreFindings([finding('tvl-drop', 'medium'), finding('large-outflow', 'high')])).toBe(80)
    expect(scoreFindings([finding('a', 'critical'), finding('b', 'critical'), finding('c', 'high')])).toBe(100)
    expect(scoreFindings([finding('a', 'high'), finding('b', 'info')])).toBe(70)
    expect(scoreFindings([])).toBe(0)
  })

  test('findings about one target within the window are one incident whose score rises; later or elsewhere is a new one', () => {
    const rollup = createRiskRollup(defaultRiskConfig)
    const first = rollup.add(finding('large-outflow', 'medium'), 'A1', 1_000)
    expect(first).toMatchObject({ key: `31337:${pool.toLowerCase()}:1000`, score: 45 })
    const second = rollup.add({ ...finding('reentrancy', 'high'), pending: true }, 'A2', 1_300)
    expect(second.key).toBe(first.key)
    expect(second).toMatchObject({ score: 80, detectors: ['large-outflow', 'reentrancy'], alertIds: ['A1', 'A2'], pending: true, lastSeen: 1_300 })
    expect(rollup.add(finding('reentrancy', 'high', vault), 'A3', 1_301).key).toBe(`31337:${vault.toLowerCase()}:1301`)
    expect(rollup.add(finding('reentrancy', 'high', pool, 1), 'A4', 1_301).key).toBe(`1:${pool.toLowerCase()}:1301`)
    // more than windowSeconds after the last finding: a new incident
    expect(rollup.add(finding('tvl-drop', 'low'), 'A5', 1_300 + 601)).toMatchObject({ key: `31337:${pool.toLowerCase()}:1901`, score: 20 })
    // chain time gone back: the incident whose window holds it, or a new one
    expect(rollup.add(finding('tvl-drop', 'low'), 'A6', 1_250)).toMatchObject({ key: `31337:${pool.toLowerCase()}:1000`, score: 90 })
    expect(rollup.add(finding('tvl-drop', 'low'), 'A7', 100)).toMatchObject({ key: `31337:${pool.toLowerCase()}:100`, score: 20 })
  })

  test('a stream of benign findings cannot hold an incident open past incidentMaxSeconds: a later attack opens a new incident', () => {
    const rollup = createRiskRollup({ ...defaultRiskConfig, windowSeconds: 600, incidentMaxSeconds: 3600 })
    const first = rollup.add(finding('large-outflow', 'low'), 'B0', 10_000)
    // one low finding every 5 minutes: each within the window of the last
    for (let at = 10_300; at <= 13_600; at += 300) expect(rollup.add(finding('large-outflow', 'low'), `B${at}`, at).key).toBe(first.key)
    const attack = rollup.add(finding('reentrancy', 'critical'), 'ATTACK', 13_900)
    expect(attack.key).toBe(`31337:${pool.toLowerCase()}:13900`)
    expect(attack).toMatchObject({ score: 90, detectors: ['reentrancy'], alertIds: ['ATTACK'] })
  })

  test('an incident loaded after a restart keeps its key and never loses score', () => {
    const rollup = createRiskRollup()
    rollup.load([{ key: `31337:${pool.toLowerCase()}:500`, chain: 31337, target: pool.toLowerCase(), firstSeen: 500, lastSeen: 800, score: 90, detectors: ['reentrancy'], alertIds: ['A1'], pending: false, advisoryId: 'ADV-7' }])
    const incident = rollup.add(finding('tvl-drop', 'low'), 'A2', 900)
    expect(incident).toMatchObject({ key: `31337:${pool.toLowerCase()}:500`, score: 90, advisoryId: 'ADV-7', detectors: ['reentrancy', 'tvl-drop'] })
  })
})
