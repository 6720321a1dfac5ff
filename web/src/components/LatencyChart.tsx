type LatencyStageRow = { stage?: string; name?: string; seconds?: number; durationSeconds?: number; durationMs?: number }

/** Seconds per lifecycle stage, from an AdvisoryLatency (`stages`: stage → ms) or its `{ latency }` envelope. */
export function latencyStages(latency: unknown): { name: string; seconds: number }[] {
  if (!latency || typeof latency !== 'object') return []
  const value = (latency as { latency?: unknown }).latency ?? latency
  const stages = (value as { stages?: unknown }).stages
  if (Array.isArray(stages)) {
    return (stages as LatencyStageRow[]).map((s) => ({ name: s.stage ?? s.name ?? '?', seconds: s.seconds ?? s.durationSeconds ?? (s.durationMs ?? 0) / 1000 }))
  }
  if (stages && typeof stages === 'object') {
    return Object.entries(stages as Record<string, unknown>)
      .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
      .map(([name, ms]) => ({ name, seconds: ms / 1000 }))
  }
  return []
}

export function LatencyChart({ latency }: { latency: unknown }) {
  const stages = latencyStages(latency)
  if (stages.length === 0) return <section><h3>Latency per stage</h3><p>No completed stage yet.</p></section>
  const max = Math.max(0.001, ...stages.map((s) => s.seconds))
  return (
    <section aria-labelledby="lat-title">
      <h3 id="lat-title">Latency per stage</h3>
      <svg role="img" aria-label="Latency per stage" viewBox={`0 0 420 ${stages.length * 22 + 4}`} width="100%" style={{ maxWidth: 640 }}>
        {stages.map((s, i) => (
          <g key={s.name}>
            <text x="0" y={i * 22 + 14}>{s.name}</text>
            <rect x="130" y={i * 22 + 3} width={(220 * s.seconds) / max} height="14" fill="#2a9d8f" />
            <text x={134 + (220 * s.seconds) / max} y={i * 22 + 14}>{s.seconds.toFixed(1)} s</text>
          </g>
        ))}
      </svg>
    </section>
  )
}

