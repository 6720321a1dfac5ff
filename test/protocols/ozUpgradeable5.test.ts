import { encodeFunctionData, parseUnits } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDevClient, createReadClient } from '../../src/chain/clients.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { startAnvil, type Anvil } from '../../src/chain/startAnvil.js'
import { compileGovernance, compileKitContracts, compileOz5System } from './compileProtocols.js'
import { executeViaGovernance, kitAccountIndices } from './kitGovernance.js'
import { getErc1967Implementation } from './ozUpgradeable49.js'
import { deployOz5System, oz5UpgradeAbi, seedOz5System, type Oz5System } from './ozUpgradeable5.js'

let anvil: Anvil
let system: Oz5System

beforeAll(async () => {
  const [oz5, kitContracts, governance] = [await compileOz5System(), await compileKitContracts(), await compileGovernance()]
  anvil = await startAnvil()
  system = await deployOz5System(anvil, { builds: { oz5, kitContracts, governance } })
  await seedOz5System(anvil, system)
})
afterAll(async () => {
  await anvil?.stop()
})

describe('OpenZeppelin 5.4 upgradeable system (solc 0.8.24)', () => {
  const reader = () => createReadClient({ rpcUrl: anvil.rpcUrl })

  it('is owned by the timelock, seeded, and pausable by the guardian', async () => {
    const client = reader()
    for (const owned of [system.vault.proxy, system.oracle.proxyAdmin, system.treasury.beacon, ...system.treasury.proxies]) {
      expect(await client.readContract({ address: owned, abi: oz5UpgradeAbi, functionName: 'owner' })).toBe(system.governance.timelock)
    }
    expect(await client.readContract({ address: system.vault.proxy, abi: system.abis.vault, functionName: 'totalDeposits' })).toBe(4n * parseUnits('5000', 18))
    const guardian = createDevClient({ ...anvil, account: devAccount(kitAccountIndices.guardian) })
    const hash = await guardian.writeContract({ address: system.vault.proxy, abi: system.abis.vault, functionName: 'pause' })
    expect((await guardian.waitForTransactionReceipt({ hash })).status).toBe('success')
    const actor = createDevClient({ ...anvil, account: devAccount(kitAccountIndices.actors[0]!) })
    await expect(actor.simulateContract({ address: system.vault.proxy, abi: system.abis.vault, functionName: 'withdraw', args: [1n] })).rejects.toThrow(/EnforcedPause/)
  })

  it('upgrades with the 5.x calls (upgradeToAndCall, ProxyAdmin.upgradeAndCall with empty data, beacon.upgradeTo) through the Safe and the timelock', async () => {
    // 5.x UUPS has no upgradeTo.
    await expect(
      reader().call({ account: system.governance.timelock, to: system.vault.proxy, data: encodeFunctionData({ abi: oz5UpgradeAbi, functionName: 'upgradeTo', args: [system.v2Implementations.vault] }) }),
    ).rejects.toThrow(/reverted/)
    const stranger = createDevClient({ ...anvil, account: devAccount(kitAccountIndices.attacker) })
    await expect(stranger.simulateContract({ address: system.vault.proxy, abi: system.abis.vault, functionName: 'upgradeToAndCall', args: [system.v2Implementations.vault, '0x'] })).rejects.toThrow(/OwnableUnauthorizedAccount/)

    await executeViaGovernance(anvil, system.governance, [
      { target: system.vault.proxy, data: encodeFunctionData({ abi: oz5UpgradeAbi, functionName: 'upgradeToAndCall', args: [system.v2Implementations.vault, '0x'] }) },
      { target: system.oracle.proxyAdmin, data: encodeFunctionData({ abi: oz5UpgradeAbi, functionName: 'upgradeAndCall', args: [system.oracle.proxy, system.v2Implementations.oracle, '0x'] }) },
      { target: system.treasury.beacon, data: encodeFunctionData({ abi: oz5UpgradeAbi, functionName: 'upgradeTo', args: [system.v2Implementations.treasury] }) },
    ])
    expect(await getErc1967Implementation(reader(), system.vault.proxy)).toBe(system.v2Implementations.vault)
    expect(await getErc1967Implementation(reader(), system.oracle.proxy)).toBe(system.v2Implementations.oracle)
    for (const proxy of [system.vault.proxy, system.oracle.proxy, ...system.treasury.proxies]) {
      expect(await reader().readContract({ address: proxy, abi: oz5UpgradeAbi, functionName: 'version' })).toBe('2')
    }
    expect(await reader().readContract({ address: system.vault.proxy, abi: system.abis.vault, functionName: 'totalDeposits' })).toBe(4n * parseUnits('5000', 18))
  })
})
