import type { Address } from 'viem'
import { describe, expect, test } from 'vitest'
import { inventoryFindings } from './inventoryFindings.js'
import type { Inventory, InventoryNode } from './readInventory.js'
import { formatDelay, renderInventory } from './renderInventory.js'

const vault: Address = '0x1000000000000000000000000000000000000001'
const vaultImplementation: Address = '0x1000000000000000000000000000000000000002'
const timelock: Address = '0x2000000000000000000000000000000000000001'
const safe: Address = '0x3000000000000000000000000000000000000001'
const owners: readonly Address[] = ['0x4000000000000000000000000000000000000001', '0x4000000000000000000000000000000000000002', '0x4000000000000000000000000000000000000003']
const guardian: Address = '0x5000000000000000000000000000000000000001'
const oracle: Address = '0x6000000000000000000000000000000000000001'
const oracleImplementation: Address = '0x6000000000000000000000000000000000000002'
const proxyAdmin: Address = '0x6000000000000000000000000000000000000003'
const deployer: Address = '0x7000000000000000000000000000000000000001'
const module: Address = '0x8000000000000000000000000000000000000001'

function demoInventory(): Inventory {
  const nodes: Record<Address, InventoryNode> = {
    [vault]: {
      address: vault,
      kind: 'uups',
      root: true,
      implementation: vaultImplementation,
      paused: true,
      roles: [
        { role: '0x00', name: 'UPGRADER_ROLE', holders: [timelock] },
        { role: '0x01', name: 'PAUSER_ROLE', holders: [guardian] },
      ],
    },
    [oracle]: { address: oracle, kind: 'transparent', root: true, implementation: oracleImplementation, admin: proxyAdmin },
    [vaultImplementation]: {
      address: vaultImplementation,
      kind: 'contract',
      root: false,
      initializer: { layout: 'oz5-erc7201', version: '18446744073709551615', initializing: false, disabled: true, callableByAnyone: false },
    },
    [timelock]: {
      address: timelock,
      kind: 'timelock',
      root: false,
      timelock: { minDelay: '172800' },
      roles: [
        { role: '0x02', name: 'PROPOSER_ROLE', holders: [safe] },
        { role: '0x03', name: 'EXECUTOR_ROLE', holders: [safe] },
      ],
    },
    [guardian]: { address: guardian, kind: 'eoa', root: false },
    [oracleImplementation]: {
      address: oracleImplementation,
      kind: 'contract',
      root: false,
      initializer: { layout: 'oz5-erc7201', version: '0', initializing: false, disabled: false, callableByAnyone: true },
    },
    [proxyAdmin]: { address: proxyAdmin, kind: 'proxy-admin', root: false, owner: deployer },
    [deployer]: { address: deployer, kind: 'eoa', root: false },
    [safe]: {
      address: safe,
      kind: 'safe',
      root: false,
      safe: { version: '1.4.1', owners: [...owners], threshold: 2, nonce: '5', modules: [module], guard: null, fallbackHandler: null, singleton: null },
    },
    ...Object.fromEntries(owners.map((owner) => [owner, { address: owner, kind: 'eoa', root: false }])),
  }
  const edges: Inventory['edges'] = [
    { from: vault, to: vaultImplementation, relation: 'implementation' },
    { from: vault, to: timelock, relation: 'role:UPGRADER_ROLE' },
    { from: vault, to: guardian, relation: 'role:PAUSER_ROLE' },
    { from: oracle, to: oracleImplementation, relation: 'implementation' },
    { from: oracle, to: proxyAdmin, relation: 'admin' },
    { from: proxyAdmin, to: deployer, relation: 'owner' },
    { from: timelock, to: safe, relation: 'role:PROPOSER_ROLE' },
    { from: timelock, to: safe, relation: 'role:EXECUTOR_ROLE' },
    ...owners.map((owner) => ({ from: safe, to: owner, relation: 'safe-owner' as const })),
  ]
  const graph = { schemaVersion: 1 as const, chainId: 31337, blockNumber: '42', roots: [vault, oracle], nodes, edges }
  return { ...graph, findings: inventoryFindings(graph) }
}

describe('renderInventory', () => {
  test('a tree per given address down the chain of control, then the findings', () => {
    expect(renderInventory(demoInventory(), { labels: { [vault]: 'Vault', [oracle]: 'PriceOracle' } })).toMatchInlineSnapshot(`
      "Inventory of chain 31337 at block 42

      Vault (UUPS proxy) 0x1000000000000000000000000000000000000001 [paused]
      ├─ implementation 0x1000000000000000000000000000000000000002 (initializers disabled)
      ├─ upgrade authority: role UPGRADER_ROLE → TimelockController 0x2000000000000000000000000000000000000001 (min delay 2d)
      │  └─ PROPOSER_ROLE, EXECUTOR_ROLE → Safe 0x3000000000000000000000000000000000000001 2-of-3, nonce 5
      │     ├─ module 0x8000000000000000000000000000000000000001 (executes without owner signatures)
      │     ├─ owner → EOA 0x4000000000000000000000000000000000000001
      │     ├─ owner → EOA 0x4000000000000000000000000000000000000002
      │     └─ owner → EOA 0x4000000000000000000000000000000000000003
      └─ role PAUSER_ROLE → EOA 0x5000000000000000000000000000000000000001

      PriceOracle (Transparent proxy) 0x6000000000000000000000000000000000000001
      ├─ implementation 0x6000000000000000000000000000000000000002 (NOT initialized: anyone can call its initializer)
      └─ upgrade authority: admin → ProxyAdmin 0x6000000000000000000000000000000000000003
         └─ upgrade authority: owner → EOA 0x7000000000000000000000000000000000000001

      Findings
        ✖ high   upgrade-authority-eoa  0x6000000000000000000000000000000000000001
            Transparent proxy 0x6000000000000000000000000000000000000001 can be upgraded by a single key: the owner of its ProxyAdmin 0x6000000000000000000000000000000000000003 is the externally owned account 0x7000000000000000000000000000000000000001.
            hint: Move upgrade authority to a TimelockController whose proposers are a multisig; one leaked key must not be able to replace the code.
        ▲ medium implementation-uninitialized  0x6000000000000000000000000000000000000002
            Implementation 0x6000000000000000000000000000000000000002 (behind 0x6000000000000000000000000000000000000001) was never initialized: anyone can call its initializer and take ownership of the implementation contract.
            hint: Call _disableInitializers() in the implementation constructor; for a deployed one, initialize it yourself before an attacker does."
    `)
  })

  test('an account reached twice is expanded once', () => {
    const inventory = demoInventory()
    inventory.roots = [vault, timelock]
    const text = renderInventory(inventory)
    expect(text.match(/TimelockController 0x2000000000000000000000000000000000000001/g)).toHaveLength(2)
    expect(text).toContain('TimelockController 0x2000000000000000000000000000000000000001 (min delay 2d) (see above)')
    expect(text.match(/module 0x8000000000000000000000000000000000000001/g)).toHaveLength(1)
  })

  test('formatDelay uses the largest units', () => {
    expect([0n, 59n, 5_400n, 172_800n, 90_061n].map(formatDelay)).toEqual(['0s', '59s', '1h 30m', '2d', '1d 1h 1m 1s'])
  })
})
