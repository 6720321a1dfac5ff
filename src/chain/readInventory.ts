import { getAddress, parseAbi, sliceHex, zeroAddress, type Address, type Hex } from 'viem'
import { getDiamondCuts } from './getDiamondCuts.js'
import { getDiamondFacets } from './getDiamondFacets.js'
import { NoCodeError } from './errors.js'
import { getInitializerState, type InitializerLayout } from './getInitializerState.js'
import { getOwner } from './getOwner.js'
import { probeContractRead, requiredRead, type InventoryClient } from './probeContractRead.js'
import { getPauseState } from './getPauseState.js'
import { getProxyInfo } from './getProxyInfo.js'
import { getRoleHolders, isAccessControl, type RoleHolders } from './getRoleHolders.js'
import { getSafeInfo } from './getSafeInfo.js'
import { getTimelockInfo } from './getTimelockInfo.js'
import { inventoryFindings, type InventoryFinding } from './inventoryFindings.js'

/** Bumped when the stored JSON shape changes, so an old snapshot is migrated, never misread. */
export const inventorySchemaVersion = 1

export const inventoryNodeKinds = ['uups', 'transparent', 'beacon-proxy', 'beacon', 'proxy-admin', 'timelock', 'safe', 'diamond', 'contract', 'eoa'] as const
export type InventoryNodeKind = (typeof inventoryNodeKinds)[number]

export type InventoryRelation = 'implementation' | 'admin' | 'beacon' | 'owner' | `role:${string}` | 'safe-owner' | 'facet'

/** `from` controls or runs `to`: `from`'s implementation, admin, beacon, owner, role holder or Safe owner is `to`. */
export type InventoryEdge = { from: Address; to: Address; relation: InventoryRelation }

/** Everything below is JSON: addresses checksummed, integers that may exceed 2^53 as decimal strings. */
export type InventoryNode = {
  address: Address
  kind: InventoryNodeKind
  /** Given by the caller, rather than reached through an edge. */
  root: boolean
  /** Proxies: the ERC-1967 implementation (for a beacon proxy, the beacon's); beacons: `implementation()`. */
  implementation?: Address
  /** Transparent proxies: the ERC-1967 admin slot. */
  admin?: Address
  /** Beacon proxies: the ERC-1967 beacon slot. */
  beacon?: Address
  /** Set when an ERC-1967 proxy has no admin and its implementation is not UUPS: no visible upgrade path. */
  nonUpgradeableProxy?: true
  /** Ownable `owner()` (read through the proxy for proxies). */
  owner?: Address
  paused?: boolean
  /** AccessControl roles with their current holders, rebuilt from logs. */
  roles?: InventoryRole[]
  safe?: InventorySafe
  timelock?: { minDelay: string }
  /** Only for implementations (reached through an `implementation` edge). */
  initializer?: InventoryInitializer
  /** An EIP-7702 account: an EOA whose code delegates to this contract; still key-controlled. */
  delegatedTo?: Address
  /** EIP-2535 diamonds: the loupe's facets and the `DiamondCut` history. */
  diamond?: InventoryDiamond
}

export type InventoryDiamond = {
  /** `facets()` at the pinned block: each facet with the selectors routed to it (lowercase hex). */
  facets: { address: Address; selectors: Hex[] }[]
  /** Every `DiamondCut` event from `fromBlock`, oldest first. */
  cuts: InventoryDiamondCut[]
}

export type InventoryDiamondCut = {
  blockNumber: string
  transactionHash: Hex
  cuts: { facet: Address; action: 'add' | 'replace' | 'remove' | 'unknown'; selectors: Hex[] }[]
  /** The init contract `_calldata` was delegatecalled on, or null. */
  init: Address | null
  /** Whether `init` is in the caller's audited set (`auditedCode`); null when the cut ran no init. */
  initAudited: boolean | null
}

export type InventoryRole = { role: Hex; name: string; holders: Address[] }

export type InventorySafe = {
  version: string
  owners: Address[]
  threshold: number
  nonce: string
  modules: Address[]
  guard: Address | null
  fallbackHandler: Address | null
  singleton: Address | null
}

export type InventoryInitializer = {
  layout: InitializerLayout
  /** Last initializer version run, decimal; null when the layout is unknown. */
  version: string | null
  initializing: boolean
  disabled: boolean
  callableByAnyone: boolean
}

export type Inventory = {
  schemaVersion: typeof inventorySchemaVersion
  chainId: number
  /** Every read is pinned at this block (decimal). */
  blockNumber: string
  /** The addresses the caller asked about, checksummed, in order. */
  roots: Address[]
  /** Keyed by checksummed address, in the order the walk reached them. */
  nodes: Record<Address, InventoryNode>
  edges: InventoryEdge[]
  findings: InventoryFinding[]
}

