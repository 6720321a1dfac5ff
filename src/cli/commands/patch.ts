import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { patchApprovalTypedData } from '../../lifecycle/patchApprovalTypedData.js'
import type { Patch } from '../../lifecycle/types.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { actorOptions, evidenceFrom, evidenceOptions, iso, parseCount, printJson, renderTransitions, subcommand, withLifecycleApi } from './advisory.js'

const subcommands = { create: 0, list: 0, show: 1, transition: 2, approve: 1, signers: 0, 'register-signer': 1 } as const

function renderPatch(p: Patch): string {
  return [
    `${p.id} — ${p.title} (advisory ${p.advisoryId})`,
    `  status ${p.status} · route ${p.route} · approvals ${p.approvals.length}/${p.requiredApprovals}`,
    '  targets:',
    ...p.targets.map((t) => `    ${t.chain ? `${t.chain}:` : ''}${t.proxy} → ${t.newImplementation}${t.call ? ` (call ${t.call.slice(0, 10)}…)` : ''}`),
    `  validated report: ${p.reportHash ?? '(none)'}${p.chainId === null ? '' : ` on chain ${p.chainId}`}`,
    ...(p.approvals.length > 0 ? ['  approvals:', ...p.approvals.map((a) => `    ${a.signer} (${a.kind}${a.kind === 'override' ? ' — OVERRIDE' : ''}) at ${iso(a.at)}${a.digest ? ` on ${a.digest}` : ''}`)] : []),
  ].join('\n')
}

export const patchCommand: Command = {
  name: 'patch',
  summary: 'Propose and move patches: create, list, show, transition (or override), approve with a signature, register approval signers.',
  usage: [
    'bulwark patch create --advisory ID --title T --route standard|emergency|private --target PROXY=IMPL[:CALLDATA] … [--chain NAME] [--approvals N]',
    '       bulwark patch list [--advisory ID] [--status S] [--limit N]',
    '       bulwark patch show ID',
    '       bulwark patch transition ID STATUS [--note TEXT] [--link URL …] [--expect STATUS] [--override REASON]',
    '       bulwark patch approve ID (--key env:VAR | --signature 0x…) [--note TEXT]',
    '       bulwark patch register-signer ADDRESS --label NAME [--revoke]',
    '       bulwark patch signers',
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
    digest: { type: 'string', valueName: '0x…', description: 'approve: the PatchApproval digest the signer saw (checked against the patch).' },
    signature: { type: 'string', valueName: '0x…', description: "approve: a registered signer's EIP-712 PatchApproval signature { patchId, reportHash } in the domain { name: Bulwark, version: 1, chainId } (made in a wallet)." },
    key: { type: 'string', valueName: 'env:VAR', description: 'approve: sign the PatchApproval with the private key held in environment variable VAR (never on the command line).' },
    override: { type: 'string', valueName: 'reason', description: 'transition: an admin forcing a move that needs evidence (validated, approved, scheduled, released, verified); the reason is audited and shown.' },
    label: { type: 'string', valueName: 'name', description: 'register-signer: who holds the key.' },
    revoke: { type: 'boolean', description: 'register-signer: revoke the address instead.' },
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
          const result = await api.transitionPatch({
            id,
            to: to as never,
            evidence: evidenceFrom(values),
            ...(values.expect === undefined ? {} : { expectedStatus: values.expect as never }),
            ...(values.override === undefined ? {} : { override: { reason: values.override as string } }),
          })
          if (values.json) printJson(io, result)
          else io.stdout(renderTransitions(result.transitions).join('\n').trimStart())
          return 0
        }
        case 'approve': {
          const patchId = args[0]!
          let signature = values.signature as string | undefined
          const key = values.key as string | undefined
          if ((signature === undefined) === (key === undefined)) throw new UsageError({ message: 'patch approve takes exactly one of --key env:VAR and --signature 0x… (an approval is a signature).', usage: patchCommand.usage })
          if (key !== undefined) {
            const variable = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(key)?.[1]
            const secret = variable === undefined ? undefined : io.env[variable]
            if (variable === undefined || secret === undefined || !/^0x[0-9a-fA-F]{64}$/.test(secret)) throw new UsageError({ message: '--key must be env:VAR naming an environment variable that holds a 32-byte hex private key.', usage: patchCommand.usage })
            const patch = await api.getPatch(patchId)
            if (patch.reportHash === null || patch.chainId === null) throw new UsageError({ message: `patch ${patchId} has no validated report hash to sign (validate it first).`, usage: patchCommand.usage })
            signature = await privateKeyToAccount(secret as Hex).signTypedData(patchApprovalTypedData({ patchId, reportHash: patch.reportHash, chainId: patch.chainId }))
          }
          const result = await api.recordApproval({
            patchId,
            signature: signature!,
            ...(values.digest === undefined ? {} : { digest: values.digest as string }),
            ...(values.note === undefined ? {} : { note: values.note as string }),
          })
          if (values.json) printJson(io, result)
          else io.stdout(`${result.approval.signer} approved ${result.patch.id}: ${result.patch.approvals.length}/${result.patch.requiredApprovals}${result.transition ? ' — patch approved' : ''}`)
          return 0
        }
        case 'register-signer': {
          if (values.label === undefined) throw new UsageError({ message: 'patch register-signer needs --label NAME.', usage: patchCommand.usage })
          const signer = await api.registerApprovalSigner({ address: args[0]!, label: values.label as string, ...(values.revoke ? { revoke: true } : {}) })
          if (values.json) printJson(io, { signer })
          else io.stdout(`${signer.address} (${signer.label}) ${signer.revokedAt ? 'revoked' : 'registered'} as an approval signer`)
          return 0
        }
        case 'signers': {
          const signers = await api.listApprovalSigners()
          if (values.json) printJson(io, { signers })
          else io.stdout(signers.length === 0 ? 'No approval signers.' : signers.map((signer) => `${signer.address} ${signer.label}${signer.revokedAt ? ' (revoked)' : ''}`).join('\n'))
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
