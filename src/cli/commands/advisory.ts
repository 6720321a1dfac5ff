import { openLifecycle } from '../../lifecycle/context.js'
import { localLifecycleApi, localRoles, type LifecycleApi } from '../../lifecycle/lifecycleApi.js'
import type { Advisory, Evidence, Patch, Transition } from '../../lifecycle/types.js'
import type { Command, OptionSpec, ParsedArgs } from '../command.js'
import { UsageError } from '../errors.js'
import type { CliIo } from '../io.js'
import { remoteOptions, remoteTarget } from '../remote.js'
import { remoteLifecycleApi } from '../remoteLifecycleApi.js'

/** Flags shared by the lifecycle commands (advisory, patch, latency, audit). */
export const actorOptions: Record<string, OptionSpec> = {
  as: { type: 'string', valueName: 'name', description: 'Act as this local operator (default: $USER); local operators hold the admin and signer roles.' },
  ...remoteOptions,
}

export const evidenceOptions: Record<string, OptionSpec> = {
  note: { type: 'string', valueName: 'text', description: 'Evidence: what happened and why (stored with the transition).' },
  link: { type: 'string', multiple: true, valueName: 'url', description: 'Evidence: a link (tx, report, thread); repeat for several.' },
  expect: { type: 'string', valueName: 'status', description: 'Fail with BW_CONFLICT unless the current status is this one (optimistic concurrency).' },
}

/**
 * The lifecycle API the command runs against: the local embedded store by default.
 * (Part B: the remote mode, `--server URL --token T`, returns an HTTP implementation of the same type here.)
 */
export async function openLifecycleApi(values: ParsedArgs['values'], io: CliIo): Promise<LifecycleApi> {
  const target = remoteTarget(io, values)
  if (target) {
    if (values.as !== undefined) throw new UsageError({ message: '--as is for local runs; with --server the actor is the token\'s owner.' })
    return remoteLifecycleApi(target)
  }
  const name = (values.as as string | undefined) ?? io.env.USER ?? io.env.USERNAME ?? 'local'
  if (!/^[\w.@-]{1,200}$/.test(name)) throw new UsageError({ message: `--as must be a name of letters, digits, ".", "_", "-" or "@"; got "${name}".` })
  const context = await openLifecycle({ cwd: io.cwd, env: io.env })
  return localLifecycleApi(context, { id: name, roles: localRoles })
}

/** Runs `work` with the API, closing it whatever happens. */
export async function withLifecycleApi<T>(values: ParsedArgs['values'], io: CliIo, work: (api: LifecycleApi) => Promise<T>): Promise<T> {
  const api = await openLifecycleApi(values, io)
  try {
    return await work(api)
  } finally {
    await api.close()
  }
}

export function evidenceFrom(values: ParsedArgs['values']): Evidence {
  const note = values.note as string | undefined
  const links = values.link as string[] | undefined
  return { ...(note === undefined ? {} : { note }), ...(links === undefined || links.length === 0 ? {} : { links }) }
}

/** The subcommand and its positionals; each subcommand names exactly how many it takes. */
export function subcommand<S extends string>(command: Command, positionals: readonly string[], arity: Record<S, number>): { name: S; args: string[] } {
  const [name, ...args] = positionals
  if (name === undefined || !(name in arity)) {
    throw new UsageError({ message: `${name === undefined ? 'A subcommand is required' : `Unknown subcommand "${name}"`}: ${Object.keys(arity).join(', ')}.`, usage: command.usage })
  }
  const expected = arity[name as S]
  if (args.length !== expected) {
    throw new UsageError({ message: `bulwark ${command.name} ${name} takes ${expected} argument(s); got ${args.length}.`, usage: command.usage })
  }
  return { name: name as S, args }
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout(JSON.stringify({ ok: true, ...(value as object) }, null, 2))
}

export function iso(value: Date | string): string {
  return new Date(value).toISOString().replace('.000Z', 'Z')
}

export function renderTransitions(transitions: readonly Transition[]): string[] {
  return transitions.map((t) => {
    const evidence = [t.evidence.note, ...(t.evidence.links ?? [])].filter(Boolean).join(' · ')
    return `  ${iso(t.at)}  ${t.machine.padEnd(11)} ${t.subjectId.padEnd(10)} ${(t.from ?? '∅').padEnd(17)} → ${t.to.padEnd(17)} by ${t.actor.id}${t.override ? `  OVERRIDE: ${t.override}` : ''}${evidence ? `  (${evidence})` : ''}`
  })
}

export function renderAdvisoryLine(a: Advisory): string {
  return `${a.id.padEnd(9)} ${a.severity.padEnd(8)} ${a.status.padEnd(10)} ${a.containment === 'contained' ? 'contained ' : '          '}${a.embargoed ? '[embargo] ' : ''}${a.title}`
}

function renderAdvisory(a: Advisory, patches: readonly Patch[], transitions: readonly Transition[]): string {
  return [
    `${a.id} — ${a.title}`,
    `  severity ${a.severity} · status ${a.status} · containment ${a.containment}${a.embargoed ? ' · EMBARGOED' : ''}`,
    `  reported by ${a.reporter} at ${iso(a.reportedAt)}; discovered ${iso(a.discoveredAt)}`,
    ...(a.description ? [`  ${a.description}`] : []),
    ...(a.affectedContracts.length > 0 ? ['  affected:', ...a.affectedContracts.map((c) => `    ${c.chain ? `${c.chain}:` : ''}${c.address}${c.name ? ` (${c.name})` : ''}`)] : []),
    ...(a.alertIds.length > 0 ? [`  alerts: ${a.alertIds.join(', ')}`] : []),
    ...(patches.length > 0 ? ['  patches:', ...patches.map((p) => `    ${p.id} ${p.status} (${p.route}) ${p.title}`)] : []),
    '  timeline:',
    ...renderTransitions(transitions).map((line) => `  ${line}`),
  ].join('\n')
}

