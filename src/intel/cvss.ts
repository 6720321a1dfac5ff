import type { Severity } from './advisory.js'

const weights = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const

function roundUp(value: number): number {
  const scaled = Math.round(value * 100_000)
  return scaled % 10_000 === 0 ? scaled / 100_000 : (Math.floor(scaled / 10_000) + 1) / 10
}

/** CVSS v3.x base score of a vector (`CVSS:3.1/AV:N/…`), or undefined when it is not one. */
export function cvss3BaseScore(vector: string): number | undefined {
  if (!/^CVSS:3\.[01]\//.test(vector)) return undefined
  const metrics = Object.fromEntries(vector.split('/').slice(1).map((part) => part.split(':') as [string, string]))
  const scope = metrics.S
  const av = weights.AV[metrics.AV as keyof typeof weights.AV]
  const ac = weights.AC[metrics.AC as keyof typeof weights.AC]
  const ui = weights.UI[metrics.UI as keyof typeof weights.UI]
  const [c, i, a] = [metrics.C, metrics.I, metrics.A].map((m) => weights.CIA[m as keyof typeof weights.CIA])
  const pr = { N: 0.85, L: scope === 'C' ? 0.68 : 0.62, H: scope === 'C' ? 0.5 : 0.27 }[metrics.PR as 'N' | 'L' | 'H']
  if (av === undefined || ac === undefined || ui === undefined || pr === undefined || c === undefined || i === undefined || a === undefined) return undefined
  if (scope !== 'U' && scope !== 'C') return undefined
  const iss = 1 - (1 - c) * (1 - i) * (1 - a)
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15
  const exploitability = 8.22 * av * ac * pr * ui
  if (impact <= 0) return 0
  return scope === 'U' ? roundUp(Math.min(impact + exploitability, 10)) : roundUp(Math.min(1.08 * (impact + exploitability), 10))
}

/** The qualitative rating of a CVSS v3 score (none maps to low: an advisory is never "no" severity). */
export function severityOfScore(score: number): Severity {
  if (score >= 9) return 'critical'
  if (score >= 7) return 'high'
  if (score >= 4) return 'medium'
  return 'low'
}
