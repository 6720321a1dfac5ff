import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { getAdvisory } from '../../lifecycle/getAdvisory.js'
import { getLatencyHistory } from '../../lifecycle/getLatencyHistory.js'
import type { Advisory } from '../../lifecycle/types.js'
import { assessRisk, defaultSamples } from '../../risk/assessRisk.js'
import { backtestRisk, type RecordedIncident } from '../../risk/backtestRisk.js'
import { RiskInputInvalidError } from '../../risk/errors.js'
import { latencyHistoryFromStages } from '../../risk/latencyHistoryFromStages.js'
import { exposures, routeNames, type Exposure, type LatencyHistory, type RiskInput, type RouteName, type Severity } from '../../risk/model.js'
import { defaultPriors } from '../../risk/priors.js'
import { renderRiskAssessment, renderRiskBacktest } from '../../risk/renderRiskAssessment.js'
import { openStore } from '../../store/openStore.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { progress, type CliIo } from '../io.js'

const usage =
  'bulwark risk [ADVISORY] [--severity S --exposure E] --value-at-risk USD [--unpausable-share 0..1] [--contained] ' +
  '[--routes LIST] [--timelock-delay HOURS] [--pause-unavailable] [--history FILE] [--samples N] [--seed N] [--json] | bulwark risk --backtest FILE'

export const riskCommand: Command = {
  name: 'risk',
  summary: 'Probability of an exploit before each release route goes live, expected loss, and the recommended route.',
  usage,
  positionals: true,
  options: {
    severity: { type: 'string', valueName: 'severity', description: 'low|medium|high|critical (default: the advisory’s severity).' },
    exposure: {
      type: 'string',
      valueName: 'exposure',
      description: 'private|public|fix-visible|exploited (default for an advisory: private while embargoed, else public).',
    },
    'value-at-risk': { type: 'string', valueName: 'usd', description: 'USD an exploit would take if nothing is paused (required).' },
    'unpausable-share': { type: 'string', valueName: 'share', description: 'Share 0–1 of the value a pause cannot protect (required when a pause is available).' },
    contained: { type: 'boolean', description: 'The protocol is already paused (default for an advisory: its containment state).' },
    'discovered-at': { type: 'string', valueName: 'time', description: 'ISO time of discovery (default: the advisory’s, else now).' },
    now: { type: 'string', valueName: 'time', description: 'ISO time of the decision (default: the current time).' },
    routes: { type: 'string', valueName: 'list', description: 'Comma-separated routes the governance allows: standard,emergency,private (default: standard,emergency).' },
    'timelock-delay': { type: 'string', valueName: 'hours', description: `Hours the standard route's calldata is public before it executes (vote + timelock; default ${defaultPriors.standardDelayHours.hours}).` },
    'emergency-visible': { type: 'string', valueName: 'hours', description: `Hours the fix is visible before an emergency release (default ${defaultPriors.emergencyVisibleHours.hours}).` },
    'pause-unavailable': { type: 'boolean', description: 'No pauser or guardian can pause the affected contracts.' },
    'pause-cost': { type: 'string', valueName: 'usd', description: 'Cost of staying paused, USD per hour (default 0).' },
    history: { type: 'string', valueName: 'file', description: 'JSON {"standard":[hours…],"emergency":[…],"private":[…],"pause":[…]} of past latencies (default: the lifecycle store’s).' },
    samples: { type: 'string', valueName: 'n', description: `Monte Carlo samples per option (default ${defaultSamples}).` },
    seed: { type: 'string', valueName: 'n', description: 'PRNG seed; the same seed gives the same numbers (default 1).' },
    backtest: { type: 'string', valueName: 'file', description: 'Score the model against recorded incidents (JSON list) instead of assessing one.' },
    as: { type: 'string', valueName: 'name', description: 'Local actor reading the advisory (default $USER, role admin).' },
  },
  async run({ values, positionals }, io) {
    const report = progress(io, Boolean(values.quiet) || Boolean(values.json))
    if (positionals.length > 1) throw new UsageError({ message: `Give at most one advisory id; got ${positionals.length} arguments.`, usage })

    if (typeof values.backtest === 'string') {
      const incidents = await readJson<RecordedIncident[]>(io, values.backtest, '--backtest')
      if (!Array.isArray(incidents)) throw new RiskInputInvalidError({ issues: [{ path: 'incidents', message: `${values.backtest} must hold a JSON list of incidents` }] })
      const backtest = backtestRisk(incidents)
      io.stdout(values.json ? JSON.stringify({ ok: true, backtest }, null, 2) : renderRiskBacktest(backtest))
      return 0
    }

    const advisoryId = positionals[0]
    let advisory: Advisory | undefined
    let storeHistory: LatencyHistory | undefined
    if (advisoryId !== undefined) {
      report(`reading advisory ${advisoryId}`)
      const store = await openStore({ databaseUrl: io.env.DATABASE_URL, dataDir: path.join(io.cwd, '.bulwark', 'db') })
      try {
        const actor = { id: (values.as as string | undefined) ?? io.env.USER ?? 'local', roles: ['admin' as const] }
        advisory = await getAdvisory({ store }, advisoryId, actor)
        if (values.history === undefined) storeHistory = latencyHistoryFromStages((await getLatencyHistory({ store })).samples)
      } finally {
        await store.close()
      }
    }

    const now = parseTime(values.now, '--now') ?? Date.now()
    const pauseAvailable = !values['pause-unavailable']
    const valueAtRisk = parseNumber(values['value-at-risk'], '--value-at-risk')
    if (valueAtRisk === undefined) throw new UsageError({ message: 'Give --value-at-risk USD: the value an exploit would take (chain balances are not read yet).', usage })
    const unpausableShare = parseNumber(values['unpausable-share'], '--unpausable-share')
    if (unpausableShare === undefined && pauseAvailable) {
      throw new UsageError({ message: 'Give --unpausable-share (0–1): the share of the value a pause cannot protect (or --pause-unavailable).', usage })
    }
    const severity = (values.severity as string | undefined) ?? advisory?.severity
    if (severity === undefined) throw new UsageError({ message: 'Give --severity (low|medium|high|critical) or an advisory id.', usage })
    const exposure = (values.exposure as string | undefined) ?? (advisory ? (advisory.embargoed ? 'private' : 'public') : undefined)
    if (exposure === undefined) throw new UsageError({ message: `Give --exposure (${exposures.join('|')}) or an advisory id.`, usage })
    const history = values.history === undefined ? storeHistory : await readJson<LatencyHistory>(io, values.history as string, '--history')
    const emergencyVisible = parseNumber(values['emergency-visible'], '--emergency-visible')
    const pauseCost = parseNumber(values['pause-cost'], '--pause-cost')

    const input: RiskInput = {
      severity: severity as Severity,
      exposure: exposure as Exposure,
      discoveredAt: parseTime(values['discovered-at'], '--discovered-at') ?? advisory?.discoveredAt.getTime() ?? now,
      now,
      valueAtRiskUsd: valueAtRisk,
      unpausableShare: unpausableShare ?? 1,
      contained: Boolean(values.contained) || advisory?.containment === 'contained',
      ...(history ? { history } : {}),
      constraints: {
        routes: parseRoutes(values.routes as string | undefined),
        timelockDelayHours: parseNumber(values['timelock-delay'], '--timelock-delay') ?? defaultPriors.standardDelayHours.hours,
        pauseAvailable,
        ...(emergencyVisible === undefined ? {} : { emergencyVisibleHours: emergencyVisible }),
      },
      ...(pauseCost === undefined ? {} : { pauseCostUsdPerHour: pauseCost }),
    }
    const samples = parseNumber(values.samples, '--samples')
    const seed = parseNumber(values.seed, '--seed')
    report('simulating route options')
    const assessment = assessRisk(input, { ...(samples === undefined ? {} : { samples }), ...(seed === undefined ? {} : { seed }) })
    if (values.json) io.stdout(JSON.stringify({ ok: true, ...(advisoryId === undefined ? {} : { advisoryId }), assessment }, null, 2))
    else io.stdout(renderRiskAssessment(assessment))
    return 0
  },
}

