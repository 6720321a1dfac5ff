import { getAddress, parseAbi, parseUnits, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDevClient, createReadClient } from '../../src/chain/clients.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { startAnvil, type Anvil } from '../../src/chain/startAnvil.js'
import { aaveAclManagerAbi, aavePoolAbi, aavePoolConfiguratorAbi, deployAaveV3, getAaveAssetPrice, seedAaveV3, type AaveV3Kit } from './aaveV3.js'
import { compileAaveV3, compileGovernance, compileKitContracts, compileUniswapV2 } from './compileProtocols.js'
import { executeViaGovernance, kitAccountIndices } from './kitGovernance.js'
import { erc20Abi, swapOnUniswapV2 } from './uniswapV2.js'

let anvil: Anvil
let kit: AaveV3Kit

beforeAll(async () => {
  const [aaveV3, uniswapV2, kitContracts, governance] = [await compileAaveV3(), await compileUniswapV2(), await compileKitContracts(), await compileGovernance()]
  anvil = await startAnvil()
  kit = await deployAaveV3(anvil, { builds: { aaveV3, uniswapV2, kitContracts, governance } })
  await seedAaveV3(anvil, kit)
})
afterAll(async () => {
  await anvil?.stop()
})

describe('Aave V3 kit (@aave/core-v3 1.19.3, solc 0.8.10)', () => {
  const actor = (index: number) => devAccount(kitAccountIndices.actors[index]!)
  const reader = () => createReadClient({ rpcUrl: anvil.rpcUrl })
  const balanceOf = (token: Address, account: Address) => reader().readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [account] })

  it('gives every admin role to the Safe-driven timelock and the emergency role to the guardian only', async () => {
    const client = reader()
    const acl = (functionName: 'isPoolAdmin' | 'isEmergencyAdmin' | 'isRiskAdmin', account: Address) =>
      client.readContract({ address: kit.aclManager, abi: aaveAclManagerAbi, functionName, args: [account] })
    const defaultAdminRole = await client.readContract({ address: kit.aclManager, abi: aaveAclManagerAbi, functionName: 'DEFAULT_ADMIN_ROLE' })
    const hasDefaultAdmin = (account: Address) => client.readContract({ address: kit.aclManager, abi: aaveAclManagerAbi, functionName: 'hasRole', args: [defaultAdminRole, account] })
    expect(await acl('isPoolAdmin', kit.governance.timelock)).toBe(true)
    expect(await hasDefaultAdmin(kit.governance.timelock)).toBe(true)
    expect(await acl('isRiskAdmin', kit.governance.timelock)).toBe(true)
    expect(await acl('isEmergencyAdmin', kit.guardian)).toBe(true)
    expect(await acl('isPoolAdmin', kit.deployer)).toBe(false)
    expect(await hasDefaultAdmin(kit.deployer)).toBe(false)
    expect(await acl('isEmergencyAdmin', kit.governance.timelock)).toBe(false)
    const owner = await client.readContract({ address: kit.addressesProvider, abi: parseAbi(['function owner() view returns (address)']), functionName: 'owner' })
    expect(getAddress(owner)).toBe(kit.governance.timelock)
    // The timelock's only proposer is the 2-of-3 Safe.
    const timelockAbi = parseAbi(['function PROPOSER_ROLE() view returns (bytes32)', 'function hasRole(bytes32, address) view returns (bool)'])
    const proposer = await client.readContract({ address: kit.governance.timelock, abi: timelockAbi, functionName: 'PROPOSER_ROLE' })
    expect(await client.readContract({ address: kit.governance.timelock, abi: timelockAbi, functionName: 'hasRole', args: [proposer, kit.governance.safe] })).toBe(true)
    expect(await client.readContract({ address: kit.governance.timelock, abi: timelockAbi, functionName: 'hasRole', args: [proposer, kit.deployer] })).toBe(false)
    // The pool sits behind the provider's immutable-admin proxy: its implementation slot holds the deployed Pool.
    const implementationSlot = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc'
    const slot = await client.getStorageAt({ address: kit.pool, slot: implementationSlot })
    expect(getAddress(`0x${slot!.slice(-40)}`)).toBe(kit.poolImplementation)
  })

  it('supplies, borrows, repays and takes a flash loan', async () => {
    const { usdx, wvol } = kit.reserves
    const user = createDevClient({ ...anvil, account: actor(0) })
    const aBefore = await balanceOf(usdx.aToken, actor(0).address)
    await user.writeContract({ address: kit.pool, abi: aavePoolAbi, functionName: 'supply', args: [usdx.asset, parseUnits('1000', 6), actor(0).address, 0] }).then((hash) => user.waitForTransactionReceipt({ hash }))
    expect(await balanceOf(usdx.aToken, actor(0).address)).toBeGreaterThanOrEqual(aBefore + parseUnits('1000', 6))

    const debtBefore = await balanceOf(wvol.variableDebtToken, actor(0).address)
    const borrow = await user.writeContract({ address: kit.pool, abi: aavePoolAbi, functionName: 'borrow', args: [wvol.asset, parseUnits('1', 18), 2n, 0, actor(0).address] })
    expect((await user.waitForTransactionReceipt({ hash: borrow })).status).toBe('success')
    expect(await balanceOf(wvol.variableDebtToken, actor(0).address)).toBeGreaterThanOrEqual(debtBefore + parseUnits('1', 18))
    const repay = await user.writeContract({ address: kit.pool, abi: aavePoolAbi, functionName: 'repay', args: [wvol.asset, 2n ** 256n - 1n, 2n, actor(0).address] })
    expect((await user.waitForTransactionReceipt({ hash: repay })).status).toBe('success')
    expect(await balanceOf(wvol.variableDebtToken, actor(0).address)).toBe(0n)

    const flashAbi = parseAbi(['function borrowFromAave(address pool, address asset, uint256 amount)'])
    const aTokenUsdxBefore = await balanceOf(usdx.asset, usdx.aToken)
    const amount = parseUnits('100000', 6)
    const flash = await user.writeContract({ address: kit.flashLoanUser, abi: flashAbi, functionName: 'borrowFromAave', args: [kit.pool, usdx.asset, amount] })
    expect((await user.waitForTransactionReceipt({ hash: flash })).status).toBe('success')
    // The premium (5 bp) stays in the reserve.
    expect(await balanceOf(usdx.asset, usdx.aToken)).toBe(aTokenUsdxBefore + (amount * 5n) / 10_000n)
  })

  it('prices WVOL from the Uniswap V2 pair: a swap moves the oracle and makes a borrower liquidatable', async () => {
    const { usdx, wvol } = kit.reserves
    const priceBefore = await getAaveAssetPrice(anvil, kit, wvol.asset)
    expect(priceBefore).toBeGreaterThan(1_900n * 10n ** 8n)
    expect(priceBefore).toBeLessThan(2_100n * 10n ** 8n)
    const victim = actor(2).address
    const healthOf = async () => (await reader().readContract({ address: kit.pool, abi: aavePoolAbi, functionName: 'getUserAccountData', args: [victim] }))[5]
    expect(await healthOf()).toBeGreaterThan(10n ** 18n)

    // Dump 400 WVOL into a 1,000 WVOL pool: the spot price roughly halves.
    const attacker = devAccount(kitAccountIndices.attacker)
    await swapOnUniswapV2(anvil, { swapper: kit.uniswap.swapper, pair: kit.pairs.wvolUsdx, tokenIn: wvol.asset, amountIn: parseUnits('400', 18), account: attacker })
    const priceAfter = await getAaveAssetPrice(anvil, kit, wvol.asset)
    expect(priceAfter).toBeLessThan((priceBefore * 60n) / 100n)
    expect(await healthOf()).toBeLessThan(10n ** 18n)

    const liquidator = createDevClient({ ...anvil, account: attacker })
    const collateralBefore = await balanceOf(wvol.asset, attacker.address)
    const hash = await liquidator.writeContract({ address: kit.pool, abi: aavePoolAbi, functionName: 'liquidationCall', args: [wvol.asset, usdx.asset, victim, parseUnits('50000', 6), false] })
    expect((await liquidator.waitForTransactionReceipt({ hash })).status).toBe('success')
    expect(await balanceOf(wvol.asset, attacker.address)).toBeGreaterThan(collateralBefore)
  })

  it("the guardian's setPoolPause(true) makes supply revert; governance unpauses through the Safe and the timelock", async () => {
    const { usdx } = kit.reserves
    const guardian = createDevClient({ ...anvil, account: devAccount(kitAccountIndices.guardian) })
    const stranger = createDevClient({ ...anvil, account: actor(1) })
    await expect(stranger.simulateContract({ address: kit.poolConfigurator, abi: aavePoolConfiguratorAbi, functionName: 'setPoolPause', args: [true] })).rejects.toThrow(/reverted/)
    const pause = await guardian.writeContract({ address: kit.poolConfigurator, abi: aavePoolConfiguratorAbi, functionName: 'setPoolPause', args: [true] })
    expect((await guardian.waitForTransactionReceipt({ hash: pause })).status).toBe('success')
    const pausedAbi = parseAbi(['function getPaused(address asset) view returns (bool)'])
    for (const reserve of [usdx, kit.reserves.wvol]) {
      expect(await reader().readContract({ address: kit.dataProvider, abi: pausedAbi, functionName: 'getPaused', args: [reserve.asset] })).toBe(true)
    }
    // Aave's error 29 is RESERVE_PAUSED.
    await expect(
      stranger.simulateContract({ address: kit.pool, abi: aavePoolAbi, functionName: 'supply', args: [usdx.asset, parseUnits('10', 6), actor(1).address, 0] }),
    ).rejects.toThrow(/reverted with the following reason:\s+29/)

    const { encodeFunctionData } = await import('viem')
    await executeViaGovernance(anvil, kit.governance, [
      { target: kit.poolConfigurator, data: encodeFunctionData({ abi: parseAbi(['function setReservePause(address asset, bool paused)']), functionName: 'setReservePause', args: [usdx.asset, false] }) },
    ])
    const supply = await stranger.writeContract({ address: kit.pool, abi: aavePoolAbi, functionName: 'supply', args: [usdx.asset, parseUnits('10', 6), actor(1).address, 0] })
    expect((await stranger.waitForTransactionReceipt({ hash: supply })).status).toBe('success')
  })
})
