import { useEffect, useState, type ReactNode } from 'react'
import { api } from './api.js'

type Load<T> = { data: T | null; error: string | null; loading: boolean }

function useApi<T>(token: string, url: string | null, refreshKey: unknown = 0): Load<T> {
  const [state, setState] = useState<Load<T>>({ data: null, error: null, loading: true })
  useEffect(() => {
    if (!url) return
    let stale = false
    api<T>(token, 'GET', url).then(
      (data) => !stale && setState({ data, error: null, loading: false }),
      (error: Error) => !stale && setState((s) => ({ data: s.data, error: error.message, loading: false })),
    )
    return () => {
      stale = true
    }
  }, [token, url, refreshKey])
  return state
}

function Status<T>({ load, empty, children }: { load: Load<T>; empty?: boolean; children: (data: T) => ReactNode }) {
  if (load.error && !load.data) return <p role="alert" className="error">Could not load: {load.error}</p>
  if (!load.data) return <p aria-busy="true">Loading…</p>
  if (empty) return <p>Nothing yet.</p>
  return <>{children(load.data)}</>
}

type Step = { id: string; title: string; status: string; startedAt: string | null; finishedAt: string | null; detail: string | null }
type Run = {
  id: number
  status: string
  advisoryId: string | null
  patchId: string | null
  steps: Step[]
  alerts: { id: string; detector: string; severity: string; block: string; tx: string; evidence: string; response: string }[]
  signing: { reportHash: string; verdict: string; gatePatchId: string; attestationDigest: string; codehashes: string[]; calls: { target: string; function: string; args: string[] }[]; threshold: number; safeOwners: string[] } | null
  release: { patchId: string; route: string; proxy: string; implementation: string; codehash: string; status: string; transactionHash: string | null; checks: { name: string; ok: boolean; detail: string }[] } | null
  latency: unknown
  error: string | null
}

type MonitorAlert = { id: string; detector: string; severity: string; block: { number: string } | null; tx: string | null; summary: string; riskScore: number; response: { kind: string; tx?: string | null } }
type AlertRow = { id: string; source: string; detector: string; severity: string; block: string; tx: string; evidence: string; response: string }

