import { latencyMeasures, latencyStages, type AdvisoryLatency, type ChainWindow, type DurationSummary } from '../../lifecycle/computeLatency.js'
import type { LatencySummary } from '../../lifecycle/getLatencySummary.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { actorOptions, withLifecycleApi } from './advisory.js'

/** 2d 3h, 2h 45m, 12m 5s, 800ms. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]]
  const parts: string[] = []
  let rest = ms
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size)
    if (count > 0 || parts.length > 0) parts.push(`${count}${unit}`)
    rest -= count * size
    if (parts.length === 2) break
  }
  return parts.filter((part, index) => index === 0 || !part.startsWith('0')).join(' ')
}

function renderAdvisoryLatency(l: AdvisoryLatency): string {
  const exposure = `${formatDuration(l.exposureWindow.ms)}${l.exposureWindow.open ? ' (still open)' : ` (ended by ${l.exposureWindow.endedBy})`}`
  return [
    `${l.advisoryId} (${l.severity}, ${l.status}${l.route ? `, ${l.route} route` : ''}) — exposure window ${exposure}`,
    ...latencyStages.map((stage) => {
      const done = l.stages[stage]
      const running = l.current?.stage === stage ? `${formatDuration(l.current.elapsedMs)} so far` : undefined
      return `  ${stage.padEnd(13)} ${done !== undefined ? formatDuration(done) : (running ?? '—')}`
    }),
    ...(['timeToContainment', 'timeToRelease', 'timeToVerification'] as const).map((m) => `  ${m.padEnd(19)} ${l.measures[m] === undefined ? '—' : formatDuration(l.measures[m])}`),
    ...(l.chains ? renderChainWindows(l.chains) : []),
  ].join('\n')
}

/** One line per chain of a multi-chain release: its own pause, schedule and release, and how long it waited after the fix went public and after the first release. */
function renderChainWindows(chains: ChainWindow[]): string[] {
  const time = (seconds: number | null) => (seconds === null ? '—' : new Date(seconds * 1000).toISOString().replace('.000Z', 'Z'))
  const after = (seconds: number | null) => (seconds === null ? '—' : formatDuration(seconds * 1000))
  return [
    '  per chain (block timestamps; each chain has its own clock)',
    ...chains.map((chain) =>
      [
        `    chain ${chain.chainId}: paused ${time(chain.pausedAt)}, scheduled ${time(chain.scheduledAt)}, released ${time(chain.releasedAt)}`,
        `exposed after disclosure ${after(chain.exposedAfterDisclosureSeconds)}${chain.pausedUntilRelease === null ? '' : chain.pausedUntilRelease ? ' (paused)' : ' (NOT paused)'}`,
        `after the first release ${after(chain.afterFirstReleaseSeconds)}`,
      ].join('; '),
    ),
  ]
}

function renderSummary(s: LatencySummary): string {
  const row = (name: string, d: DurationSummary | null) => `  ${name.padEnd(19)} ${d ? `${formatDuration(d.medianMs).padEnd(10)} ${formatDuration(d.p90Ms).padEnd(10)} ${d.count}` : '—'}`
  return [
    `${s.advisories} advisories, ${s.openExposures} still exposed`,
    `  ${'stage'.padEnd(19)} ${'median'.padEnd(10)} ${'p90'.padEnd(10)} n`,
    ...latencyStages.map((stage) => row(stage, s.stages[stage])),
    ...latencyMeasures.map((measure) => row(measure, s.measures[measure])),
  ].join('\n')
}

export const latencyCommand: Command = {
  name: 'latency',
  summary: 'Time in each stage of one advisory, or median and p90 per stage across advisories.',
  usage: 'bulwark latency [ADVISORY] [--json]',
  positionals: true,
  options: { ...actorOptions },
  async run({ values, positionals }, io) {
    if (positionals.length > 1) throw new UsageError({ message: `bulwark latency takes at most one advisory id; got ${positionals.length}.`, usage: latencyCommand.usage })
    const [id] = positionals
    return withLifecycleApi(values, io, async (api) => {
      if (id !== undefined) {
        const latency = await api.getAdvisoryLatency(id)
        io.stdout(values.json ? JSON.stringify({ ok: true, latency }, null, 2) : renderAdvisoryLatency(latency))
      } else {
        const summary = await api.getLatencySummary()
        io.stdout(values.json ? JSON.stringify({ ok: true, summary }, null, 2) : renderSummary(summary))
      }
      return 0
    })
  },
}
