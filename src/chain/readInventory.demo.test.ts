import { fileURLToPath } from 'node:url'
import { getAddress, keccak256, toHex, zeroHash, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { compileProject } from '../compile/compileProject.js'
import { createReadClient } from './clients.js'
import { deployDemoProtocol, type DemoProtocol } from './deployDemoProtocol.js'
import { readInventory, type Inventory } from './readInventory.js'
import { renderInventory } from './renderInventory.js'
import { startAnvil, type Anvil } from './startAnvil.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const role = (name: string) => keccak256(toHex(name))
const sealed = { layout: 'oz5-erc7201', version: '18446744073709551615', initializing: false, disabled: true, callableByAnyone: false }

let anvil: Anvil
let demo: DemoProtocol
let inventory: Inventory
let a: (address: Address) => Address

beforeAll(async () => {
  anvil = await startAnvil()
  const build = await compileProject({ root })
  demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
  a = getAddress
  const client = createReadClient({ rpcUrl: anvil.rpcUrl })
  inventory = await readInventory(client, {
    addresses: [demo.lendingPool.proxy, demo.interestRateModel.proxy, demo.rewardsVaults.assetStaking, demo.rewardsVaults.rewardStaking],
    fromBlock: BigInt(demo.fromBlock),
  })
})
afterAll(async () => anvil?.stop())

describe('readInventory of the demo protocol', () => {
  test('the UUPS LendingPool: admin the timelock, upgrader the release gate, pausers the guardian and the seal, implementation sealed', () => {
    expect(inventory.nodes[a(demo.lendingPool.proxy)]).toEqual({
      address: a(demo.lendingPool.proxy),
      kind: 'uups',
      root: true,
      implementation: a(demo.lendingPool.implementation),
      paused: false,
      roles: [
        { role: zeroHash, name: 'DEFAULT_ADMIN_ROLE', holders: [a(demo.timelock)] },
        { role: role('UPGRADER_ROLE'), name: 'UPGRADER_ROLE', holders: [a(demo.releaseGate)] },
        { role: role('PAUSER_ROLE'), name: 'PAUSER_ROLE', holders: [a(demo.guardian), a(demo.pauseSeal.address)] },
      ],
    })
    expect(inventory.nodes[a(demo.pauseSeal.address)]).toEqual({ address: a(demo.pauseSeal.address), kind: 'contract', root: false })
    expect(inventory.nodes[a(demo.lendingPool.implementation)]).toMatchObject({ kind: 'contract', initializer: sealed })
    expect(inventory.nodes[a(demo.guardian)]?.kind).toBe('eoa')
  })

  test('the Transparent InterestRateModel: ProxyAdmin owned by the release gate, the model by the timelock', () => {
    const { proxy, implementation, proxyAdmin } = demo.interestRateModel
    expect(inventory.nodes[a(proxy)]).toMatchObject({ kind: 'transparent', implementation: a(implementation), admin: a(proxyAdmin), owner: a(demo.timelock) })
    expect(inventory.nodes[a(proxyAdmin)]).toEqual({ address: a(proxyAdmin), kind: 'proxy-admin', root: false, owner: a(demo.releaseGate) })
    expect(inventory.nodes[a(implementation)]).toMatchObject({ kind: 'contract', initializer: sealed })
  })

  test('the RewardsVault beacon proxies share one beacon owned by the release gate', () => {
    const { beacon, implementation, assetStaking, rewardStaking } = demo.rewardsVaults
    for (const vault of [assetStaking, rewardStaking]) {
      expect(inventory.nodes[a(vault)]).toMatchObject({ kind: 'beacon-proxy', beacon: a(beacon), implementation: a(implementation), owner: a(demo.timelock), paused: false })
    }
    expect(inventory.nodes[a(beacon)]).toEqual({ address: a(beacon), kind: 'beacon', root: false, implementation: a(implementation), owner: a(demo.releaseGate) })
    expect(inventory.nodes[a(implementation)]).toMatchObject({ kind: 'contract', initializer: sealed })
  })

  test('the timelock (self-administered, its delay) and the 2-of-3 Safe behind it', () => {
    expect(inventory.nodes[a(demo.timelock)]).toEqual({
      address: a(demo.timelock),
      kind: 'timelock',
      root: false,
      timelock: { minDelay: String(demo.minDelay) },
      roles: [
        // The deployer's grant was replayed and then its renunciation: only the timelock is left.
        { role: zeroHash, name: 'DEFAULT_ADMIN_ROLE', holders: [a(demo.timelock)] },
        { role: role('PROPOSER_ROLE'), name: 'PROPOSER_ROLE', holders: [a(demo.safe)] },
        { role: role('CANCELLER_ROLE'), name: 'CANCELLER_ROLE', holders: [a(demo.safe)] },
        { role: role('EXECUTOR_ROLE'), name: 'EXECUTOR_ROLE', holders: [a(demo.safe)] },
      ],
    })
    expect(inventory.nodes[a(demo.safe)]?.kind).toBe('safe')
    expect(inventory.nodes[a(demo.safe)]?.safe).toMatchObject({
      version: '1.4.1',
      owners: demo.safeOwners.map((owner) => a(owner)),
      threshold: demo.threshold,
      modules: [],
      guard: null,
      fallbackHandler: a(demo.safeInfrastructure.fallbackHandler),
      singleton: a(demo.safeInfrastructure.singleton),
    })
    for (const owner of demo.safeOwners) expect(inventory.nodes[a(owner)]?.kind).toBe('eoa')
  })

  test('the release gate: administered by the timelock, released through by both timelocks and the security council', () => {
    expect(inventory.nodes[a(demo.releaseGate)]).toEqual({
      address: a(demo.releaseGate),
      kind: 'contract',
      root: false,
      roles: [
        { role: zeroHash, name: 'DEFAULT_ADMIN_ROLE', holders: [a(demo.timelock)] },
        { role: role('RELEASER_ROLE'), name: 'RELEASER_ROLE', holders: [a(demo.timelock), a(demo.privateTimelock), a(demo.securityCouncil.safe)] },
      ],
    })
    expect(inventory.nodes[a(demo.privateTimelock)]).toEqual({
      address: a(demo.privateTimelock),
      kind: 'timelock',
      root: false,
      timelock: { minDelay: String(demo.privateMinDelay) },
      roles: [
        { role: zeroHash, name: 'DEFAULT_ADMIN_ROLE', holders: [a(demo.privateTimelock)] },
        { role: role('PROPOSER_ROLE'), name: 'PROPOSER_ROLE', holders: [a(demo.safe)] },
        { role: role('CANCELLER_ROLE'), name: 'CANCELLER_ROLE', holders: [a(demo.safe)] },
        { role: role('EXECUTOR_ROLE'), name: 'EXECUTOR_ROLE', holders: [a(demo.safe)] },
      ],
    })
  })

  test('exactly the deployed graph, and no findings: every upgrade authority ends at the release gate and its timelocks', () => {
    expect(new Set(Object.keys(inventory.nodes))).toEqual(
      new Set(
        [
          demo.lendingPool.proxy,
          demo.lendingPool.implementation,
          demo.interestRateModel.proxy,
          demo.interestRateModel.implementation,
          demo.interestRateModel.proxyAdmin,
          demo.rewardsVaults.assetStaking,
          demo.rewardsVaults.rewardStaking,
          demo.rewardsVaults.beacon,
          demo.rewardsVaults.implementation,
          demo.timelock,
          demo.releaseGate,
          demo.privateTimelock,
          demo.pauseSeal.address,
          demo.guardian,
          demo.safe,
          ...demo.safeOwners,
          demo.securityCouncil.safe,
          ...demo.securityCouncil.owners,
        ].map((address) => a(address)),
      ),
    )
    expect(inventory.findings).toEqual([])
    const text = renderInventory(inventory, { labels: { [a(demo.lendingPool.proxy)]: 'LendingPool' } })
    expect(text).toContain(
      `LendingPool (UUPS proxy) ${a(demo.lendingPool.proxy)} [unpaused]\n├─ implementation ${a(demo.lendingPool.implementation)} (initializers disabled)\n` +
        `├─ upgrade authority: role DEFAULT_ADMIN_ROLE → TimelockController ${a(demo.timelock)} (min delay 2d)\n` +
        `│  └─ PROPOSER_ROLE, CANCELLER_ROLE, EXECUTOR_ROLE → Safe ${a(demo.safe)} 2-of-3, nonce 0`,
    )
    expect(text).toContain(
      `├─ upgrade authority: role UPGRADER_ROLE → contract ${a(demo.releaseGate)}\n` +
        `│  ├─ role DEFAULT_ADMIN_ROLE, role RELEASER_ROLE → TimelockController ${a(demo.timelock)} (min delay 2d) (see above)\n` +
        `│  ├─ role RELEASER_ROLE → TimelockController ${a(demo.privateTimelock)} (min delay 1d)\n` +
        `│  │  └─ PROPOSER_ROLE, CANCELLER_ROLE, EXECUTOR_ROLE → Safe ${a(demo.safe)} 2-of-3, nonce 0 (see above)\n` +
        `│  └─ role RELEASER_ROLE → Safe ${a(demo.securityCouncil.safe)} 3-of-4, nonce 0\n`,
    )
  })
})
