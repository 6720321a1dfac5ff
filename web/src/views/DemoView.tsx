import { useState } from 'react'
import { api } from '../api.js'
import { LatencyChart } from '../components/LatencyChart.js'
import { demoRunOf, type AlertRow, type MonitorAlert } from '../demoRun.js'
import { Status, useApi } from '../useApi.js'

/** The incident: play the demo, its steps, and the live alerts with the response each got. */
export function DemoView({ token, refreshKey, onChange }: { token: string; refreshKey: number; onChange: () => void }) {
  const load = useApi(token, 'GET /demo', '/demo', refreshKey)
  const [message, setMessage] = useState<string | null>(null)
  const start = async () => {
    try {
      const result = await api(token, 'POST /demo/runs', '/demo/runs', { approvals: 'wait' })
      setMessage(result.started ? 'Incident started.' : result.reason)
      onChange()
    } catch (error) {
      setMessage((error as Error).message)
    }
  }
  const run = demoRunOf(load.data)
  const playing = run?.status === 'running' || run?.status === 'waiting'
  const monitor = useApi(token, 'GET /alerts', '/alerts', refreshKey)
  const alerts: AlertRow[] = ((monitor.data?.alerts ?? []) as MonitorAlert[]).map((a) => ({
    id: a.id,
    detector: a.detector,
    severity: a.severity,
    block: a.block?.number ?? 'pending',
    tx: a.tx ?? '',
    evidence: `${a.summary} (risk ${a.riskScore})`,
    response: `${a.response.kind}${a.response.tx ? ` ${a.response.tx}` : ''}`,
  }))
  return (
    <>
      <section className="card" aria-labelledby="demo-title">
        <h2 id="demo-title">Incident</h2>
        <p>Plays the demo incident on the devnet: exploit → pause → advisory → validation → approvals → release → verification → unpause.</p>
        <button type="button" onClick={start} disabled={!load.data?.available || playing}>Run the demo incident</button>
        {load.data && !load.data.available && <p>No devnet is attached to this server (start it with <code>npm start</code>).</p>}
        <p role="status" aria-live="polite">{message}</p>
        <Status load={load}>
          {() =>
            run ? (
              <>
                <p>Run {run.id}: <span className="badge" data-testid="run-status">{run.status}</span> {run.advisoryId && <a href="#/advisories">{run.advisoryId}</a>} {run.patchId}</p>
                {run.error && <p role="alert" className="error">{run.error}</p>}
                {run.pause && <p data-testid="pause-sender">Paused by the monitor's responder <span className="hash">{run.pause.from}</span> in <span className="hash">{run.pause.txHash}</span> ({run.pause.response})</p>}
                <ol className="steps" aria-label="Incident steps">
                  {run.steps.map((step) => (
                    <li key={step.id} data-step={step.id} data-status={step.status}>
                      <strong>{step.title}</strong> <span className="badge">{step.status}</span>
                      {step.status === 'waiting' && <> — <a href="#/approvals">approve it</a></>}
                      {step.detail && <div className="hash">{step.detail}</div>}
                    </li>
                  ))}
                </ol>
              </>
            ) : (
              <p>No incident played yet.</p>
            )
          }
        </Status>
      </section>
      <section className="card" aria-labelledby="alerts-title">
        <h2 id="alerts-title">Live alerts and responses</h2>
        {alerts.length > 0 ? (
          <table>
            <thead><tr><th scope="col">Alert</th><th scope="col">Detector</th><th scope="col">Evidence</th><th scope="col">Response taken</th></tr></thead>
            <tbody>
              {alerts.map((alert, index) => (
                <tr key={`${index}-${alert.id}`}>
                  <td>{alert.id} <span className={`badge ${alert.severity}`}>{alert.severity}</span><div className="hash">block {alert.block}</div></td>
                  <td>{alert.detector}</td>
                  <td>{alert.evidence}<div className="hash">{alert.tx}</div></td>
                  <td>{alert.response}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>No alerts.</p>
        )}
      </section>
      {run?.latency != null && <LatencyChart latency={run.latency} />}
    </>
  )
}
