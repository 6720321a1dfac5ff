import { parseAbi, parseUnits } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDevClient, createReadClient } from '../../src/chain/clients.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { startAnvil, type Anvil } from '../../src/chain/startAnvil.js'
import { aavePoolConfiguratorAbi } from './aaveV3.js'
import { balancerVaultAbi } from './balancerV2.js'
import { kitAccountIndices } from './kitGovernance.js'
import { deployProtocolSuite, type ProtocolSuite } from './protocolSuite.js'
import { erc20Abi } from './uniswapV2.js'

let anvil: Anvil
let suite: ProtocolSuite
let deployMs = 0

beforeAll(async () => {
  anvil = await startAnvil()
  const started = performance.now()
  suite = await deployProtocolSuite(anvil)
  deployMs = performance.now() - started
})
afterAll(async () => {
  await anvil?.stop()
})

describe('protocol suite: every kit on one chain under one Safe → timelock', () => {
  it("shares governance and tokens, lends Aave's assets through Balancer, and the guardian pauses Aave, Balancer and the OZ 4.9 and 5.4 vaults", async () => {
    console.log(`suite deployed and seeded in ${Math.round(deployMs)} ms, blocks ${suite.fromBlock}–${suite.blockNumber}`)
    const reader = createReadClient({ rpcUrl: anvil.rpcUrl })
    expect(suite.aave.governance.timelock).toBe(suite.governance.timelock)
    expect(suite.balancer.governance.timelock).toBe(suite.governance.timelock)
    expect(suite.balancer.tokens).toEqual([suite.aave.reserves.usdx.asset, suite.aave.reserves.wvol.asset])
    // Balancer holds 4 × 100,000 USDX of internal balances: enough to fund a flash-loan manipulation of the WVOL/USDX pair.
    expect(await reader.readContract({ address: suite.aave.reserves.usdx.asset, abi: erc20Abi, functionName: 'balanceOf', args: [suite.balancer.vault] })).toBe(4n * parseUnits('100000', 6))
    expect(await reader.readContract({ address: suite.oz49.vault.proxy, abi: suite.oz49.abis.vault, functionName: 'totalDeposits' })).toBe(4n * parseUnits('5000', 6))
    expect(await reader.readContract({ address: suite.oz5.vault.proxy, abi: suite.oz5.abis.vault, functionName: 'totalDeposits' })).toBe(4n * parseUnits('5000', 6))
    expect(suite.oz5.governance.timelock).toBe(suite.governance.timelock)
    expect(suite.positions).toHaveLength(4)

    const flash = createDevClient({ ...anvil, account: devAccount(kitAccountIndices.actors[0]!) })
    const flashAbi = parseAbi(['function borrowFromBalancer(address vault, address token, uint256 amount)'])
    const hash = await flash.writeContract({ address: suite.balancer.flashLoanUser, abi: flashAbi, functionName: 'borrowFromBalancer', args: [suite.balancer.vault, suite.aave.reserves.usdx.asset, parseUnits('300000', 6)] })
    expect((await flash.waitForTransactionReceipt({ hash })).status).toBe('success')

    expect(suite.guardian).toBe(devAccount(kitAccountIndices.guardian).address)
    const guardian = createDevClient({ ...anvil, account: privateKeyToAccount(suite.guardianKey) })
    for (const request of [
      { address: suite.aave.poolConfigurator, abi: aavePoolConfiguratorAbi, functionName: 'setPoolPause', args: [true] },
      { address: suite.balancer.vault, abi: balancerVaultAbi, functionName: 'setPaused', args: [true] },
      { address: suite.oz49.vault.proxy, abi: suite.oz49.abis.vault, functionName: 'pause', args: [] },
      { address: suite.oz5.vault.proxy, abi: suite.oz5.abis.vault, functionName: 'pause', args: [] },
    ] as const) {
      const pause = await guardian.writeContract(request as Parameters<typeof guardian.writeContract>[0])
      expect((await guardian.waitForTransactionReceipt({ hash: pause })).status).toBe('success')
    }
    const [paused] = await reader.readContract({ address: suite.balancer.vault, abi: balancerVaultAbi, functionName: 'getPausedState' })
    expect(paused).toBe(true)
  })
})
