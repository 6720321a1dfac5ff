import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { DemoRunningError, DemoUnavailableError } from '../../operations/demoErrors.js'
import type { DemoRun } from '../../operations/playDemo.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
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
    let state: { url: string; token: string }
    try {
      state = JSON.parse(await readFile(dashboardStateFile(io.cwd), 'utf8')) as { url: string; token: string }
    } catch {
      throw new DemoUnavailableError({ reason: `No running dashboard found (${path.relative(io.cwd, dashboardStateFile(io.cwd))}): start it with \`npm start\` first.` })
    }
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

function formatLatency(latency: unknown): string {
  if (!latency || typeof latency !== 'object') return '  (none)'
  return Object.entries(latency as Record<string, unknown>)
    .map(([key, value]) => `  ${key.padEnd(22)} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join('\n')
}
