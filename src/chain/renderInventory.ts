import type { Address } from 'viem'
import type { InventoryFindingSeverity } from './inventoryFindings.js'
import type { Inventory, InventoryEdge, InventoryNode } from './readInventory.js'

export type RenderInventoryOptions = {
  /** Human names for addresses (from the project file), shown before the kind: "Vault (UUPS proxy)". */
  labels?: Readonly<Record<Address, string>> | undefined
}

const kindLabel: Record<InventoryNode['kind'], string> = {
  uups: 'UUPS proxy',
  transparent: 'Transparent proxy',
  'beacon-proxy': 'Beacon proxy',
  beacon: 'UpgradeableBeacon',
  'proxy-admin': 'ProxyAdmin',
  timelock: 'TimelockController',
  safe: 'Safe',
  diamond: 'Diamond',
  contract: 'contract',
  eoa: 'EOA',
}

const severityMark: Record<InventoryFindingSeverity, string> = { critical: '✖', high: '✖', medium: '▲', low: '·' }

/**
 * The chain of control as a tree, one per given address, then the findings. An account reached
 * twice is expanded once; later occurrences say "(see above)", which also ends cycles.
 */
export function renderInventory(inventory: Inventory, { labels = {} }: RenderInventoryOptions = {}): string {
  const lines: string[] = [`Inventory of chain ${inventory.chainId} at block ${inventory.blockNumber}`, '']
  const expanded = new Set<Address>()
  const name = (node: InventoryNode) => describeNode(node, labels[node.address])

  const renderChildren = (node: InventoryNode, prefix: string) => {
    const children = childrenOf(inventory, node)
    const extras = extraLines(node)
    const total = extras.length + children.length
    extras.forEach((text, index) => lines.push(`${prefix}${index === total - 1 ? '└─ ' : '├─ '}${text}`))
    children.forEach(({ target, relations }, index) => {
      const last = extras.length + index === total - 1
      const branch = `${prefix}${last ? '└─ ' : '├─ '}`
      const nextPrefix = `${prefix}${last ? '   ' : '│  '}`
      const again = expanded.has(target.address)
      const text = relations.length === 1 && relations[0] === 'implementation'
        ? `implementation ${implementationText(target, labels[target.address])}`
        : `${edgeLabel(node, relations)} → ${name(target)}`
      lines.push(`${branch}${text}${again && hasChildren(inventory, target) ? ' (see above)' : ''}`)
      if (!again) {
        expanded.add(target.address)
        renderChildren(target, nextPrefix)
      }
    })
  }

  for (const root of inventory.roots) {
    const node = inventory.nodes[root]
    if (!node) continue
    lines.push(`${name(node)}${expanded.has(root) && hasChildren(inventory, node) ? ' (see above)' : ''}`)
    if (!expanded.has(root)) {
      expanded.add(root)
      renderChildren(node, '')
    }
    lines.push('')
  }

  lines.push('Findings')
  if (inventory.findings.length === 0) lines.push('  none')
  for (const finding of inventory.findings) {
    lines.push(`  ${severityMark[finding.severity]} ${finding.severity.padEnd(6)} ${finding.kind}  ${finding.address}`)
    lines.push(`      ${finding.message}`)
    lines.push(`      hint: ${finding.hint}`)
  }
  return lines.join('\n')
}

function describeNode(node: InventoryNode, label: string | undefined): string {
  const kind = kindLabel[node.kind]
  const head = label ? `${label} (${kind}) ${node.address}` : `${kind} ${node.address}`
  const details: string[] = []
  if (node.kind === 'timelock' && node.timelock) details.push(`(min delay ${formatDelay(BigInt(node.timelock.minDelay))})`)
  if (node.kind === 'safe' && node.safe) details.push(`${node.safe.threshold}-of-${node.safe.owners.length}, nonce ${node.safe.nonce}`)
  if (node.nonUpgradeableProxy) details.push(`(ERC-1967 proxy, implementation ${node.implementation} is not UUPS)`)
  if (node.delegatedTo) details.push(`(EIP-7702 delegated to ${node.delegatedTo})`)
  if (node.paused !== undefined) details.push(node.paused ? '[paused]' : '[unpaused]')
  return [head, ...details].join(' ')
}

function implementationText(node: InventoryNode, label: string | undefined): string {
  const head = label ? `${label} ${node.address}` : node.address
  const state = node.initializer
  if (!state) return head
  if (state.layout === 'unknown') return `${head} (initializer state unknown)`
  if (state.disabled) return `${head} (initializers disabled)`
  if (state.callableByAnyone) return `${head} (NOT initialized: anyone can call its initializer)`
  return `${head} (initialized, version ${state.version})`
}

/** Safe modules and guard are not edges of the walk but change who can move the Safe's funds. */
function extraLines(node: InventoryNode): string[] {
  if (!node.safe) return []
  return [
    ...node.safe.modules.map((module) => `module ${module} (executes without owner signatures)`),
    ...(node.safe.guard ? [`guard ${node.safe.guard}`] : []),
  ]
}

type Child = { target: InventoryNode; relations: InventoryEdge['relation'][] }

function childrenOf(inventory: Inventory, node: InventoryNode): Child[] {
  const byTarget = new Map<Address, Child>()
  for (const edge of inventory.edges) {
    if (edge.from !== node.address) continue
    const target = inventory.nodes[edge.to]
    if (!target) continue
    const child = byTarget.get(edge.to) ?? { target, relations: [] }
    child.relations.push(edge.relation)
    byTarget.set(edge.to, child)
  }
  return [...byTarget.values()]
}

function hasChildren(inventory: Inventory, node: InventoryNode): boolean {
  return inventory.edges.some((edge) => edge.from === node.address) || extraLines(node).length > 0
}

/** Upgrade authority is what an incident responder looks for first, so it is named as such. */
function edgeLabel(from: InventoryNode, relations: InventoryEdge['relation'][]): string {
  const authority = relations.some((relation) => isUpgradeAuthority(from, relation))
  const parts = relations.map((relation) => {
    if (relation === 'safe-owner') return 'owner'
    if (relation.startsWith('role:')) {
      const role = relation.slice('role:'.length)
      return from.kind === 'timelock' ? role : `role ${role}`
    }
    return relation
  })
  return `${authority ? 'upgrade authority: ' : ''}${parts.join(', ')}`
}

function isUpgradeAuthority(from: InventoryNode, relation: InventoryEdge['relation']): boolean {
  switch (from.kind) {
    case 'uups':
      return relation === 'owner' || relation === 'role:UPGRADER_ROLE' || relation === 'role:DEFAULT_ADMIN_ROLE'
    case 'transparent':
      return relation === 'admin'
    case 'proxy-admin':
    case 'beacon':
    case 'diamond':
      return relation === 'owner'
    default:
      return false
  }
}

/** Seconds as the largest units that divide it: 172800 → "2d", 5400 → "1h 30m", 0 → "0s". */
export function formatDelay(seconds: bigint): string {
  if (seconds === 0n) return '0s'
  const units: [string, bigint][] = [['d', 86_400n], ['h', 3_600n], ['m', 60n], ['s', 1n]]
  const parts: string[] = []
  let rest = seconds
  for (const [unit, size] of units) {
    if (rest >= size) {
      parts.push(`${rest / size}${unit}`)
      rest %= size
    }
  }
  return parts.join(' ')
}