export type ReadInventoryParameters = {
  addresses: readonly Address[]
  /** First block of the role-log history (default 0). */
  fromBlock?: bigint | undefined
  /** Pin every read at this block (default: the latest block when the read starts). */
  blockNumber?: bigint | undefined
  /** Extra AccessControl role names to resolve from their hash. */
  roleNames?: readonly string[] | undefined
  /**
   * Contracts whose code the team audited: a diamond cut whose init delegatecall ran any other
   * contract is a finding (arbitrary code ran with the diamond's storage, as in Beanstalk 2022).
   */
  auditedCode?: readonly Address[] | undefined
}
export type ReadInventoryReturnType = Inventory

/** A walk that reaches more accounts than this is following something that is not a control graph. */
const maxNodes = 1_000

const beaconAbi = parseAbi(['function implementation() view returns (address)'])
const proxyAdminAbi = parseAbi([
  'function UPGRADE_INTERFACE_VERSION() view returns (string)',
  'function proxiableUUID() view returns (bytes32)',
])

/**
 * Reads the upgrade and authority graph of a live protocol: from each address, following proxy
 * → implementation/beacon → admin → owner → role holders → Safe owners, with every read pinned
 * at one block. Reads of one level of the walk are issued together so a batching transport sends
 * them as one JSON-RPC batch. Throws `NoCodeError` for a given address without code and
 * `ImplementationNoCodeError` for a proxy pointing at an empty account.
 */
export async function readInventory(client: InventoryClient, parameters: ReadInventoryParameters): Promise<ReadInventoryReturnType> {
  const [chainId, blockNumber] = await Promise.all([
    requiredRead(client, 'eth_chainId', () => client.getChainId()),
    parameters.blockNumber ?? requiredRead(client, 'eth_blockNumber', () => client.getBlockNumber({ cacheTime: 0 })),
  ])
  const context: WalkContext = {
    client,
    blockNumber,
    fromBlock: parameters.fromBlock ?? 0n,
    roleNames: parameters.roleNames ?? [],
    auditedCode: new Set((parameters.auditedCode ?? []).map((address) => getAddress(address))),
  }
  const roots = [...new Set(parameters.addresses.map((address) => getAddress(address)))]

  const nodes: Record<Address, InventoryNode> = {}
  const edges: InventoryEdge[] = []
  const queued = new Set<Address>(roots)
  const implementations = new Set<Address>()
  let level: Address[] = roots
  while (level.length > 0) {
    const described = await Promise.all(
      level.map((address) => describeAccount(context, address, { root: roots.includes(address), implementation: implementations.has(address) })),
    )
    const next: Address[] = []
    for (const { node, edges: outgoing } of described) {
      nodes[node.address] = node
      for (const edge of outgoing) {
        edges.push(edge)
        if (edge.relation === 'implementation') implementations.add(edge.to)
        if (!queued.has(edge.to) && queued.size < maxNodes) {
          queued.add(edge.to)
          next.push(edge.to)
        }
      }
    }
    level = next
  }

  // OZ 4 ProxyAdmins have no marker function; being a transparent proxy's admin is what makes one.
  for (const edge of edges) {
    const target = nodes[edge.to]
    if (edge.relation === 'admin' && target?.kind === 'contract' && nodes[edge.from]?.kind === 'transparent') target.kind = 'proxy-admin'
  }

  const graph = { schemaVersion: inventorySchemaVersion, chainId, blockNumber: blockNumber.toString(), roots, nodes, edges } as const
  return { ...graph, findings: inventoryFindings(graph) }
}

type WalkContext = { client: InventoryClient; blockNumber: bigint; fromBlock: bigint; roleNames: readonly string[]; auditedCode: ReadonlySet<Address> }

