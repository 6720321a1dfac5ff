import type { Address, Hex } from 'viem'
import type { Inventory, InventoryNode } from './readInventory.js'

export const inventoryFindingKinds = [
  'upgrade-authority-eoa',
  'timelock-zero-delay',
  'safe-threshold-one',
  'timelock-admin-held-by-deployer',
  'proxy-admin-owned-by-proxy-admin',
  'implementation-uninitialized',
  'diamond-selector-clash',
  'diamond-init-unaudited',
] as const
export type InventoryFindingKind = (typeof inventoryFindingKinds)[number]

export type InventoryFindingSeverity = 'critical' | 'high' | 'medium' | 'low'

/** Something risky about the inspected system: data to report, never an exception. */
export type InventoryFinding = {
  kind: InventoryFindingKind
  severity: InventoryFindingSeverity
  /** The account the finding is about (the proxy, timelock, Safe, ProxyAdmin or implementation). */
  address: Address
  message: string
  hint: string
}

/** What each kind's message is built from. */
type FindingFacts = {
  'upgrade-authority-eoa': { proxy: InventoryNode; authority: Address; via: string }
  'timelock-zero-delay': { timelock: Address }
  'safe-threshold-one': { safe: Address; owners: number }
  'timelock-admin-held-by-deployer': { timelock: Address; holder: Address; holderKind: string }
  'proxy-admin-owned-by-proxy-admin': { proxyAdmin: Address; owner: Address }
  'implementation-uninitialized': { implementation: Address; proxies: Address[] }
  'diamond-selector-clash': { diamond: Address; selector: Hex; facets: Address[] }
  'diamond-init-unaudited': { diamond: Address; init: Address; blockNumber: string; transactionHash: Hex }
}

/** One entry per kind: adding a kind without its text does not compile. */
const findingText: { [K in InventoryFindingKind]: { severity: InventoryFindingSeverity; message: (facts: FindingFacts[K]) => string; hint: string } } = {
  'upgrade-authority-eoa': {
    severity: 'high',
    message: ({ proxy, authority, via }) =>
      `${proxyLabel(proxy)} ${proxy.address} can be upgraded by a single key: ${via} is the externally owned account ${authority}.`,
    hint: 'Move upgrade authority to a TimelockController whose proposers are a multisig; one leaked key must not be able to replace the code.',
  },
  'timelock-zero-delay': {
    severity: 'high',
    message: ({ timelock }) => `TimelockController ${timelock} has a minimum delay of 0: operations execute in the block they are scheduled.`,
    hint: 'Set a delay users can react to (e.g. 1–2 days) through updateDelay, scheduled via the timelock itself.',
  },
  'safe-threshold-one': {
    severity: 'medium',
    message: ({ safe, owners }) => `Safe ${safe} needs only 1 of ${owners} owner signature${owners === 1 ? '' : 's'}: any single owner key controls it.`,
    hint: 'Raise the threshold (changeThreshold) so that no single compromised signer can act alone, e.g. 2-of-3 or 3-of-5.',
  },
  'timelock-admin-held-by-deployer': {
    severity: 'high',
    message: ({ timelock, holder, holderKind }) =>
      `TimelockController ${timelock} still grants DEFAULT_ADMIN_ROLE to ${holderKind} ${holder}, which can grant itself proposer and executor roles.`,
    hint: 'Have the holder renounceRole(DEFAULT_ADMIN_ROLE) once setup is done, so the timelock administers itself.',
  },
  'proxy-admin-owned-by-proxy-admin': {
    severity: 'high',
    message: ({ proxyAdmin, owner }) =>
      `ProxyAdmin ${proxyAdmin} is owned by another ProxyAdmin ${owner}, which cannot call it: the proxies it administers can no longer be upgraded.`,
    hint: "In OZ 5 a TransparentUpgradeableProxy deploys its own ProxyAdmin: pass the governance account (timelock), not an existing ProxyAdmin, as initialOwner.",
  },
  'implementation-uninitialized': {
    severity: 'medium',
    message: ({ implementation, proxies }) =>
      `Implementation ${implementation}${proxies.length > 0 ? ` (behind ${proxies.join(', ')})` : ''} was never initialized: anyone can call its initializer and take ownership of the implementation contract.`,
    hint: 'Call _disableInitializers() in the implementation constructor; for a deployed one, initialize it yourself before an attacker does.',
  },
  'diamond-selector-clash': {
    severity: 'critical',
    message: ({ diamond, selector, facets }) =>
      `Diamond ${diamond} lists selector ${selector} under ${facets.length} facets (${facets.join(', ')}): calls go to one of them, and the loupe misreports which.`,
    hint: 'Remove the selector from every facet but the one meant to serve it (diamondCut Remove), then check facetAddress(selector) matches the loupe.',
  },
  'diamond-init-unaudited': {
    severity: 'high',
    message: ({ diamond, init, blockNumber, transactionHash }) =>
      `Diamond ${diamond} ran an init delegatecall on ${init}, which is not in the audited set (block ${blockNumber}, tx ${transactionHash}): arbitrary code executed with the diamond's storage.`,
    hint: 'Audit the init contract and add it to the audited set, or treat the cut as an incident: Beanstalk lost $182M (2022) to an init delegatecall in a governance-approved diamondCut.',
  },
}

function finding<K extends InventoryFindingKind>(kind: K, address: Address, facts: FindingFacts[K]): InventoryFinding {
  const text = findingText[kind]
  return { kind, severity: text.severity, address, message: text.message(facts), hint: text.hint }
}

