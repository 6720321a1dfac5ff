import { useState } from 'react'
import type { ResponseOf } from '../api.generated.js'
import { LatencyChart } from '../components/LatencyChart.js'
import { Status, useApi } from '../useApi.js'

/** Advisories the caller may see; the selected one's timeline, validation report and latency. */
type Transition = ResponseOf<'GET /advisories/{id}/transitions'>['transitions'][number]

export function AdvisoriesView({ token, refreshKey }: { token: string; refreshKey: number }) {
  const list = useApi(token, 'GET /advisories', '/advisories', refreshKey)
  const [selected, setSelected] = useState<string | null>(null)
  const id = selected ?? list.data?.advisories[0]?.id ?? null
  return (
    <div className="grid">
      <section className="card" aria-labelledby="adv-title">
        <h2 id="adv-title">Advisories</h2>
        <Status load={list} empty={list.data?.advisories.length === 0}>
          {(data) => (
            <table>
              <thead><tr><th scope="col">Id</th><th scope="col">Title</th><th scope="col">Status</th></tr></thead>
              <tbody>
                {data.advisories.map((a) => (
                  <tr key={a.id}>
                    <td><button type="button" aria-pressed={a.id === id} onClick={() => setSelected(a.id)}>{a.id}</button></td>
                    <td>{a.title} <span className={`badge ${a.severity}`}>{a.severity}</span></td>
                    <td>{a.status} / {a.containment}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Status>
      </section>
      {id && <AdvisoryDetail token={token} id={id} refreshKey={refreshKey} />}
    </div>
  )
}

function AdvisoryDetail({ token, id, refreshKey }: { token: string; id: string; refreshKey: number }) {
  const transitions = useApi(token, 'GET /advisories/{id}/transitions', `/advisories/${encodeURIComponent(id)}/transitions`, refreshKey)
  const latency = useApi(token, 'GET /advisories/{id}/latency', `/advisories/${encodeURIComponent(id)}/latency`, refreshKey)
  const report = transitions.data?.transitions.find((t) => t.evidence.data && 'reportHash' in t.evidence.data)
  return (
    <section className="card" aria-labelledby="detail-title">
      <h2 id="detail-title">{id}: timeline</h2>
      <Status load={transitions}>
        {(data) => (
          <ol className="steps" aria-label="Lifecycle timeline">
            {data.transitions.map((t) => (
              <li key={t.id} data-status="done">
                <time dateTime={t.at}>{new Date(t.at).toLocaleTimeString()}</time> <strong>{t.machine} {t.subjectId}</strong>: {t.from ?? '—'} → {t.to} <span className="badge">{t.actor.id}</span>
                {t.evidence.note && <div>{t.evidence.note}</div>}
              </li>
            ))}
          </ol>
        )}
      </Status>
      {report && <PatchReport transition={report} />}
      {latency.data && <LatencyChart latency={latency.data} />}
    </section>
  )
}

function PatchReport({ transition }: { transition: Transition }) {
  const data = transition.evidence.data as unknown as { reportHash: string; verdict: string; counts?: Record<string, number>; stages?: { stage: string; status: string; durationMs: number; findings: number }[] }
  const max = Math.max(1, ...(data.stages ?? []).map((s) => s.durationMs))
  return (
    <section aria-labelledby="report-title">
      <h3 id="report-title">Validation report of {transition.subjectId}</h3>
      <p>Verdict <span className={`badge ${data.verdict}`} data-testid="verdict">{data.verdict}</span> — hash <span className="hash">{data.reportHash}</span></p>
      <table>
        <thead><tr><th scope="col">Stage</th><th scope="col">Status</th><th scope="col">Findings</th><th scope="col">Time</th></tr></thead>
        <tbody>
          {(data.stages ?? []).map((s) => (
            <tr key={s.stage}>
              <td>{s.stage}</td><td>{s.status}</td><td>{s.findings}</td>
              <td><svg width="120" height="10" aria-hidden="true"><rect width={(120 * s.durationMs) / max} height="10" fill="#14213d" /></svg> {s.durationMs} ms</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
