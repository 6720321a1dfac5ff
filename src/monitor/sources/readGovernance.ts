import { getAddress, type Address } from 'viem'
import type { InventoryClient } from '../../chain/probeContractRead.js'
import { readInventory, type Inventory } from '../../chain/readInventory.js'
import type { MonitorScope, ScopeRole } from '../types.js'

export type ReadGovernanceParameters = {
  /** The protocol contracts. */
  contracts: readonly Address[]
  /** First block of the role-log history (default 0). */
  fromBlock?: bigint | undefined
  /** Extra AccessControl role names to resolve. */
  roleNames?: readonly string[] | undefined
}

export type ReadGovernanceReturnType = {
  /** Governance accounts found on chain: Safes, timelocks and proxy admins in the protocol's chain of control. */
  authorities: Address[]
  /** Owners, role holders and proxy admins of each protocol contract. */
  roles: ScopeRole[]
  /** Contracts whose control graph could not be read (no code, a node error), with the reason. */
  unreadable: { address: Address; reason: string }[]
}

/**
 * The protocol's governance as the chain records it, for the monitor's scope: the inventory walk
 * (proxy → admin → owner → role holders → Safe owners) of every protocol contract gives who may
 * do admin work on each contract. Safes, timelocks and proxy admins are authorities; owners and
 * role holders are holders of their contract's roles.
 */
export async function readGovernance(client: InventoryClient, parameters: ReadGovernanceParameters): Promise<ReadGovernanceReturnType> {
  const unreadable: ReadGovernanceReturnType['unreadable'] = []
  const inventories: Inventory[] = []
  const options = { fromBlock: parameters.fromBlock, roleNames: parameters.roleNames }
  try {
    inventories.push(await readInventory(client, { addresses: parameters.contracts, ...options }))
  } catch {
    // one unreadable contract fails the whole walk: read them one by one to keep the rest
    for (const address of parameters.contracts) {
      try {
        inventories.push(await readInventory(client, { addresses: [address], ...options }))
      } catch (error) {
        unreadable.push({ address, reason: error instanceof Error ? (error.message.split('\n')[0] ?? 'unreadable') : 'unreadable' })
      }
    }
  }
  const authorities = new Map<string, Address>()
  const roles = new Map<string, ScopeRole>()
  const addRole = (contract: Address, holder: Address, role: string) => roles.set(`${contract}:${holder}:${role}`.toLowerCase(), { contract: getAddress(contract), holder: getAddress(holder), role })
  for (const inventory of inventories) {
    for (const node of Object.values(inventory.nodes)) {
      if (node.kind === 'safe' || node.kind === 'timelock' || node.kind === 'proxy-admin') authorities.set(node.address.toLowerCase(), node.address)
    }
    for (const edge of inventory.edges) {
      if (edge.relation === 'owner') addRole(edge.from, edge.to, 'owner')
      else if (edge.relation === 'admin') addRole(edge.from, edge.to, 'admin')
      else if (edge.relation.startsWith('role:')) addRole(edge.from, edge.to, edge.relation.slice(5))
    }
  }
  return { authorities: [...authorities.values()], roles: [...roles.values()], unreadable }
}

/** The scope with what `readGovernance` found added (same `contracts` array, so contracts added later are still seen). */
export function withGovernance(scope: MonitorScope, governance: Pick<ReadGovernanceReturnType, 'authorities' | 'roles'>): MonitorScope {
  const known = new Set(scope.authorities.map((a) => a.toLowerCase()))
  const rolesKnown = new Set((scope.roles ?? []).map((r) => `${r.contract}:${r.holder}:${r.role}`.toLowerCase()))
  return {
    ...scope,
    contracts: scope.contracts,
    authorities: [...scope.authorities, ...governance.authorities.filter((a) => !known.has(a.toLowerCase()))],
    roles: [...(scope.roles ?? []), ...governance.roles.filter((r) => !rolesKnown.has(`${r.contract}:${r.holder}:${r.role}`.toLowerCase()))],
  }
}
