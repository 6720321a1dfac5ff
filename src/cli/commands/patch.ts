import type { Patch } from '../../lifecycle/types.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { actorOptions, evidenceFrom, evidenceOptions, iso, parseCount, printJson, renderTransitions, subcommand, withLifecycleApi } from './advisory.js'

const subcommands = { create: 0, list: 0, show: 1, transition: 2, approve: 1 } as const

function renderPatch(p: Patch): string {
  return [
    `${p.id} — ${p.title} (advisory ${p.advisoryId})`,
    `  status ${p.status} · route ${p.route} · approvals ${p.approvals.length}/${p.requiredApprovals}`,
    '  targets:',
    ...p.targets.map((t) => `    ${t.chain ? `${t.chain}:` : ''}${t.proxy} → ${t.newImplementation}${t.call ? ` (call ${t.call.slice(0, 10)}…)` : ''}`),
    ...(p.approvals.length > 0 ? ['  approvals:', ...p.approvals.map((a) => `    ${a.signer} at ${iso(a.at)}${a.digest ? ` on ${a.digest}` : ''}`)] : []),
  ].join('\n')
}

export const patchCommand: Command = {
  name: 'patch',
  summary: 'Propose and move patches: create, list, show, transition, approve.',
  usage: [
    'bulwark patch create --advisory ID --title T --route standard|emergency|private --target PROXY=IMPL[:CALLDATA] … [--chain NAME] [--approvals N]',
    '       bulwark patch list [--advisory ID] [--status S] [--limit N]',
    '       bulwark patch show ID',
    '       bulwark patch transition ID STATUS [--note TEXT] [--link URL …] [--expect STATUS]',
    '       bulwark patch approve ID [--digest 0x…] [--signature 0x…] [--note TEXT]',
  ].join('\n'),
  positionals: true,
  options: {
    advisory: { type: 'string', valueName: 'id', description: 'create: the advisory it answers; list: filter.' },
    title: { type: 'string', valueName: 'text', description: 'create: a one-line title.' },
    route: { type: 'string', valueName: 'route', description: 'create: standard (timelock), emergency or private.' },
    target: { type: 'string', multiple: true, valueName: 'proxy=impl', description: 'create: a proxy and its new implementation (optionally :CALLDATA); repeat for several.' },
    chain: { type: 'string', valueName: 'name', description: 'create: the chain of every target.' },
    approvals: { type: 'string', valueName: 'n', description: 'create: distinct signer approvals required (default 1).' },
    status: { type: 'string', valueName: 'status', description: 'list: only patches in this status.' },
    limit: { type: 'string', valueName: 'n', description: 'list: at most this many (default 100).' },
    digest: { type: 'string', valueName: '0x…', description: 'approve: what is approved (validation report or plan hash).' },
    signature: { type: 'string', valueName: '0x…', description: "approve: the signer's signature over --digest." },
    ...evidenceOptions,
    ...actorOptions,
  },
  async run({ values, positionals }, io) {
    const { name, args } = subcommand(patchCommand, positionals, subcommands)
    return withLifecycleApi(values, io, async (api) => {
      switch (name) {
        case 'create': {
          for (const flag of ['advisory', 'title', 'route', 'target']) {
            if (values[flag] === undefined) throw new UsageError({ message: `patch create needs --${flag}.`, usage: patchCommand.usage })
          }
          const chain = values.chain as string | undefined
          const result = await api.createPatch({
            advisoryId: values.advisory as string,
            title: values.title as string,
            route: values.route as never,
            targets: (values.target as string[]).map((value) => parseTarget(value, chain)),
            ...(values.approvals === undefined ? {} : { requiredApprovals: parseCount(values.approvals as string, '--approvals') }),
            evidence: evidenceFrom(values),
          })
          if (values.json) printJson(io, result)
          else io.stdout(`${result.patch.id} proposed for ${result.advisory.id} (${result.patch.route}, ${result.patch.targets.length} target(s)); advisory is ${result.advisory.status}`)
          return 0
        }
        case 'list': {
          const patches = await api.listPatches({
            ...(values.advisory === undefined ? {} : { advisoryId: values.advisory as string }),
            ...(values.status === undefined ? {} : { status: values.status as never }),
            ...(values.limit === undefined ? {} : { limit: parseCount(values.limit as string, '--limit') }),
          })
          if (values.json) printJson(io, { patches })
          else io.stdout(patches.length === 0 ? 'No patches.' : patches.map((p) => `${p.id.padEnd(9)} ${p.advisoryId.padEnd(9)} ${p.status.padEnd(17)} ${p.route.padEnd(9)} ${p.title}`).join('\n'))
          return 0
        }
        case 'show': {
          const patch = await api.getPatch(args[0]!)
          if (values.json) printJson(io, { patch })
          else io.stdout(renderPatch(patch))
          return 0
        }
        case 'transition': {
          const [id, to] = args as [string, string]
          const result = await api.transitionPatch({ id, to: to as never, evidence: evidenceFrom(values), ...(values.expect === undefined ? {} : { expectedStatus: values.expect as never }) })
          if (values.json) printJson(io, result)
          else io.stdout(renderTransitions(result.transitions).join('\n').trimStart())
          return 0
        }
        case 'approve': {
          const result = await api.recordApproval({
            patchId: args[0]!,
            ...(values.digest === undefined ? {} : { digest: values.digest as string }),
            ...(values.signature === undefined ? {} : { signature: values.signature as string }),
            ...(values.note === undefined ? {} : { note: values.note as string }),
          })
          if (values.json) printJson(io, result)
          else io.stdout(`${result.approval.signer} approved ${result.patch.id}: ${result.patch.approvals.length}/${result.patch.requiredApprovals}${result.transition ? ' — patch approved' : ''}`)
          return 0
        }
      }
    })
  },
}

function parseTarget(value: string, chain: string | undefined) {
  const match = /^([^=]+)=([^:]+)(?::(.+))?$/.exec(value)
  if (!match) throw new UsageError({ message: `--target must be PROXY=IMPLEMENTATION[:CALLDATA]; got "${value}".`, usage: patchCommand.usage })
  return { proxy: match[1]!, newImplementation: match[2]!, ...(match[3] === undefined ? {} : { call: match[3] }), ...(chain === undefined ? {} : { chain }) }
}
