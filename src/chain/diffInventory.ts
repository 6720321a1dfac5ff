import type { Address } from 'viem'
import type { Inventory, InventoryNode } from './readInventory.js'
import { formatDelay } from './renderInventory.js'

export type InventoryChangeField =
  | 'node'
  | 'kind'
  | 'implementation'
  | 'admin'
  | 'beacon'
  | 'owner'
  | 'paused'
  | 'safe.threshold'
  | 'safe.owners'
  | 'safe.modules'
  | 'safe.guard'
  | 'safe.fallbackHandler'
  | 'safe.singleton'
  | 'timelock.minDelay'
  | 'initializer'
  | `role:${string}`

/** One difference between two inventories; JSON like the inventories themselves. */
export type InventoryChange = {
  address: Address
  field: InventoryChangeField
  /** null where there was nothing (a new owner added, a role newly granted). */
  before: string | null
  after: string | null
  description: string
}

/**
 * What changed in the chain of control between two snapshots: new implementations, owners and
 * admins, Safe threshold/owners/modules/guard, timelock delay, role grants and revocations, pause
 * state, and accounts that entered or left the graph.
 */
export function diffInventory(before: Inventory, after: Inventory): InventoryChange[] {
  const changes: InventoryChange[] = []
  const addresses = [...new Set([...Object.keys(before.nodes), ...Object.keys(after.nodes)])] as Address[]
  for (const address of addresses) {
    const old = before.nodes[address]
    const current = after.nodes[address]
    if (!old || !current) {
      changes.push({
        address,
        field: 'node',
        before: old?.kind ?? null,
        after: current?.kind ?? null,
        description: current ? `${current.kind} ${address} entered the chain of control` : `${old?.kind} ${address} left the chain of control`,
      })
      continue
    }
    changes.push(...nodeChanges(old, current))
  }
  return changes
}

function nodeChanges(old: InventoryNode, current: InventoryNode): InventoryChange[] {
  const changes: InventoryChange[] = []
  const address = current.address
  const scalar = (field: InventoryChangeField, a: string | undefined | null, b: string | undefined | null, describe: (a: string, b: string) => string) => {
    const x = a ?? null
    const y = b ?? null
    if (x !== y) changes.push({ address, field, before: x, after: y, description: describe(x ?? 'none', y ?? 'none') })
  }
  const members = (field: InventoryChangeField, a: readonly string[], b: readonly string[], added: (m: string) => string, removed: (m: string) => string) => {
    for (const member of b) if (!a.includes(member)) changes.push({ address, field, before: null, after: member, description: added(member) })
    for (const member of a) if (!b.includes(member)) changes.push({ address, field, before: member, after: null, description: removed(member) })
  }

  scalar('kind', old.kind, current.kind, (a, b) => `${address} changed kind from ${a} to ${b}`)
  scalar('implementation', old.implementation, current.implementation, (a, b) => `${address} now runs implementation ${b} (was ${a})`)
  scalar('admin', old.admin, current.admin, (a, b) => `admin of ${address} changed from ${a} to ${b}`)
  scalar('beacon', old.beacon, current.beacon, (a, b) => `beacon of ${address} changed from ${a} to ${b}`)
  scalar('owner', old.owner, current.owner, (a, b) => `owner of ${address} changed from ${a} to ${b}`)
  scalar('paused', bool(old.paused), bool(current.paused), (a, b) =>
    b === 'true' ? `${address} was paused` : a === 'true' ? `${address} was unpaused` : `pause state of ${address} changed from ${a} to ${b}`,
  )

  if (old.safe || current.safe) {
    const a = old.safe
    const b = current.safe
    scalar('safe.threshold', a ? `${a.threshold}` : null, b ? `${b.threshold}` : null, (x, y) => `Safe ${address} threshold changed from ${x} to ${y} (of ${b?.owners.length ?? '?'} owners)`)
    members('safe.owners', a?.owners ?? [], b?.owners ?? [], (m) => `Safe ${address} added owner ${m}`, (m) => `Safe ${address} removed owner ${m}`)
    members('safe.modules', a?.modules ?? [], b?.modules ?? [], (m) => `Safe ${address} enabled module ${m}`, (m) => `Safe ${address} disabled module ${m}`)
    scalar('safe.guard', a?.guard, b?.guard, (x, y) => `Safe ${address} guard changed from ${x} to ${y}`)
    scalar('safe.fallbackHandler', a?.fallbackHandler, b?.fallbackHandler, (x, y) => `Safe ${address} fallback handler changed from ${x} to ${y}`)
    scalar('safe.singleton', a?.singleton, b?.singleton, (x, y) => `Safe ${address} singleton (master copy) changed from ${x} to ${y}`)
  }
  scalar('timelock.minDelay', old.timelock?.minDelay, current.timelock?.minDelay, (a, b) =>
    `TimelockController ${address} min delay changed from ${delay(a)} to ${delay(b)}`,
  )

  const roleNames = [...new Set([...(old.roles ?? []), ...(current.roles ?? [])].map((role) => role.name))]
  for (const name of roleNames) {
    const a = old.roles?.find((role) => role.name === name)?.holders ?? []
    const b = current.roles?.find((role) => role.name === name)?.holders ?? []
    members(`role:${name}`, a, b, (m) => `${name} granted to ${m} on ${address}`, (m) => `${name} revoked from ${m} on ${address}`)
  }

  scalar('initializer', initializerState(old), initializerState(current), (a, b) => `initializer of implementation ${address} changed from ${a} to ${b}`)
  return changes
}

function bool(value: boolean | undefined): string | undefined {
  return value === undefined ? undefined : String(value)
}

function delay(seconds: string): string {
  return /^\d+$/.test(seconds) ? formatDelay(BigInt(seconds)) : seconds
}

function initializerState(node: InventoryNode): string | undefined {
  const state = node.initializer
  if (!state) return undefined
  if (state.layout === 'unknown') return 'unknown'
  return state.disabled ? 'disabled' : state.callableByAnyone ? 'open' : `initialized (version ${state.version})`
}

/** One line per change, or a line saying there is none. */
export function renderInventoryDiff(changes: readonly InventoryChange[]): string {
  if (changes.length === 0) return '  no changes'
  return changes.map((change) => `  ${symbolOf(change)} ${change.description}`).join('\n')
}

function symbolOf(change: InventoryChange): string {
  if (change.before === null) return '+'
  if (change.after === null) return '-'
  return '~'
}
