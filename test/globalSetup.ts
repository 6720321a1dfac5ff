import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { compileProject } from '../src/compile/compileProject.js'
import { formatCompileSummary } from '../src/compile/formatCompileSummary.js'
import { BaseError } from '../src/errors/BaseError.js'
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embeddedPostgres.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

// Compiles contracts/ once before any test file runs, so parallel test files read the
// content-hash cache instead of each running solc; builds the dashboard once if a fresh clone
// has no web/dist yet (the browser and dashboard API tests serve it); starts one embedded
// PostgreSQL for the PostgreSQL suites unless BULWARK_TEST_DATABASE_URL names a server, and
// returns the teardown that stops it.
export default async function setup(): Promise<() => Promise<void>> {
  const postgres = await startTestPostgres()
  buildDashboardIfMissing()
  const entries = await readdir(path.join(repoRoot, 'contracts'), { recursive: true }).catch(() => [] as string[])
  if (entries.some((entry) => entry.endsWith('.sol'))) {
    try {
      const result = await compileProject({ root: repoRoot })
      console.log(`contracts/: ${formatCompileSummary(result)}`)
    } catch (error) {
      // Broken contracts must not stop unrelated test files; the files that need them fail with this error.
      if (!(error instanceof BaseError)) throw error
      console.warn(`contracts/ does not compile (${error.code}):\n${error.message}`)
    }
  }
  return async () => {
    await postgres?.stop()
  }
}

// The test workers are forked after this runs and inherit process.env: the URL (or the reason
// there is none, which testDatabaseUrl reports in every PostgreSQL test) reaches them that way.
async function startTestPostgres(): Promise<EmbeddedPostgres | undefined> {
  if (process.env['BULWARK_TEST_DATABASE_URL']) return undefined
  const started = performance.now()
  try {
    const postgres = await startEmbeddedPostgres()
    process.env['BULWARK_TEST_DATABASE_URL'] = postgres.url
    console.log(`PostgreSQL: embedded ${postgres.version} at ${postgres.url} (started in ${Math.round(performance.now() - started)} ms)`)
    return postgres
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    process.env['BULWARK_TEST_DATABASE_ERROR'] = reason
    console.warn(`PostgreSQL: the embedded server did not start; the PostgreSQL suites will fail: ${reason}`)
    return undefined
  }
}

function buildDashboardIfMissing(): void {
  if (!existsSync(path.join(repoRoot, 'web', 'vite.config.ts')) || existsSync(path.join(repoRoot, 'web', 'dist', 'index.html'))) return
  const vite = path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js')
  const result = spawnSync(process.execPath, [vite, 'build', 'web', '--logLevel', 'warn'], { cwd: repoRoot, stdio: 'inherit' })
  if (result.status !== 0) console.warn('web/ did not build; the dashboard tests will fail with its error')
}
