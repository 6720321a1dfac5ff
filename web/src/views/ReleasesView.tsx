import type { ResponseOf } from '../api.generated.js'
import { Status, useApi } from '../useApi.js'

// GET /releases leaves its rows open in the schema (src/server/routes/demo.ts builds them from the store).
type ReleaseRow = {
  patch: ResponseOf<'GET /patches/{id}'>['patch']
  release: { route: string; planHash: string; reportHash: string; status: string; executions: { step: number; purpose: string; transactionHash: string; blockNumber: string }[]; releasedAt: string | null; verifiedAt: string | null } | null
  verification: { id: number; ok: boolean; verifiedAt: string; checks: { check: string; ok: boolean; detail: string }[] } | null
  overrides: { to: string; reason: string; by: string; at: string }[]
}

/** Patches that reached the chain: the stored plan, the transactions the release module executed, the stored verifyRelease result, and any override. */
export function ReleasesView({ token, refreshKey }: { token: string; refreshKey: number }) {
  const load = useApi(token, 'GET /releases', '/releases', refreshKey)
  return (
    <section className="card" aria-labelledby="rel-title">
      <h2 id="rel-title">Releases</h2>
      <Status load={load} empty={load.data?.releases.length === 0}>
        {(data) => (
          <table>
            <thead><tr><th scope="col">Patch</th><th scope="col">Route and transactions</th><th scope="col">Status</th><th scope="col">Verification</th></tr></thead>
            <tbody>
              {(data.releases as ReleaseRow[]).map(({ patch, release, verification, overrides }) => (
                <tr key={patch.id}>
                  <td>{patch.id}: {patch.title}</td>
                  <td>
                    {release ? (
                      <>
                        {release.route} <span className="hash">plan {release.planHash}</span>
                        <ul>{release.executions.map((e) => <li key={e.step}>{e.purpose}: <span className="hash">{e.transactionHash}</span> (block {e.blockNumber})</li>)}</ul>
                      </>
                    ) : (
                      patch.route
                    )}
                  </td>
                  <td>
                    <span className={`badge ${patch.status}`} data-testid={`release-${patch.id}`}>{patch.status}</span>
                    {overrides.map((o, i) => <div key={i} className="badge override">override to {o.to} by {o.by}: {o.reason}</div>)}
                  </td>
                  <td>{verification ? <ul>{verification.checks.map((c) => <li key={c.check}>{c.ok ? '✔' : '✘'} {c.check}: <span className="hash">{c.detail}</span></li>)}</ul> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Status>
    </section>
  )
}
