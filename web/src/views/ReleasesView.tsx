import type { ResponseOf } from '../api.generated.js'
import type { Run } from '../demoRun.js'
import { Status, useApi } from '../useApi.js'

// GET /releases leaves its rows open in the schema: each is a patch and the release verification.
type ReleaseRow = { patch: ResponseOf<'GET /patches/{id}'>['patch']; verification: Run['release'] }

/** Released patches and their post-release verification checks. */
export function ReleasesView({ token, refreshKey }: { token: string; refreshKey: number }) {
  const load = useApi(token, 'GET /releases', '/releases', refreshKey)
  return (
    <section className="card" aria-labelledby="rel-title">
      <h2 id="rel-title">Releases</h2>
      <Status load={load} empty={load.data?.releases.length === 0}>
        {(data) => (
          <table>
            <thead><tr><th scope="col">Patch</th><th scope="col">Route</th><th scope="col">Status</th><th scope="col">Verification</th></tr></thead>
            <tbody>
              {(data.releases as ReleaseRow[]).map(({ patch, verification }) => (
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
