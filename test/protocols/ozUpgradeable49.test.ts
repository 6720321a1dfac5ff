import { encodeFunctionData, parseUnits } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDevClient, createReadClient } from '../../src/chain/clients.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { startAnvil, type Anvil } from '../../src/chain/startAnvil.js'
import { compileGovernance, compileKitContracts } from './compileProtocols.js'
import { executeViaGovernance, kitAccountIndices } from './kitGovernance.js'
import { deployOz49System, getErc1967Implementation, oz49UpgradeAbi, seedOz49System, type Oz49System } from './ozUpgradeable49.js'

let anvil: Anvil
let system: Oz49System

beforeAll(async () => {
  const [kitContracts, governance] = [await compileKitContracts(), await compileGovernance()]
  anvil = await startAnvil()
  system = await deployOz49System(anvil, { builds: { kitContracts, governance } })
  await seedOz49System(anvil, system)
})
afterAll(async () => {
  await anvil?.stop()
})

describe('OpenZeppelin 4.9 upgradeable system (contracts 4.9.6, solc 0.8.19)', () => {
  const reader = () => createReadClient({ rpcUrl: anvil.rpcUrl })
  const version = (address: `0x${string}`) => reader().readContract({ address, abi: oz49UpgradeAbi, functionName: 'version' })

  it('is owned by the timelock, seeded, and pausable by the guardian', async () => {
    const client = reader()
    for (const owned of [system.vault.proxy, system.oracle.proxyAdmin, system.treasury.beacon, ...system.treasury.proxies]) {
      expect(await client.readContract({ address: owned, abi: oz49UpgradeAbi, functionName: 'owner' })).toBe(system.governance.timelock)
    }
    expect(await client.readContract({ address: system.vault.proxy, abi: system.abis.vault, functionName: 'totalDeposits' })).toBe(4n * parseUnits('5000', 18))
    expect(await getErc1967Implementation(client, system.vault.proxy)).toBe(system.vault.implementation)
    const guardian = createDevClient({ ...anvil, account: devAccount(kitAccountIndices.guardian) })
    const stranger = createDevClient({ ...anvil, account: devAccount(kitAccountIndices.attacker) })
    await expect(stranger.simulateContract({ address: system.vault.proxy, abi: system.abis.vault, functionName: 'pause' })).rejects.toThrow(/OzVaultUnauthorizedGuardian/)
    const hash = await guardian.writeContract({ address: system.vault.proxy, abi: system.abis.vault, functionName: 'pause' })
    expect((await guardian.waitForTransactionReceipt({ hash })).status).toBe('success')
    const actor = createDevClient({ ...anvil, account: devAccount(kitAccountIndices.actors[0]!) })
    await expect(actor.simulateContract({ address: system.vault.proxy, abi: system.abis.vault, functionName: 'withdraw', args: [1n] })).rejects.toThrow(/Pausable: paused/)
  })

  it('upgrades with the 4.x calls (upgradeTo, ProxyAdmin.upgrade, beacon.upgradeTo) through the Safe and the timelock; 4.9 rejects upgradeToAndCall with empty data', async () => {
    const stranger = createDevClient({ ...anvil, account: devAccount(kitAccountIndices.attacker) })
    await expect(stranger.simulateContract({ address: system.vault.proxy, abi: oz49UpgradeAbi, functionName: 'upgradeTo', args: [system.v2Implementations.vault] })).rejects.toThrow(/Ownable: caller is not the owner/)
    // What issue 15 describes: on 4.9 an empty-data upgradeToAndCall forces a call into the new implementation, which has no fallback.
    await expect(
      reader().call({ account: system.governance.timelock, to: system.vault.proxy, data: encodeFunctionData({ abi: oz49UpgradeAbi, functionName: 'upgradeToAndCall', args: [system.v2Implementations.vault, '0x'] }) }),
    ).rejects.toThrow(/Address: low-level delegate call failed|reverted/)
    await expect(
      reader().call({ account: system.governance.timelock, to: system.oracle.proxyAdmin, data: encodeFunctionData({ abi: oz49UpgradeAbi, functionName: 'upgradeAndCall', args: [system.oracle.proxy, system.v2Implementations.oracle, '0x'] }) }),
    ).rejects.toThrow(/reverted/)

    await executeViaGovernance(anvil, system.governance, [
      { target: system.vault.proxy, data: encodeFunctionData({ abi: oz49UpgradeAbi, functionName: 'upgradeTo', args: [system.v2Implementations.vault] }) },
      { target: system.oracle.proxyAdmin, data: encodeFunctionData({ abi: oz49UpgradeAbi, functionName: 'upgrade', args: [system.oracle.proxy, system.v2Implementations.oracle] }) },
      { target: system.treasury.beacon, data: encodeFunctionData({ abi: oz49UpgradeAbi, functionName: 'upgradeTo', args: [system.v2Implementations.treasury] }) },
    ])
    expect(await getErc1967Implementation(reader(), system.vault.proxy)).toBe(system.v2Implementations.vault)
    expect(await getErc1967Implementation(reader(), system.oracle.proxy)).toBe(system.v2Implementations.oracle)
    for (const proxy of [system.vault.proxy, system.oracle.proxy, ...system.treasury.proxies]) expect(await version(proxy)).toBe('2')
    // State survived the upgrade.
    expect(await reader().readContract({ address: system.vault.proxy, abi: system.abis.vault, functionName: 'totalDeposits' })).toBe(4n * parseUnits('5000', 18))
  })
})