async function describeAccount(
  { client, blockNumber, fromBlock, roleNames, auditedCode }: WalkContext,
  address: Address,
  reachedAs: { root: boolean; implementation: boolean },
): Promise<{ node: InventoryNode; edges: InventoryEdge[] }> {
  const at = { blockNumber }
  const code = await requiredRead(client, 'eth_getCode', () => client.getCode({ address, ...at }))
  if (code === undefined || code === '0x') {
    if (reachedAs.root) throw new NoCodeError({ address, blockNumber })
    return { node: { address, kind: 'eoa', root: reachedAs.root }, edges: [] }
  }
  const delegatedTo = eip7702Delegate(code)
  if (delegatedTo) return { node: { address, kind: 'eoa', root: reachedAs.root, delegatedTo }, edges: [] }

  const probe = <T>(read: () => Promise<T>) => probeContractRead(client, read)
  const [proxy, safe, timelock, owner, paused, accessControl, beaconImplementation, upgradeInterfaceVersion, proxiableUUID, initializer, facets] = await Promise.all([
    getProxyInfo(client, { address, blockNumber }),
    getSafeInfo(client, { address, blockNumber }),
    getTimelockInfo(client, { address, fromBlock, blockNumber }),
    getOwner(client, { address, blockNumber }),
    getPauseState(client, { address, blockNumber }),
    isAccessControl(client, { address, blockNumber }),
    probe(() => client.readContract({ address, abi: beaconAbi, functionName: 'implementation', ...at })),
    probe(() => client.readContract({ address, abi: proxyAdminAbi, functionName: 'UPGRADE_INTERFACE_VERSION', ...at })),
    probe(() => client.readContract({ address, abi: proxyAdminAbi, functionName: 'proxiableUUID', ...at })),
    reachedAs.implementation ? getInitializerState(client, { address, blockNumber }) : undefined,
    getDiamondFacets(client, { address, blockNumber }),
  ])
  const roles: RoleHolders[] = timelock
    ? timelock.roles
    : accessControl
      ? await getRoleHolders(client, { address, fromBlock, blockNumber, roleNames })
      : []

  const node: InventoryNode = { address, kind: 'contract', root: reachedAs.root }
  const edges: InventoryEdge[] = []
  const link = (to: Address | undefined, relation: InventoryRelation) => {
    if (to !== undefined && to !== zeroAddress && to !== address) edges.push({ from: address, to, relation })
  }

  if (proxy) {
    node.implementation = proxy.implementation
    if (proxy.kind === 'erc1967') {
      node.nonUpgradeableProxy = true
    } else {
      node.kind = proxy.kind
    }
    if (proxy.admin) node.admin = proxy.admin
    if (proxy.beacon) node.beacon = proxy.beacon
    // A beacon proxy's implementation belongs to the beacon; the edge is drawn from there.
    if (proxy.kind !== 'beacon-proxy') link(proxy.implementation, 'implementation')
    link(proxy.admin, 'admin')
    link(proxy.beacon, 'beacon')
  } else if (facets) {
    node.kind = 'diamond'
    const history = await getDiamondCuts(client, { address, fromBlock, blockNumber })
    node.diamond = {
      facets,
      cuts: history.map(({ blockNumber: block, transactionHash, cuts, init }) => ({
        blockNumber: block.toString(),
        transactionHash,
        cuts,
        init,
        initAudited: init === null ? null : auditedCode.has(init),
      })),
    }
    for (const facet of facets) link(facet.address, 'facet')
  } else if (safe) {
    node.kind = 'safe'
    node.safe = {
      version: safe.version,
      owners: safe.owners,
      threshold: safe.threshold,
      nonce: safe.nonce.toString(),
      modules: safe.modules,
      guard: safe.guard ?? null,
      fallbackHandler: safe.fallbackHandler ?? null,
      singleton: safe.singleton ?? null,
    }
    for (const safeOwner of safe.owners) link(safeOwner, 'safe-owner')
  } else if (timelock) {
    node.kind = 'timelock'
    node.timelock = { minDelay: timelock.minDelay.toString() }
  } else if (beaconImplementation !== undefined && beaconImplementation !== zeroAddress) {
    // IBeacon is exactly `implementation()`; a proxy was ruled out above, so this is a beacon.
    node.kind = 'beacon'
    node.implementation = getAddress(beaconImplementation)
    link(node.implementation, 'implementation')
  } else if (upgradeInterfaceVersion !== undefined && owner !== undefined && proxiableUUID === undefined) {
    // OZ 5 ProxyAdmin: Ownable with UPGRADE_INTERFACE_VERSION; a UUPS implementation also has
    // that constant but answers proxiableUUID, which a ProxyAdmin does not.
    node.kind = 'proxy-admin'
  }

  if (owner) node.owner = owner
  link(owner, 'owner')
  if (paused !== undefined) node.paused = paused
  if (roles.length > 0) {
    node.roles = roles.map(({ role, name, holders }) => ({ role, name, holders }))
    for (const { name, holders } of roles) for (const holder of holders) link(holder, `role:${name}`)
  }
  if (initializer) {
    node.initializer =
      initializer.layout === 'unknown'
        ? { layout: 'unknown', version: null, initializing: false, disabled: false, callableByAnyone: false }
        : {
            layout: initializer.layout,
            version: initializer.version.toString(),
            initializing: initializer.initializing,
            disabled: initializer.disabled,
            callableByAnyone: initializer.callableByAnyone,
          }
  }
  return { node, edges }
}

/** EIP-7702 delegation designator: 0xef0100 ‖ 20-byte address. */
function eip7702Delegate(code: Hex): Address | undefined {
  if (code.length !== 2 + 23 * 2 || !code.toLowerCase().startsWith('0xef0100')) return undefined
  return getAddress(sliceHex(code, 3))
}
