import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Command } from '../command.js'
import { AuditKeyInvalidError } from '../../lifecycle/errors.js'
import { auditPublicKeyFromPem } from '../../lifecycle/signingKey.js'
import { UsageError } from '../errors.js'
import { actorOptions, parseCount, subcommand, withLifecycleApi } from './advisory.js'

const subcommands = { verify: 0, list: 0 } as const

export const auditCommand: Command = {
  name: 'audit',
  summary: 'Verify the signed, hash-chained audit log (exit 1 if tampered), or list its entries.',
  usage: 'bulwark audit verify [--public-key FILE …] [--expect-head SEQ:HASH] | bulwark audit list [--from SEQ] [--limit N] [--action A]',
  positionals: true,
  options: {
    'public-key': {
      type: 'string',
      multiple: true,
      valueName: 'file',
      description: 'verify: trust only this public key (PEM); repeat for each host. Default: the keys the log registers (each listed in the output).',
    },
    'expect-head': { type: 'string', valueName: 'seq:hash', description: 'verify: a head recorded earlier (printed by verify); catches removal of the newest entries.' },
    from: { type: 'string', valueName: 'seq', description: 'list: first entry (default 1).' },
    limit: { type: 'string', valueName: 'n', description: 'list: at most this many (default 100).' },
    action: { type: 'string', valueName: 'action', description: 'list: only this action (advisory.created, patch.approved, config.changed…).' },
    ...actorOptions,
  },
  async run({ values, positionals }, io) {
    const { name } = subcommand(auditCommand, positionals, subcommands)
    const expectHead = parseHead(values['expect-head'] as string | undefined)
    const keyFiles = (values['public-key'] as string[] | undefined) ?? []
    const publicKeys = await Promise.all(
      keyFiles.map(async (keyFile) => {
        const pem = await readFile(path.resolve(io.cwd, keyFile), 'utf8').catch(() => {
          throw new AuditKeyInvalidError({ source: keyFile, reason: 'it cannot be read' })
        })
        auditPublicKeyFromPem(pem, keyFile)
        return pem
      }),
    )
    return withLifecycleApi(values, io, async (api) => {
      if (name === 'list') {
        const entries = await api.listAuditEntries({
          ...(values.from === undefined ? {} : { fromSeq: parseCount(values.from as string, '--from') }),
          ...(values.limit === undefined ? {} : { limit: parseCount(values.limit as string, '--limit') }),
          ...(values.action === undefined ? {} : { action: values.action as string }),
        })
        if (values.json) io.stdout(JSON.stringify({ ok: true, entries }, null, 2))
        else io.stdout(entries.length === 0 ? 'No audit entries.' : entries.map((e) => `${String(e.seq).padStart(6)}  ${e.time}  ${e.actor.id.padEnd(12)} ${e.action.padEnd(22)} ${summarize(e.payload)}`).join('\n'))
        return 0
      }
      const result = await api.verifyAuditLog({ ...(publicKeys.length === 0 ? {} : { publicKeys }), ...(expectHead ? { expectHead } : {}) })
      if (values.json) io.stdout(JSON.stringify(result, null, 2))
      else {
        if (result.ok) io.stdout(`audit log OK: ${result.entries} entries, ${result.stateRows} state rows${result.head ? `; head ${result.head.seq}:${result.head.hash} (keep it to check with --expect-head)` : ''}`)
        else io.stdout(`audit log TAMPERED: ${result.firstBad?.message} [${result.firstBad?.reason}]`)
        const signing = result.keys.filter((key) => key.entries > 0)
        if (signing.length > 1 || publicKeys.length > 0) {
          io.stdout(signing.map((key) => `  key ${key.keyId}: ${key.entries} entries (${key.firstSeq}–${key.lastSeq})${key.given ? ', given' : key.registeredAt === undefined ? '' : `, registered at entry ${key.registeredAt}`}`).join('\n'))
        }
      }
      return result.ok ? 0 : 1
    })
  },
}

function summarize(payload: Record<string, unknown>): string {
  const { subjectId, from, to, patchId, signer, subject } = payload as Record<string, string | null | undefined>
  if (subjectId && to) return `${subjectId} ${from ?? '∅'} → ${to}`
  if (patchId && signer) return `${patchId} approved by ${signer}`
  if (subject) return String(subject)
  return ''
}

function parseHead(value: string | undefined): { seq: number; hash: string } | undefined {
  if (value === undefined) return undefined
  const match = /^(\d+):(0x[0-9a-f]{64})$/.exec(value)
  if (!match) throw new UsageError({ message: `--expect-head must be SEQ:0xHASH (as printed by audit verify); got "${value}".` })
  return { seq: Number(match[1]), hash: match[2]! }
}
