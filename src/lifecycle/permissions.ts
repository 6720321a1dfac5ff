import { ForbiddenError } from './errors.js'
import type { Actor, Advisory, Role } from './types.js'

/**
 * Which role may do what. The library checks these on every operation; the HTTP server
 * (part B) uses the same table for its routes, so a role means the same thing everywhere.
 * An actor holds several roles; it may do what any of them allows.
 */
export const permissions = {
  'advisory:read': ['admin', 'responder', 'auditor', 'signer', 'viewer'],
  'advisory:create': ['admin', 'responder'],
  'advisory:transition': ['admin', 'responder'],
  'advisory:contain': ['admin', 'responder'],
  'patch:create': ['admin', 'responder'],
  'patch:transition': ['admin', 'responder'],
  'patch:approve': ['signer'],
  'patch:override': ['admin'],
  'latency:read': ['admin', 'responder', 'auditor', 'signer', 'viewer'],
  'audit:read': ['admin', 'auditor'],
  'audit:verify': ['admin', 'auditor'],
  'config:write': ['admin'],
  'token:manage': ['admin'],
  'safe-tx:propose': ['admin', 'responder'],
  'safe-tx:confirm': ['signer'],
  'safe-tx:read': ['admin', 'responder', 'auditor', 'signer', 'viewer'],
} as const satisfies Record<string, readonly Role[]>

export type Permission = keyof typeof permissions

/**
 * Roles cleared for every embargoed advisory. Signers and viewers see an embargoed advisory
 * only when listed on it (`clearedActors`); otherwise it does not exist for them.
 */
export const embargoClearedRoles = ['admin', 'responder', 'auditor'] as const satisfies readonly Role[]

export function can(actor: Actor, permission: Permission): boolean {
  const allowed: readonly Role[] = permissions[permission]
  return actor.roles.some((role) => allowed.includes(role))
}

/** Throws BW_FORBIDDEN unless the actor holds a role that allows `permission`. */
export function assertCan(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) throw new ForbiddenError({ permission, roles: actor.roles })
}

/** Whether the actor may see this advisory (and its patches, transitions and latency). */
export function isClearedFor(actor: Actor, advisory: Pick<Advisory, 'embargoed' | 'clearedActors'>): boolean {
  if (!advisory.embargoed) return true
  const cleared: readonly Role[] = embargoClearedRoles
  return actor.roles.some((role) => cleared.includes(role)) || advisory.clearedActors.includes(actor.id)
}