const subcommands = { create: 0, list: 0, show: 1, transition: 2, contain: 1, lift: 1 } as const

export const advisoryCommand: Command = {
  name: 'advisory',
  summary: 'Record and move advisories: create, list, show, transition, contain, lift.',
  usage: [
    'bulwark advisory create --title T --severity S [--reporter R] [--contract [CHAIN:]ADDRESS …] [--discovered-at ISO] [--embargo [--clear NAME …]] [--alert ID …]',
    '       bulwark advisory list [--status S] [--severity S] [--limit N]',
    '       bulwark advisory show ID',
    '       bulwark advisory transition ID STATUS [--note TEXT] [--link URL …] [--expect STATUS]',
    '       bulwark advisory contain|lift ID [--note TEXT] [--link URL …]',
  ].join('\n'),
  positionals: true,
  options: {
    title: { type: 'string', valueName: 'text', description: 'create: a one-line title.' },
    severity: { type: 'string', valueName: 'level', description: 'create: critical|high|medium|low; list: filter.' },
    description: { type: 'string', valueName: 'text', description: 'create: the details (embargoed when --embargo).' },
    reporter: { type: 'string', valueName: 'who', description: 'create: who reported it (default: the --as operator).' },
    contract: { type: 'string', multiple: true, valueName: '[chain:]address', description: 'create: an affected contract; repeat for several.' },
    'discovered-at': { type: 'string', valueName: 'iso', description: 'create: when it was discovered (default: now).' },
    embargo: { type: 'boolean', description: 'create: details visible only to admins, responders, auditors and --clear names.' },
    clear: { type: 'string', multiple: true, valueName: 'name', description: 'create: clear this actor for the embargo; repeat for several.' },
    alert: { type: 'string', multiple: true, valueName: 'id', description: 'create: link a monitor alert; repeat for several.' },
    status: { type: 'string', valueName: 'status', description: 'list: only advisories in this status.' },
    limit: { type: 'string', valueName: 'n', description: 'list: at most this many (default 100).' },
    ...evidenceOptions,
    ...actorOptions,
  },
  async run({ values, positionals }, io) {
    const { name, args } = subcommand(advisoryCommand, positionals, subcommands)
    return withLifecycleApi(values, io, async (api) => {
      switch (name) {
        case 'create': {
          if (values.title === undefined || values.severity === undefined) throw new UsageError({ message: 'advisory create needs --title and --severity.', usage: advisoryCommand.usage })
          const result = await api.createAdvisory({
            title: values.title as string,
            severity: values.severity as never,
            reporter: (values.reporter as string | undefined) ?? api.actor.id,
            ...(values.description === undefined ? {} : { description: values.description as string }),
            affectedContracts: ((values.contract as string[] | undefined) ?? []).map(parseContract),
            ...(values['discovered-at'] === undefined ? {} : { discoveredAt: values['discovered-at'] as string }),
            embargoed: Boolean(values.embargo),
            clearedActors: (values.clear as string[] | undefined) ?? [],
            alertIds: (values.alert as string[] | undefined) ?? [],
          })
          if (values.json) printJson(io, result)
          else io.stdout(`${result.advisory.id} reported: ${result.advisory.title} (${result.advisory.severity}${result.advisory.embargoed ? ', embargoed' : ''})`)
          return 0
        }
        case 'list': {
          const advisories = await api.listAdvisories({
            ...(values.status === undefined ? {} : { status: values.status as never }),
            ...(values.severity === undefined ? {} : { severity: values.severity as never }),
            ...(values.limit === undefined ? {} : { limit: parseCount(values.limit as string, '--limit') }),
          })
          if (values.json) printJson(io, { advisories })
          else io.stdout(advisories.length === 0 ? 'No advisories.' : advisories.map(renderAdvisoryLine).join('\n'))
          return 0
        }
        case 'show': {
          const id = args[0]!
          const advisory = await api.getAdvisory(id)
          const [patches, transitions] = await Promise.all([api.listPatches({ advisoryId: id }), api.listTransitions(id)])
          if (values.json) printJson(io, { advisory, patches, transitions })
          else io.stdout(renderAdvisory(advisory, patches, transitions))
          return 0
        }
        case 'transition': {
          const [id, to] = args as [string, string]
          const result = await api.transitionAdvisory({
            id,
            to: to as never,
            evidence: evidenceFrom(values),
            ...(values.expect === undefined ? {} : { expectedStatus: values.expect as never }),
          })
          if (values.json) printJson(io, result)
          else io.stdout(renderTransitions(result.transitions).join('\n').trimStart())
          return 0
        }
        case 'contain':
        case 'lift': {
          const result = await api.setContainment({
            id: args[0]!,
            to: name === 'contain' ? 'contained' : 'lifted',
            evidence: evidenceFrom(values),
            ...(values.expect === undefined ? {} : { expectedContainment: values.expect as never }),
          })
          if (values.json) printJson(io, result)
          else io.stdout(renderTransitions([result.transition]).join('\n').trimStart())
          return 0
        }
      }
    })
  },
}

function parseContract(value: string): { address: string; chain?: string } {
  const at = value.lastIndexOf(':')
  return at > 0 ? { chain: value.slice(0, at), address: value.slice(at + 1) } : { address: value }
}

export function parseCount(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError({ message: `${flag} must be a whole number; got "${value}".` })
  return Number(value)
}