export function DemoView({ token, refreshKey, onChange }: { token: string; refreshKey: number; onChange: () => void }) {
  const load = useApi<{ available: boolean; run: Run | null }>(token, '/demo', refreshKey)
  const [message, setMessage] = useState<string | null>(null)
  const start = async () => {
    try {
      const result = await api<{ started: boolean; reason: string | null }>(token, 'POST', '/demo/runs', { approvals: 'wait' })
      setMessage(result.started ? 'Incident started.' : result.reason)
      onChange()
    } catch (error) {
      setMessage((error as Error).message)
    }
  }
  const run = load.data?.run ?? null
  const playing = run?.status === 'running' || run?.status === 'waiting'
  const monitor = useApi<{ alerts: MonitorAlert[] }>(token, '/alerts', refreshKey)
  const alerts: AlertRow[] = [
    ...(monitor.data?.alerts ?? []).map((a) => ({
      id: a.id,
      source: 'monitor',
      detector: a.detector,
      severity: a.severity,
      block: a.block?.number ?? 'pending',
      tx: a.tx ?? '',
      evidence: `${a.summary} (risk ${a.riskScore})`,
      response: `${a.response.kind}${a.response.tx ? ` ${a.response.tx}` : ''}`,
    })),
    ...(run?.alerts ?? []).map((a) => ({ ...a, source: 'demo' })),
  ]
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
                <tr key={`${alert.source}-${index}-${alert.id}`} data-source={alert.source}>
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

type InventoryNode = { address: string; kind: string }
type Inventory = { nodes: Record<string, InventoryNode>; edges: { from: string; to: string; relation: string }[]; findings: { kind?: string; id?: string; severity: string; address?: string; message?: string }[]; blockNumber: string }

export function InventoryView({ token }: { token: string }) {
  const load = useApi<{ available: boolean; labels: Record<string, string>; inventory: Inventory | null }>(token, '/inventory')
  return (
    <section className="card" aria-labelledby="inv-title">
      <h2 id="inv-title">Chain of control</h2>
      <Status load={load}>
        {(data) => (!data.inventory ? <p>No devnet attached.</p> : <InventoryGraph inventory={data.inventory} labels={data.labels} />)}
      </Status>
    </section>
  )
}

const kindOrder = ['uups', 'transparent', 'beacon-proxy', 'beacon', 'proxy-admin', 'contract', 'timelock', 'safe', 'eoa']

function InventoryGraph({ inventory, labels }: { inventory: Inventory; labels: Record<string, string> }) {
  const risky = new Set(inventory.findings.map((f) => f.address).filter(Boolean))
  const columns = new Map<number, string[]>()
  for (const node of Object.values(inventory.nodes)) {
    const column = Math.max(0, kindOrder.indexOf(node.kind))
    columns.set(column, [...(columns.get(column) ?? []), node.address])
  }
  const used = [...columns.keys()].sort((a, b) => a - b)
  const position = new Map<string, { x: number; y: number }>()
  used.forEach((column, ci) => (columns.get(column) ?? []).forEach((address, ri) => position.set(address, { x: 10 + ci * 150, y: 20 + ri * 46 })))
  const height = Math.max(...used.map((c) => (columns.get(c) ?? []).length)) * 46 + 30
  const width = used.length * 150 + 20
  const name = (address: string) => labels[address] ?? `${address.slice(0, 8)}…`
  return (
    <>
      <svg role="img" aria-label={`Control graph: ${Object.keys(inventory.nodes).length} accounts, ${inventory.findings.length} findings`} viewBox={`0 0 ${width} ${height}`} width="100%" style={{ minWidth: 600 }}>
        {inventory.edges.map((edge, i) => {
          const a = position.get(edge.from)
          const b = position.get(edge.to)
          return a && b ? <line key={i} x1={a.x + 130} y1={a.y + 15} x2={b.x} y2={b.y + 15} stroke="#9aa5b1" /> : null
        })}
        {Object.values(inventory.nodes).map((node) => {
          const p = position.get(node.address)!
          return (
            <g key={node.address}>
              <title>{`${node.address} (${node.kind})`}</title>
              <rect x={p.x} y={p.y} width={130} height={30} rx={4} fill={risky.has(node.address) ? '#fde2e2' : '#eef2f7'} stroke={risky.has(node.address) ? '#d62828' : '#14213d'} />
              <text x={p.x + 6} y={p.y + 13}>{name(node.address).slice(0, 20)}</text>
              <text x={p.x + 6} y={p.y + 25} fill="#555">{node.kind}{risky.has(node.address) ? ' ⚠' : ''}</text>
            </g>
          )
        })}
      </svg>
      <h3>Risky configurations</h3>
      {inventory.findings.length === 0 ? <p>None.</p> : (
        <ul>{inventory.findings.map((f, i) => <li key={i}><span className={`badge ${f.severity}`}>{f.severity}</span> {f.kind ?? f.id} {f.address ? name(f.address) : ''} — {f.message}</li>)}</ul>
      )}
      <p>Read at block {inventory.blockNumber}.</p>
    </>
  )
}

type Advisory = { id: string; title: string; severity: string; status: string; containment: string; discoveredAt: string }
type Transition = { id: number; machine: string; subjectId: string; from: string | null; to: string; at: string; actor: { id: string }; evidence: { note?: string; data?: Record<string, unknown> } }

export function AdvisoriesView({ token, refreshKey }: { token: string; refreshKey: number }) {
  const list = useApi<{ advisories: Advisory[] }>(token, '/advisories', refreshKey)
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
  const transitions = useApi<{ transitions: Transition[] }>(token, `/advisories/${id}/transitions`, refreshKey)
  const latency = useApi<Record<string, unknown>>(token, `/advisories/${id}/latency`, refreshKey)
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
  const data = transition.evidence.data as { reportHash: string; verdict: string; counts?: Record<string, number>; stages?: { stage: string; status: string; durationMs: number; findings: number }[] }
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

type LatencyStageRow = { stage?: string; name?: string; seconds?: number; durationSeconds?: number; durationMs?: number }

/** Seconds per lifecycle stage, from an AdvisoryLatency (`stages`: stage → ms) or its `{ latency }` envelope. */
function latencyStages(latency: unknown): { name: string; seconds: number }[] {
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

function LatencyChart({ latency }: { latency: unknown }) {
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

type Patch = { id: string; advisoryId: string; title: string; status: string; route: string; requiredApprovals: number; approvals: { signer: string; digest?: string; signature?: string }[] }

declare global {
  interface Window {
    ethereum?: { request(args: { method: string; params?: unknown[] }): Promise<unknown> }
  }
}

export function ApprovalsView({ token, refreshKey, onChange }: { token: string; refreshKey: number; onChange: () => void }) {
  const patches = useApi<{ patches: Patch[] }>(token, '/patches?status=awaiting_approval', refreshKey)
  const demo = useApi<{ run: Run | null }>(token, '/demo', refreshKey)
  const signing = demo.data?.run?.signing ?? null
  // Kept here, not in the card: the approval that reaches the threshold moves the patch out of this list.
  const [message, setMessage] = useState<string | null>(null)
  return (
    <section className="card" aria-labelledby="appr-title">
      <h2 id="appr-title">Approvals</h2>
      <p role="status" data-testid="approval-message">{message}</p>
      <Status load={patches} empty={patches.data?.patches.length === 0}>
        {(data) => data.patches.map((patch) => <ApprovalCard key={patch.id} token={token} patch={patch} signing={demo.data?.run?.patchId === patch.id ? signing : null} onChange={onChange} onMessage={setMessage} />)}
      </Status>
    </section>
  )
}

function ApprovalCard({ token, patch, signing, onChange, onMessage: setMessage }: { token: string; patch: Patch; signing: Run['signing']; onChange: () => void; onMessage: (message: string | null) => void }) {
  const [signature, setSignature] = useState('')
  const digest = signing?.reportHash
  const submit = async (sig: string | undefined) => {
    try {
      await api(token, 'POST', `/patches/${patch.id}/approvals`, { ...(digest ? { digest } : {}), ...(sig ? { signature: sig } : {}), note: 'approved in the dashboard' })
      setMessage(`Approval recorded for ${patch.id}.`)
      onChange()
    } catch (error) {
      setMessage((error as Error).message)
    }
  }
  const signWithWallet = async () => {
    try {
      const [account] = (await window.ethereum!.request({ method: 'eth_requestAccounts' })) as string[]
      const sig = (await window.ethereum!.request({ method: 'personal_sign', params: [digest, account] })) as string
      await submit(sig)
    } catch (error) {
      setMessage((error as Error).message)
    }
  }
  return (
    <article aria-labelledby={`p-${patch.id}`}>
      <h3 id={`p-${patch.id}`}>{patch.id}: {patch.title}</h3>
      <p>
        <span data-testid="approval-progress">{patch.approvals.length} of {patch.requiredApprovals}</span> approvals ({patch.route} route)
        <progress max={patch.requiredApprovals} value={patch.approvals.length} aria-label="Approval progress" style={{ marginLeft: 8 }} />
      </p>
      <ul>{patch.approvals.map((a) => <li key={a.signer}>{a.signer}</li>)}</ul>
      {signing && (
        <dl>
          <dt>Validation report hash (the message you sign)</dt><dd className="hash">{signing.reportHash}</dd>
          <dt>Report verdict</dt><dd><span className={`badge ${signing.verdict}`}>{signing.verdict}</span></dd>
          <dt>Release attestation digest (EIP-712)</dt><dd className="hash">{signing.attestationDigest}</dd>
          <dt>Approved codehashes</dt><dd className="hash">{signing.codehashes.join(', ')}</dd>
          <dt>Decoded calls of the timelock batch</dt>
          <dd><ol>{signing.calls.map((c, i) => <li key={i}><code>{c.function}</code> on <span className="hash">{c.target}</span><ul>{c.args.map((arg, j) => <li key={j} className="hash">{arg.slice(0, 200)}</li>)}</ul></li>)}</ol></dd>
        </dl>
      )}
      {window.ethereum && digest && <button type="button" onClick={signWithWallet}>Sign with wallet</button>}
      <form onSubmit={(event) => { event.preventDefault(); void submit(signature.trim() || undefined) }}>
        <label htmlFor={`sig-${patch.id}`}>Signature over the report hash (paste from your wallet; optional)</label>
        <input id={`sig-${patch.id}`} value={signature} onChange={(e) => setSignature(e.target.value)} pattern="0x[0-9a-fA-F]*" placeholder="0x…" />
        <button type="submit" style={{ marginTop: 6 }}>Approve as signer</button>
      </form>
    </article>
  )
}

export function ReleasesView({ token, refreshKey }: { token: string; refreshKey: number }) {
  const load = useApi<{ releases: { patch: Patch; verification: Run['release'] }[] }>(token, '/releases', refreshKey)
  return (
    <section className="card" aria-labelledby="rel-title">
      <h2 id="rel-title">Releases</h2>
      <Status load={load} empty={load.data?.releases.length === 0}>
        {(data) => (
          <table>
            <thead><tr><th scope="col">Patch</th><th scope="col">Route</th><th scope="col">Status</th><th scope="col">Verification</th></tr></thead>
            <tbody>
              {data.releases.map(({ patch, verification }) => (
                <tr key={patch.id}>
                  <td>{patch.id}: {patch.title}</td>
                  <td>{patch.route}</td>
                  <td><span className={`badge ${patch.status}`} data-testid={`release-${patch.id}`}>{patch.status}</span></td>
                  <td>{verification ? <ul>{verification.checks.map((c) => <li key={c.name}>{c.ok ? '✔' : '✘'} {c.name}: <span className="hash">{c.detail}</span></li>)}</ul> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Status>
    </section>
  )
}

export function RiskView({ token, refreshKey }: { token: string; refreshKey: number }) {
  const list = useApi<{ advisories: Advisory[] }>(token, '/advisories', refreshKey)
  const [result, setResult] = useState<unknown>(null)
  const [error, setError] = useState<string | null>(null)
  const id = list.data?.advisories[0]?.id
  const assess = async () => {
    try {
      setResult(await api(token, 'POST', `/advisories/${id}/risk`, { valueAtRiskUsd: 10_000_000, unpausableShare: 0.1, constraints: { routes: ['standard', 'emergency'], timelockDelayHours: 48, pauseAvailable: true }, samples: 2000, seed: 1 }))
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
