import os from 'node:os'
import { openLifecycle } from '../../lifecycle/context.js'
import { roles, type Actor } from '../../lifecycle/types.js'
import { createApiToken, listApiTokens, revokeApiToken, type ApiToken } from '../../server/auth.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import type { CliIo } from '../io.js'
import { callServer, remoteOptions, remoteTarget } from '../remote.js'

const usage = 'bulwark token (create --role ROLE [--role ROLE …] --label LABEL | list | revoke ID) [--server URL --token T] [--json]'

export const tokenCommand: Command = {
  name: 'token',
  summary: 'Create, list and revoke HTTP API tokens (roles: admin, responder, auditor, signer, viewer).',
  usage,
  positionals: true,
  options: {
    role: { type: 'string', multiple: true, valueName: 'role', description: `A role of the new token: ${roles.join(', ')}; repeat for several.` },
    label: { type: 'string', valueName: 'label', description: 'Who or what holds the new token; the audit log records its actions under this name.' },
    ...remoteOptions,
  },
  async run({ values, positionals }, io) {
    const [action, ...rest] = positionals
    const target = remoteTarget(io, values)
    switch (action) {
      case 'create': {
        expectNoMore(rest)
        const label = values.label as string | undefined
        const wanted = (values.role as string[] | undefined) ?? []
        if (label === undefined || wanted.length === 0) throw new UsageError({ message: '`token create` needs --role and --label.', usage })
        const created = target
          ? await callServer<{ token: string; apiToken: ApiToken }>(target, 'POST', '/tokens', { label, roles: wanted }).then(({ token, apiToken }) => ({ ...apiToken, token }))
          : await local(io, (context) => createApiToken(context, { label, roles: wanted }, localActor()))
        if (values.json) io.stdout(JSON.stringify({ ok: true, token: created.token, apiToken: withoutSecret(created) }, null, 2))
        else {
          io.stdout(`Token ${created.id} (${created.label}; ${created.roles.join(', ')}):`)
          io.stdout(created.token)
          io.stderr('This is the only time the token is shown: Bulwark keeps only its sha256. Store it now.')
        }
        return 0
      }
      case 'list': {
        expectNoMore(rest)
        const tokens = target
          ? (await callServer<{ tokens: ApiToken[] }>(target, 'GET', '/tokens')).tokens
          : await local(io, (context) => listApiTokens(context.store))
        if (values.json) io.stdout(JSON.stringify({ ok: true, tokens }, null, 2))
        else if (tokens.length === 0) io.stdout('No active API tokens. Create one with `bulwark token create --role admin --label you`.')
        else for (const token of tokens) io.stdout(`${String(token.id).padStart(4)}  ${token.label}  ${token.roles.join(',')}  created ${iso(token.createdAt)}  last used ${token.lastUsedAt === null ? 'never' : iso(token.lastUsedAt)}`)
        return 0
      }
      case 'revoke': {
        const [idText, ...extra] = rest
        expectNoMore(extra)
        const id = idText !== undefined && /^\d+$/.test(idText) ? Number(idText) : Number.NaN
        if (!Number.isSafeInteger(id) || id < 1) throw new UsageError({ message: `\`token revoke\` needs a token id (a whole number); got "${idText ?? ''}".`, usage })
        const revoked = target
          ? (await callServer<{ revoked: ApiToken }>(target, 'DELETE', `/tokens/${id}`)).revoked
          : await local(io, (context) => revokeApiToken(context, { id }, localActor()))
        if (values.json) io.stdout(JSON.stringify({ ok: true, revoked }, null, 2))
        else io.stdout(`Revoked token ${revoked.id} (${revoked.label}).`)
        return 0
      }
      default:
        throw new UsageError({ message: action === undefined ? 'Say what to do: create, list or revoke.' : `Unknown token action "${action}": create, list or revoke.`, usage })
    }
  },
}

/** Whoever can open the local store can do anything: the local operator acts as admin, named after the OS user. */
function localActor(): Actor {
  let user = 'operator'
  try {
    user = os.userInfo().username || user
  } catch {
    // no passwd entry (some containers): keep the generic name
  }
  return { id: `local:${user}`, roles: ['admin'] }
}

async function local<T>(io: CliIo, work: (context: Awaited<ReturnType<typeof openLifecycle>>) => Promise<T>): Promise<T> {
  const context = await openLifecycle({ cwd: io.cwd, env: io.env })
  try {
    return await work(context)
  } finally {
    await context.store.close()
  }
}

function expectNoMore(rest: readonly string[]): void {
  if (rest.length > 0) throw new UsageError({ message: `Unexpected argument "${rest[0]}".`, usage })
}

function withoutSecret<T extends { token: string }>(value: T): Omit<T, 'token'> {
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'token')) as Omit<T, 'token'>
}

function iso(value: Date | string): string {
  return typeof value === 'string' ? value : value.toISOString()
}