/** The risky configurations in an inventory graph, seen in real incidents. Pure: no chain reads. */
export function inventoryFindings(graph: Pick<Inventory, 'nodes' | 'edges'>): InventoryFinding[] {
  const findings: InventoryFinding[] = []
  const nodeAt = (address: Address | undefined) => (address === undefined ? undefined : graph.nodes[address])
  const isEoa = (address: Address) => nodeAt(address)?.kind === 'eoa'
  const roleHolders = (node: InventoryNode, name: string) => node.roles?.find((role) => role.name === name)?.holders ?? []

  for (const node of Object.values(graph.nodes)) {
    for (const { authority, via } of upgradeAuthorities(node, nodeAt, roleHolders)) {
      if (isEoa(authority)) findings.push(finding('upgrade-authority-eoa', node.address, { proxy: node, authority, via }))
    }
    if (node.kind === 'timelock') {
      if (node.timelock?.minDelay === '0') findings.push(finding('timelock-zero-delay', node.address, { timelock: node.address }))
      for (const holder of [...roleHolders(node, 'DEFAULT_ADMIN_ROLE'), ...roleHolders(node, 'TIMELOCK_ADMIN_ROLE')]) {
        if (holder === node.address) continue
        const holderKind = nodeAt(holder)?.kind === 'eoa' ? 'the externally owned account' : 'the account'
        findings.push(finding('timelock-admin-held-by-deployer', node.address, { timelock: node.address, holder, holderKind }))
      }
    }
    if (node.kind === 'safe' && node.safe?.threshold === 1) {
      findings.push(finding('safe-threshold-one', node.address, { safe: node.address, owners: node.safe.owners.length }))
    }
    if (node.kind === 'proxy-admin' && nodeAt(node.owner)?.kind === 'proxy-admin' && node.owner !== undefined) {
      findings.push(finding('proxy-admin-owned-by-proxy-admin', node.address, { proxyAdmin: node.address, owner: node.owner }))
    }
    if (node.diamond) {
      const servedBy = new Map<Hex, Address[]>()
      for (const facet of node.diamond.facets) for (const selector of facet.selectors) servedBy.set(selector, [...(servedBy.get(selector) ?? []), facet.address])
      for (const [selector, facets] of servedBy) {
        if (facets.length > 1) findings.push(finding('diamond-selector-clash', node.address, { diamond: node.address, selector, facets }))
      }
      for (const cut of node.diamond.cuts) {
        if (cut.init !== null && cut.initAudited === false) {
          findings.push(finding('diamond-init-unaudited', node.address, { diamond: node.address, init: cut.init, blockNumber: cut.blockNumber, transactionHash: cut.transactionHash }))
        }
      }
    }
    if (node.initializer?.callableByAnyone) {
      const proxies = graph.edges.filter((edge) => edge.relation === 'implementation' && edge.to === node.address).map((edge) => edge.from)
      findings.push(finding('implementation-uninitialized', node.address, { implementation: node.address, proxies }))
    }
  }
  return findings
}

/**
 * Who can replace a proxy's code. UUPS: the implementation's own check, by convention the owner,
 * UPGRADER_ROLE, or DEFAULT_ADMIN_ROLE (which can grant itself UPGRADER_ROLE). Transparent: the
 * admin, or the ProxyAdmin's owner. Beacon proxy: the beacon's owner.
 */
function upgradeAuthorities(
  node: InventoryNode,
  nodeAt: (address: Address | undefined) => InventoryNode | undefined,
  roleHolders: (node: InventoryNode, name: string) => Address[],
): { authority: Address; via: string }[] {
  switch (node.kind) {
    case 'uups':
      return [
        ...(node.owner ? [{ authority: node.owner, via: 'its owner' }] : []),
        ...roleHolders(node, 'UPGRADER_ROLE').map((authority) => ({ authority, via: 'an UPGRADER_ROLE holder' })),
        ...roleHolders(node, 'DEFAULT_ADMIN_ROLE').map((authority) => ({ authority, via: 'a DEFAULT_ADMIN_ROLE holder' })),
      ]
    case 'transparent': {
      const admin = nodeAt(node.admin)
      if (!admin) return []
      if (admin.kind !== 'proxy-admin') return [{ authority: admin.address, via: 'its admin' }]
      return admin.owner ? [{ authority: admin.owner, via: `the owner of its ProxyAdmin ${admin.address}` }] : []
    }
    case 'beacon-proxy': {
      const beacon = nodeAt(node.beacon)
      return beacon?.owner ? [{ authority: beacon.owner, via: `the owner of its beacon ${beacon.address}` }] : []
    }
    case 'diamond':
      // The reference DiamondCutFacet lets only the owner cut (LibDiamond.enforceIsContractOwner).
      return node.owner ? [{ authority: node.owner, via: 'its owner (diamondCut)' }] : []
    case 'beacon':
    case 'proxy-admin':
    case 'timelock':
    case 'safe':
    case 'contract':
    case 'eoa':
      return []
    default:
      return assertUnreachable(node.kind)
  }
}

function proxyLabel(node: InventoryNode): string {
  return node.kind === 'uups' ? 'UUPS proxy' : node.kind === 'transparent' ? 'Transparent proxy' : node.kind === 'diamond' ? 'Diamond' : 'Beacon proxy'
}

function assertUnreachable(value: never): never {
  throw new Error(`unexpected value ${String(value)}`)
}
