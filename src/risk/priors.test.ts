import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { latencyHistoryFromStages } from './latencyHistoryFromStages.js'
import { exposures } from './model.js'
import { defaultPriors, lognormalFromQuantiles, type PriorSource } from './priors.js'

function sources(value: unknown): PriorSource[] {
  if (typeof value !== 'object' || value === null) return []
  if ('incident' in value && 'reference' in value) return [value as PriorSource]
  return Object.values(value).flatMap(sources)
}

describe('priors', () => {
  test('every prior has a source, and docs/risk.md cites every reference', async () => {
    const docs = await readFile(path.resolve(import.meta.dirname, '../../docs/risk.md'), 'utf8')
    const all = sources(defaultPriors)
    expect(all.length).toBeGreaterThanOrEqual(14)
    for (const source of all) {
      for (const field of ['incident', 'figure', 'reference', 'mapping'] as const) expect(source[field].length, `${source.incident} ${field}`).toBeGreaterThan(0)
      for (const url of source.reference.split('; ').filter((part) => part.startsWith('https://'))) expect(docs, url).toContain(url)
    }
  })

  test('the shipped hazard medians shrink as exposure grows', () => {
    const medians = exposures.map((exposure) => defaultPriors.criticalMedianHoursToExploit[exposure].hours)
    expect(medians).toEqual([...medians].sort((a, b) => b - a))
  })

  test('a median and p90 become the log-normal with that median and p90', () => {
    const { mu, sigma } = lognormalFromQuantiles(9, 36)
    expect(Math.exp(mu)).toBeCloseTo(9, 12)
    expect(Math.exp(mu + 1.2815515655446004 * sigma)).toBeCloseTo(36, 9)
  })
})

describe('latencyHistoryFromStages', () => {
  test('triage → release hours per route; releases missing a stage are left out', () => {
    const hour = 3_600_000
    const history = latencyHistoryFromStages([
      { route: 'emergency', stages: { fix: hour, validation: hour, approval: hour, release: 3 * hour } },
      { route: 'emergency', stages: { fix: hour, validation: hour, release: hour } },
      { route: 'standard', stages: { fix: 2 * hour, validation: hour, approval: hour, release: 48 * hour } },
    ])
    expect(history).toEqual({ emergency: [6], standard: [52] })
  })
})
