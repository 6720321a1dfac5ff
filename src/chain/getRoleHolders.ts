import { getAddress, keccak256, parseAbi, parseAbiItem, toHex, zeroHash, type Address, type Hex } from 'viem'
import { probeContractRead, requiredRead, type InventoryClient } from './probeContractRead.js'

/**
 * Role names resolved from their hash (`keccak256(name)`, DEFAULT_ADMIN_ROLE is 0x00). These are
 * the names OpenZeppelin, the timelock and common protocols use; others are reported as hex.
 */
export const knownRoleNames = [
  'PROPOSER_ROLE',
  'EXECUTOR_ROLE',
  'CANCELLER_ROLE',
  'TIMELOCK_ADMIN_ROLE',
  'PAUSER_ROLE',
  'UNPAUSER_ROLE',
  'UPGRADER_ROLE',
  'RELEASER_ROLE',
  'GUARDIAN_ROLE',
  'ADMIN_ROLE',
  'MINTER_ROLE',
  'BURNER_ROLE',
  'OPERATOR_ROLE',
  'MANAGER_ROLE',
  'KEEPER_ROLE',
  'ORACLE_ROLE',
  'LIQUIDATOR_ROLE',
  'EMERGENCY_ROLE',
  'RISK_ADMIN_ROLE',
  'GOVERNOR_ROLE',
  'STRATEGIST_ROLE',
] as const

const roleNameByHash: ReadonlyMap<Hex, string> = new Map<Hex, string>([
  [zeroHash, 'DEFAULT_ADMIN_ROLE'],
  ...knownRoleNames.map((name) => [keccak256(toHex(name)), name] as [Hex, string]),
])

/** The name of a role hash when it is a known one, else the hash itself. */
export function roleName(role: Hex, extraNames: readonly string[] = []): string {
  const known = roleNameByHash.get(role.toLowerCase() as Hex)
  if (known) return known
  return extraNames.find((name) => keccak256(toHex(name)) === role.toLowerCase()) ?? role
}

export type RoleHolders = {
  role: Hex
  /** Known name (e.g. UPGRADER_ROLE) or the role hash. */
  name: string
  /** Current holders, in the order they were granted. */
  holders: Address[]
}

export type GetRoleHoldersParameters = {
  address: Address
  /** First block to read logs from (default 0: the contract's whole history). */
  fromBlock?: bigint | undefined
  /** Reads are pinned at this block (default latest). */
  blockNumber?: bigint | undefined
  /** Additional role names to resolve, e.g. a protocol's own `RISK_MANAGER_ROLE`. */
  roleNames?: readonly string[] | undefined
}
/** Roles that currently have at least one holder, in order of first grant. */
export type GetRoleHoldersReturnType = RoleHolders[]

const roleEvents = [
  parseAbiItem('event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)'),
  parseAbiItem('event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)'),
] as const
const accessControlAbi = parseAbi(['function hasRole(bytes32 role, address account) view returns (bool)'])

/**
 * Rebuilds AccessControl role holders by replaying `RoleGranted`/`RoleRevoked` logs in chain
 * order. Plain AccessControl cannot enumerate members, so logs are the only complete source;
 * a `fromBlock` after the contract's deployment misses earlier grants.
 */
export async function getRoleHolders(client: InventoryClient, parameters: GetRoleHoldersParameters): Promise<GetRoleHoldersReturnType> {
  const { address, fromBlock = 0n, blockNumber, roleNames = [] } = parameters
  const logs = await requiredRead(client, 'eth_getLogs', () =>
    client.getLogs({ address, events: roleEvents, fromBlock, ...(blockNumber === undefined ? { toBlock: 'latest' as const } : { toBlock: blockNumber }) }),
  )
  const ordered = [...logs].sort((a, b) =>
    a.blockNumber === b.blockNumber ? (a.logIndex ?? 0) - (b.logIndex ?? 0) : (a.blockNumber ?? 0n) < (b.blockNumber ?? 0n) ? -1 : 1,
  )
  const holdersByRole = new Map<Hex, Address[]>()
  for (const log of ordered) {
    const { role, account } = log.args
    if (role === undefined || account === undefined) continue
    const holders = holdersByRole.get(role) ?? []
    const holder = getAddress(account)
    if (log.eventName === 'RoleGranted') {
      if (!holders.includes(holder)) holders.push(holder)
    } else {
      const index = holders.indexOf(holder)
      if (index >= 0) holders.splice(index, 1)
    }
    holdersByRole.set(role, holders)
  }
  return [...holdersByRole]
    .filter(([, holders]) => holders.length > 0)
    .map(([role, holders]) => ({ role, name: roleName(role, roleNames), holders }))
}

export type IsAccessControlParameters = { address: Address; blockNumber?: bigint | undefined }

/** Whether the contract answers AccessControl's `hasRole`: worth fetching its role logs. */
export async function isAccessControl(client: InventoryClient, { address, blockNumber }: IsAccessControlParameters): Promise<boolean> {
  const answer = await probeContractRead(client, () =>
    client.readContract({
      address,
      abi: accessControlAbi,
      functionName: 'hasRole',
      args: [zeroHash, address],
      ...(blockNumber === undefined ? {} : { blockNumber }),
    }),
  )
  return answer !== undefined
}
