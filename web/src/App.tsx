import { useCallback, useEffect, useState, type ReactNode } from 'react'
import { api, readToken } from './api.js'
import { AdvisoriesView } from './views/AdvisoriesView.js'
import { ApprovalsView } from './views/ApprovalsView.js'
import { DemoView } from './views/DemoView.js'
import { InventoryView } from './views/InventoryView.js'
import { ReleasesView } from './views/ReleasesView.js'
import { RiskView } from './views/RiskView.js'

const views = [
  { id: 'demo', title: 'Incident' },
  { id: 'inventory', title: 'Inventory' },
  { id: 'advisories', title: 'Advisories' },
  { id: 'approvals', title: 'Approvals' },
  { id: 'releases', title: 'Releases' },
  { id: 'risk', title: 'Risk' },
] as const
type ViewId = (typeof views)[number]['id']

function currentView(): ViewId {
  const id = window.location.hash.replace(/^#\/?/, '').split('/')[0]
  return (views.find((view) => view.id === id)?.id ?? 'demo') as ViewId
}

/** Bumps a counter on each lifecycle transition or monitor alert (SSE over fetch, so the token goes in a header, never in a URL). */
function useLiveTick(token: string | null): [number, boolean] {
  const [tick, setTick] = useState(0)
  const [live, setLive] = useState(false)
  useEffect(() => {
    if (!token) return
    const controller = new AbortController()
    void (async () => {
      try {
        const response = await fetch('/events', { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: controller.signal })
        if (!response.ok || !response.body) return
        setLive(true)
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          if (value.includes('event: transition') || value.includes('event: alert')) setTick((t) => t + 1)
        }
      } catch {
        // Aborted on unmount, or the server went away: the views keep polling.
      } finally {
        setLive(false)
      }
    })()
    return () => controller.abort()
  }, [token])
  return [tick, live]
}

export function App() {
  const [token] = useState(readToken)
  const [view, setView] = useState<ViewId>(currentView)
  const [who, setWho] = useState<string | null>(null)
  const [tick, live] = useLiveTick(token)
  const [poll, setPoll] = useState(0)
  useEffect(() => {
    const onHash = () => setView(currentView())
    window.addEventListener('hashchange', onHash)
    return () => window.removeEventListener('hashchange', onHash)
  }, [])
  useEffect(() => {
    const timer = setInterval(() => setPoll((p) => p + 1), 1000)
    return () => clearInterval(timer)
  }, [])
  useEffect(() => {
    if (token) api(token, 'GET /whoami', '/whoami').then((r) => setWho(`${r.actor.id} (${r.actor.roles.join(', ')})`), () => setWho(null))
  }, [token])
  const refresh = useCallback(() => setPoll((p) => p + 1), [])
  const key = tick * 100_000 + poll

  let body: ReactNode
  if (!token) body = <section className="card"><h2>Sign in</h2><p>Open the URL that <code>npm start</code> printed (it carries an API token after <code>#token=</code>), or create one with <code>bulwark token create</code> and open <code>/#token=…</code>.</p></section>
  else if (view === 'inventory') body = <InventoryView token={token} />
  else if (view === 'advisories') body = <AdvisoriesView token={token} refreshKey={key} />
  else if (view === 'approvals') body = <ApprovalsView token={token} refreshKey={key} onChange={refresh} />
  else if (view === 'releases') body = <ReleasesView token={token} refreshKey={key} />
  else if (view === 'risk') body = <RiskView token={token} refreshKey={key} />
  else body = <DemoView token={token} refreshKey={key} onChange={refresh} />

  return (
    <>
      <header>
        <h1>Bulwark</h1>
        <nav aria-label="Views">
          <ul>
            {views.map((v) => (
              <li key={v.id}>
                <a href={`#/${v.id}`} aria-current={view === v.id ? 'page' : undefined}>{v.title}</a>
              </li>
            ))}
          </ul>
        </nav>
        <span style={{ marginLeft: 'auto', fontSize: '0.85rem' }}>{who ?? ''} {live ? '● live' : '○ polling'}</span>
      </header>
      <main>{body}</main>
    </>
  )
}
