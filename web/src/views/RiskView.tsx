import { useState } from 'react'
import { api } from '../api.js'
import { useApi } from '../useApi.js'

/** The exposure-window model for the newest advisory: probability of exploit over time per route. */
export function RiskView({ token, refreshKey }: { token: string; refreshKey: number }) {
  const list = useApi(token, 'GET /advisories', '/advisories', refreshKey)
  const [result, setResult] = useState<unknown>(null)
  const [error, setError] = useState<string | null>(null)
  const id = list.data?.advisories[0]?.id
  const assess = async () => {
    try {
      setResult(await api(token, 'POST /advisories/{id}/risk', `/advisories/${encodeURIComponent(id!)}/risk`, { valueAtRiskUsd: 10_000_000, unpausableShare: 0.1, constraints: { routes: ['standard', 'emergency'], timelockDelayHours: 48, pauseAvailable: true }, samples: 2000, seed: 1 }))
      setError(null)
    } catch (e) {
      setError((e as Error).message)
    }
  }
  const chart = (result as { assessment?: { chart?: { series?: { label?: string; route?: string; points?: { hours?: number; t?: number; probability?: number; p?: number }[] }[] } } } | null)?.assessment?.chart
  return (
    <section className="card" aria-labelledby="risk-title">
      <h2 id="risk-title">Risk: exposure window</h2>
      {!id ? <p>No advisory to assess yet.</p> : <button type="button" onClick={assess}>Assess {id} ($10M at risk)</button>}
      {error && <p role="alert" className="error">{error}</p>}
      {chart?.series ? <ExposureChart series={chart.series} /> : result ? <pre className="hash">{JSON.stringify(result, null, 1).slice(0, 1500)}</pre> : null}
    </section>
  )
}

function ExposureChart({ series }: { series: { label?: string; route?: string; points?: { hours?: number; t?: number; probability?: number; p?: number }[] }[] }) {
  const colors = ['#14213d', '#fca311', '#2a9d8f', '#d62828']
  const all = series.flatMap((s) => s.points ?? []).map((p) => p.hours ?? p.t ?? 0)
  const maxX = Math.max(1, ...all)
  return (
    <svg role="img" aria-label="Probability of exploit over time per route" viewBox="0 0 420 220" width="100%" style={{ maxWidth: 640 }}>
      <line x1="40" y1="190" x2="410" y2="190" stroke="#555" /><line x1="40" y1="10" x2="40" y2="190" stroke="#555" />
      {series.map((s, i) => (
        <g key={i}>
          <polyline fill="none" stroke={colors[i % 4]} strokeWidth="2" points={(s.points ?? []).map((p) => `${40 + (370 * (p.hours ?? p.t ?? 0)) / maxX},${190 - 180 * (p.probability ?? p.p ?? 0)}`).join(' ')} />
          <text x="300" y={20 + i * 14} fill={colors[i % 4]}>{s.label ?? s.route}</text>
        </g>
      ))}
      <text x="44" y="205">0 h</text><text x="380" y="205">{maxX.toFixed(0)} h</text>
    </svg>
  )
}
