import type { Address } from 'viem'
import { describe, expect, test } from 'vitest'
import { inventoryFindingKinds, inventoryFindings } from './inventoryFindings.js'
import type { Inventory, InventoryNode } from './readInventory.js'

const at = (n: number): Address => `0x${n.toString(16).padStart(40, '0')}`

function graph(nodes: InventoryNode[], edges: Inventory['edges'] = []): Pick<Inventory, 'nodes' | 'edges'> {
  return { nodes: Object.fromEntries(nodes.map((node) => [node.address, node])), edges }
}

describe('inventoryFindings', () => {
  test('every risky configuration is flagged once, with its severity', () => {
    const eoa: InventoryNode = { address: at(1), kind: 'eoa', root: false }
    const findings = inventoryFindings(
      graph(
        [
          eoa,
          { address: at(2), kind: 'uups', root: true, implementation: at(3), owner: eoa.address },
          {
            address: at(3),
            kind: 'contract',
            root: false,
            initializer: { layout: 'oz4-slot0', version: '0', initializing: false, disabled: false, callableByAnyone: true },
          },
          {
            address: at(4),
            kind: 'timelock',
            root: true,
            timelock: { minDelay: '0' },
            roles: [{ role: '0x00', name: 'DEFAULT_ADMIN_ROLE', holders: [at(4), eoa.address] }],
          },
          {
            address: at(5),
            kind: 'safe',
            root: true,
            safe: { version: '1.4.1', owners: [eoa.address], threshold: 1, nonce: '0', modules: [], guard: null, fallbackHandler: null, singleton: null },
          },
          { address: at(6), kind: 'proxy-admin', root: false, owner: at(7) },
          { address: at(7), kind: 'proxy-admin', root: false, owner: at(4) },
          {
            address: at(8),
            kind: 'diamond',
            root: true,
            owner: at(4),
            diamond: {
              facets: [
                { address: at(9), selectors: ['0x1f931c1c', '0xcdffacc6'] },
                { address: at(10), selectors: ['0xcdffacc6'] },
              ],
              cuts: [
                { blockNumber: '5', transactionHash: `0x${'ab'.repeat(32)}`, cuts: [{ facet: at(10), action: 'add', selectors: ['0xcdffacc6'] }], init: null, initAudited: null },
                { blockNumber: '9', transactionHash: `0x${'cd'.repeat(32)}`, cuts: [{ facet: at(9), action: 'replace', selectors: ['0x1f931c1c'] }], init: at(11), initAudited: false },
                { blockNumber: '12', transactionHash: `0x${'ef'.repeat(32)}`, cuts: [], init: at(12), initAudited: true },
              ],
            },
          },
        ],
        [{ from: at(2), to: at(3), relation: 'implementation' }],
      ),
    )
    expect(findings.map(({ kind, severity, address }) => [kind, severity, address])).toEqual([
      ['upgrade-authority-eoa', 'high', at(2)],
      ['implementation-uninitialized', 'medium', at(3)],
      ['timelock-zero-delay', 'high', at(4)],
      ['timelock-admin-held-by-deployer', 'high', at(4)],
      ['safe-threshold-one', 'medium', at(5)],
      ['proxy-admin-owned-by-proxy-admin', 'high', at(6)],
      ['diamond-selector-clash', 'critical', at(8)],
      ['diamond-init-unaudited', 'high', at(8)],
    ])
    expect(new Set(findings.map((finding) => finding.kind))).toEqual(new Set(inventoryFindingKinds))
    for (const finding of findings) {
      expect(finding.message).toContain(finding.address)
      expect(finding.hint.length).toBeGreaterThan(20)
    }
  })

  test('the same shapes with a timelock in control are clean', () => {
    const timelock: InventoryNode = {
      address: at(4),
      kind: 'timelock',
      root: false,
      timelock: { minDelay: '86400' },
      roles: [
        { role: '0x00', name: 'DEFAULT_ADMIN_ROLE', holders: [at(4)] },
        { role: '0x01', name: 'PROPOSER_ROLE', holders: [at(5)] },
      ],
    }
    const findings = inventoryFindings(
      graph([
        timelock,
        { address: at(2), kind: 'uups', root: true, implementation: at(3), roles: [{ role: '0x02', name: 'UPGRADER_ROLE', holders: [at(4)] }] },
        { address: at(3), kind: 'contract', root: false, initializer: { layout: 'oz5-erc7201', version: '1', initializing: false, disabled: false, callableByAnyone: false } },
        { address: at(8), kind: 'transparent', root: true, implementation: at(3), admin: at(6) },
        { address: at(6), kind: 'proxy-admin', root: false, owner: at(4) },
        {
          address: at(5),
          kind: 'safe',
          root: false,
          safe: { version: '1.4.1', owners: [at(1), at(9), at(10)], threshold: 2, nonce: '3', modules: [], guard: null, fallbackHandler: null, singleton: null },
        },
        { address: at(1), kind: 'eoa', root: false },
      ]),
    )
    expect(findings).toEqual([])
  })
})
