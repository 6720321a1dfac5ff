import { createHash, randomBytes } from 'node:crypto'
import { ConflictError, LifecycleInputError } from '../lifecycle/errors.js'
import { roles as allRoles, type Actor, type Role } from '../lifecycle/types.js'
import type { LifecycleContext } from '../lifecycle/context.js'
import { runChange } from '../lifecycle/ledger.js'
import type { Store } from '../store/openStore.js'
import { TokenNotFoundError } from './errors.js'

/**
 * API tokens. A token is 32 random bytes (base64url, prefixed `bwt_` so it is recognisable
 * in a leak scan), shown once when created; the database keeps only its sha256. The token's
 * label is the actor id the audit log records for what the token does.
 */
export type ApiToken = {
  id: number
  label: string
  roles: Role[]
  createdAt: Date
  lastUsedAt: Date | null
}

const tokenPrefix = 'bwt_'
const labelPattern = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,63}$/

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** Whether a string has the shape of a Bulwark token (cheap check before any database read). */
export function looksLikeToken(value: string): boolean {
  return value.startsWith(tokenPrefix) && /^[A-Za-z0-9_-]{43}$/.test(value.slice(tokenPrefix.length))
}

/**
 * Creates a token with the given roles and label, recorded in the audit log (without the token).
 * The returned `token` is the only time it exists in clear.
 */
export async function createApiToken(
  context: LifecycleContext,
  { roles, label }: { roles: readonly string[]; label: string },
  actor: Actor,
): Promise<ApiToken & { token: string }> {
  if (typeof label !== 'string' || !labelPattern.test(label)) {
    throw new LifecycleInputError({ field: 'label', message: 'must be 1–64 letters, digits or ._@:- (starting with a letter or digit)' })
  }
  if (roles.length === 0) throw new LifecycleInputError({ field: 'roles', message: `needs at least one of ${allRoles.join(', ')}` })
  roles.forEach((role, index) => {
    if (!(allRoles as readonly string[]).includes(role)) {
      throw new LifecycleInputError({ field: `roles[${index}]`, message: `"${role}" is not one of ${allRoles.join(', ')}` })
    }
  })
  const token = tokenPrefix + randomBytes(32).toString('base64url')
  const unique = allRoles.filter((role) => roles.includes(role))
  return runChange(context, actor, async (change) => {
    const existing = await change.tx.query<{ id: number }>('SELECT id FROM api_tokens WHERE label = $1 AND revoked_at IS NULL', [label])
    if (existing.length > 0) throw new ConflictError({ message: `An active API token labelled "${label}" already exists; revoke it first.` })
    const [row] = await change.tx.query<TokenRow>(
      'INSERT INTO api_tokens (label, roles, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id, label, roles, created_at, last_used_at',
      [label, unique, hashToken(token), change.at],
    )
    const created = toApiToken(row!)
    await change.audit('token.created', { tokenId: created.id, label, roles: unique })
    return { ...created, token }
  })
}

/** Active (not revoked) tokens, oldest first. No hash and no token is ever returned. */
export async function listApiTokens(store: Pick<Store, 'query'>): Promise<ApiToken[]> {
  const rows = await store.query<TokenRow>(
    'SELECT id, label, roles, created_at, last_used_at FROM api_tokens WHERE revoked_at IS NULL ORDER BY id',
  )
  return rows.map(toApiToken)
}

/** Revokes a token, recorded in the audit log; it stops working at once on this server (other servers: within their token cache time). */
export async function revokeApiToken(context: LifecycleContext, { id }: { id: number }, actor: Actor): Promise<ApiToken> {
  return runChange(context, actor, async (change) => {
    const [row] = await change.tx.query<TokenRow>(
      'UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id, label, roles, created_at, last_used_at',
      [id, change.at],
    )
    if (!row) throw new TokenNotFoundError({ id })
    const revoked = toApiToken(row)
    await change.audit('token.revoked', { tokenId: revoked.id, label: revoked.label })
    return revoked
  })
}

/** The active token with this plaintext, or undefined. */
export async function findApiToken(store: Pick<Store, 'query'>, token: string): Promise<ApiToken | undefined> {
  if (!looksLikeToken(token)) return undefined
  const [row] = await store.query<TokenRow>(
    'SELECT id, label, roles, created_at, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
    [hashToken(token)],
  )
  return row ? toApiToken(row) : undefined
}

export async function touchApiToken(store: Pick<Store, 'query'>, { id }: { id: number }): Promise<void> {
  await store.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [id])
}

export function actorOfToken(token: Pick<ApiToken, 'label' | 'roles'>): Actor {
  return { id: token.label, roles: token.roles }
}

type TokenRow = { id: number | string; label: string; roles: string[] | string; created_at: Date | string; last_used_at: Date | string | null }

function toApiToken(row: TokenRow): ApiToken {
  return {
    id: Number(row.id),
    label: row.label,
    roles: parseRoles(row.roles),
    createdAt: new Date(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at),
  }
}

/** node-postgres and PGlite both parse TEXT[]; the string form is the fallback for other drivers. */
function parseRoles(value: string[] | string): Role[] {
  const list = Array.isArray(value) ? value : value.replace(/^\{|\}$/g, '').split(',').filter(Boolean)
  return list.filter((role): role is Role => (allRoles as readonly string[]).includes(role))
}
