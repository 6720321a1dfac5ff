/**
 * One writer process of bench/jobs.bench.ts's "ledger alone" figure: on the store of DATABASE_URL
 * (with BULWARK_SIGNING_KEY, as `bulwark serve` opens it), `inFlight` advisory creations at a time
 * for `seconds`, no HTTP and no reads beside it. Prints one JSON line: creations and their latencies.
 * Usage: node --import tsx bench/ledgerWriters.ts <inFlight> <seconds> <startAt: epoch ms, so that writers started together overlap>
 */
import { tmpdir } from 'node:os'
import { openLifecycle } from '../src/lifecycle/context.js'
import { createAdvisory } from '../src/lifecycle/createAdvisory.js'

const inFlight = Number(process.argv[2] ?? 30)
const seconds = Number(process.argv[3] ?? 10)
const startAt = Number(process.argv[4] ?? Date.now())
const context = await openLifecycle({ cwd: tmpdir(), env: process.env })
await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())))
const actor = { id: 'bench-writer', roles: ['responder' as const] }
const latencies: number[] = []
const until = performance.now() + seconds * 1000
await Promise.all(
  Array.from({ length: inFlight }, async () => {
    while (performance.now() < until) {
      const started = performance.now()
      await createAdvisory(context, { title: 'Bench write', severity: 'low', reporter: 'bench' }, actor)
      latencies.push(performance.now() - started)
    }
  }),
)
await context.store.close()
process.stdout.write(JSON.stringify({ latencies, seconds }))
