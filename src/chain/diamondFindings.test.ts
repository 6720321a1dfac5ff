import { getAddress, type Address } from 'viem'
import { describe, expect, test } from 'vitest'
import { inventoryFindings } from './inventoryFindings.js'
import type { InventoryNode } from './readInventory.js'

const at = (n: number): Address => getAddress(`0x${n.toString(16).padStart(40, '0')}`)

describe('diamond findings (pure, from an inventory graph)', () => {
  const diamond = at(0xd1)
  const base = (facets: { address: Address; selectors: `0x${string}`[] }[]): InventoryNode => ({
    address: diamond,
    kind: 'diamond',
    root: true,
    owner: at(0x71),
    diamond: { facets, cuts: [] },
  })
  const timelock: InventoryNode = { address: at(0x71), kind: 'timelock', root: false, timelock: { minDelay: '86400' } }

  test('a selector the loupe lists under two facets is a critical clash naming both', () => {
    const node = base([
      { address: at(0xf1), selectors: ['0xd0e30db0', '0x2e1a7d4d'] },
      { address: at(0xf2), selectors: ['0x2e1a7d4d'] },
    ])
    const findings = inventoryFindings({ nodes: { [diamond]: node, [timelock.address]: timelock }, edges: [] })
    expect(findings).toEqual([
      {
        kind: 'diamond-selector-clash',
        severity: 'critical',
        address: diamond,
        message: `Diamond ${diamond} lists selector 0x2e1a7d4d under 2 facets (${at(0xf1)}, ${at(0xf2)}): calls go to one of them, and the loupe misreports which.`,
        hint: 'Remove the selector from every facet but the one meant to serve it (diamondCut Remove), then check facetAddress(selector) matches the loupe.',
      },
    ])
  })

  test('distinct selectors and a contract owner give no finding', () => {
    const node = base([
      { address: at(0xf1), selectors: ['0xd0e30db0'] },
      { address: at(0xf2), selectors: ['0x2e1a7d4d'] },
    ])
    expect(inventoryFindings({ nodes: { [diamond]: node, [timelock.address]: timelock }, edges: [] })).toEqual([])
  })
})
