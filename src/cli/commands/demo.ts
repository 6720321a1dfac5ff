import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { DemoRunningError, DemoUnavailableError } from '../../operations/demoErrors.js'
import type { DemoRun } from '../../operations/playDemo.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { devnetStateFile } from './devnet.js'
import { dashboardStateFile } from './startDashboard.js'

/** `bulwark demo`: plays the demo incident on the running `npm start` (through its API, which owns the database) and prints each step and the latency report. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'Play the demo incident on the running devnet: exploit → pause → advisory → validation → approvals → release → verify → unpause; ends with the latency report.',
  usage: 'bulwark demo [--wait-for-signer] [--json]',
  options: {
    'wait-for-signer': { type: 'boolean', description: 'Leave the last approval to a signer in the dashboard (default: the demo signers approve).' },
  },
  async run({ values }, io) {
    const state = await readDashboardState(io.cwd, (line) => io.stderr(line))
    const call = async (method: string, url: string, body?: unknown) => {
      let response: Response
      try {
        response = await fetch(`${state.url}${url}`, {
          method,
          headers: { authorization: `Bearer ${state.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        })
      } catch {
        throw new DemoUnavailableError({ reason: `The dashboard at ${state.url} does not answer (a stale ${path.relative(io.cwd, dashboardStateFile(io.cwd))}?): start it with \`npm start\`.` })
      }
      const json = (await response.json()) as Record<string, unknown>
      if (!response.ok) {
        const error = json.error as { code?: string; message?: string } | undefined
        if (error?.code === 'BW_DEMO_RUNNING') throw new DemoRunningError({ runId: Number(/\d+/.exec(error.message ?? '')?.[0] ?? 0) })
        if (error?.code === 'BW_DEMO_UNAVAILABLE') throw new DemoUnavailableError({ reason: error.message })
        throw new UsageError({ message: `${method} ${url} answered ${response.status}: ${JSON.stringify(json.error ?? json)}`, usage: demoCommand.usage })
      }
      return json
    }
    await call('POST', '/demo/runs', { approvals: values['wait-for-signer'] ? 'wait' : 'auto' })
    const printed = new Set<string>()
    let run: DemoRun
    for (;;) {
      run = (await call('GET', '/demo')).run as DemoRun
      for (const step of run.steps) {
        const key = `${step.id}:${step.status}`
        if (printed.has(key) || step.status === 'pending') continue
        printed.add(key)
        if (!values.json && step.status !== 'running') io.stderr(`${step.status === 'done' ? '✔' : step.status === 'failed' ? '✘' : '…'} ${step.title}${step.detail ? `: ${step.detail}` : ''}`)
      }
      if (run.status === 'done' || run.status === 'failed') break
      await new Promise((resolve) => setTimeout(resolve, 300))
    }
    if (values.json) io.stdout(JSON.stringify({ ok: run.status === 'done', run }, null, 2))
    else {
      io.stdout(`Demo ${run.status === 'done' ? 'finished' : `failed: ${run.error}`} (${run.advisoryId ?? '-'}, ${run.patchId ?? '-'})`)
      io.stdout('Latency report')
      io.stdout(formatLatency(run.latency))
    }
    return run.status === 'done' ? 0 : 6
  },
}

/** How long `bulwark demo` waits for a devnet that is still starting (its state file written, its dashboard not yet listening). */
const devnetStartWaitMs = 120_000

/**
 * The running dashboard's URL and token. A devnet writes its own state file before it starts the
 * dashboard, so while that file exists and the dashboard's does not, the devnet is still starting:
 * wait for it rather than fail.
 */
async function readDashboardState(cwd: string, report: (line: string) => void): Promise<{ url: string; token: string }> {
  const file = dashboardStateFile(cwd)
  for (let waited = 0; ; waited += 250) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as { url: string; token: string }
    } catch {
      if (!existsSync(path.join(cwd, devnetStateFile)) || waited >= devnetStartWaitMs) {
        throw new DemoUnavailableError({ reason: `No running dashboard found (${path.relative(cwd, file)}): start it with \`npm start\` first.` })
      }
      if (waited === 0) report('The devnet is starting; waiting for its dashboard.')
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}

function formatLatency(latency: unknown): string {
  if (!latency || typeof latency !== 'object') return '  (none)'
  return Object.entries(latency as Record<string, unknown>)
    .map(([key, value]) => `  ${key.padEnd(22)} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join('\n')
}