function parseRoutes(value: string | undefined): RouteName[] {
  if (value === undefined) return ['standard', 'emergency']
  const routes = value.split(',').map((route) => route.trim()).filter((route) => route !== '')
  for (const route of routes) {
    if (!routeNames.includes(route as RouteName)) throw new UsageError({ message: `--routes: unknown route "${route}" (known: ${routeNames.join(', ')}).`, usage })
  }
  return routes as RouteName[]
}

function parseNumber(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined
  const text = String(value).replace(/_/g, '')
  const number = Number(text)
  if (text.trim() === '' || !Number.isFinite(number)) throw new UsageError({ message: `${flag} must be a number; got "${String(value)}".`, usage })
  return number
}

function parseTime(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined
  const time = Date.parse(String(value))
  if (Number.isNaN(time)) throw new UsageError({ message: `${flag} must be an ISO date-time (2026-03-01T12:00:00Z); got "${String(value)}".`, usage })
  return time
}

async function readJson<T>(io: CliIo, file: string, flag: string): Promise<T> {
  let text: string
  try {
    text = await readFile(path.resolve(io.cwd, file), 'utf8')
  } catch (error) {
    throw new UsageError({ message: `${flag}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, usage })
  }
  try {
    return JSON.parse(text) as T
  } catch {
    throw new UsageError({ message: `${flag}: ${file} is not valid JSON.`, usage })
  }
}

