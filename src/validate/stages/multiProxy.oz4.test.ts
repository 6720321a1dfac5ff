import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { encodeFunctionData, getAddress, parseAbi, parseEther, toFunctionSelector } from 'viem'
import { devAccount, devRoles } from '../../chain/devAccounts.js'
import { startAnvil, type Anvil } from '../../chain/startAnvil.js'
import { compileOz4Fixture, deployOz4System, oz4StageContext, oz4TargetBuild, type Oz4Build, type Oz4System } from '../../../test/fixtures/validate-oz4/system.js'
import { isBlocking } from '../findings.js'
import { differentialReplay } from './differentialReplay.js'
import { runDynamicStages } from './dynamicStageFixtures.js'
import { planUpgradeRoutes } from './validationFork.js'

/**
 * OpenZeppelin 4.9 proxies (solc 0.8.19): a UUPS vault, a Transparent oracle behind a 4.9 ProxyAdmin
 * and a Beacon treasury, all under Safe → timelock, with an arbitrage bot taking flash loans from the
 * vault. On 4.9 the call forms of the upgrade functions always call the new implementation (empty
 * data included), so every stage must choose upgradeTo / ProxyAdmin.upgrade.
 */
let chain: Anvil
let build: Oz4Build
let system: Oz4System
beforeAll(async () => {
  build = await compileOz4Fixture()
  chain = await startAnvil()
  system = await deployOz4System(chain, build)
}, 240_000)
afterAll(async () => chain?.stop())

const selector = (signature: string) => toFunctionSelector(`function ${signature}`)

describe('several OpenZeppelin 4.9 proxies in one patch', () => {
  test('the upgrade function is chosen from the deployed code: upgradeTo (UUPS), ProxyAdmin.upgrade (Transparent), upgradeTo (beacon); the call forms only with an initializer', async () => {
    const context = await oz4StageContext(chain, build, system, 'FlashVaultV2')
    const routes = await planUpgradeRoutes(context)
    expect(routes.map((route) => [route.target, route.kind, route.authority, route.functions.withoutData, route.upgradeInterfaceVersion])).toEqual([
      ['Vault', 'uups', system.timelock, 'upgradeTo(address)', undefined],
      ['Oracle', 'transparent', system.timelock, 'upgrade(address,address)', undefined],
      ['Treasury', 'beacon-proxy', system.timelock, 'upgradeTo(address)', undefined],
    ])
    const implementation = getAddress('0x00000000000000000000000000000000000000aa')
    expect(routes.map((route) => route.upgradeCall(implementation))).toEqual([
      { to: system.vault.proxy, data: encodeFunctionData({ abi: parseAbi(['function upgradeTo(address)']), args: [implementation] }) },
      { to: system.oracle.proxyAdmin, data: encodeFunctionData({ abi: parseAbi(['function upgrade(address,address)']), args: [system.oracle.proxy, implementation] }) },
      { to: system.treasury.beacon, data: encodeFunctionData({ abi: parseAbi(['function upgradeTo(address)']), args: [implementation] }) },
    ])

    // With an initializer call: the forms that carry it.
    const initializer = encodeFunctionData({ abi: parseAbi(['function setPrice(uint256)']), args: [7n] })
    const withInitializer = await planUpgradeRoutes({
      ...context,
      builds: [
        oz4TargetBuild(build, 'Vault', system.vault.proxy, 'FlashVaultV2', initializer),
        oz4TargetBuild(build, 'Oracle', system.oracle.proxy, 'PriceOracleV2', initializer),
      ],
    })
    expect(withInitializer.map((route) => route.upgradeCall(implementation).data.slice(0, 10))).toEqual([selector('upgradeToAndCall(address,bytes)'), selector('upgradeAndCall(address,address,bytes)')])
    expect(withInitializer.map((route) => route.upgradeCall(implementation, { withInitializer: false }).data.slice(0, 10))).toEqual([selector('upgradeTo(address)'), selector('upgrade(address,address)')])
  })

  test('a correct three-proxy patch is accepted with every dynamic stage run on shared forks', async () => {
    const context = await oz4StageContext(chain, build, system, 'FlashVaultV2', {
      proofsOfConcept: [
        {
          name: 'flash-loan-repaid-by-deposit',
          contract: {
            build: { contract: 'FlashDepositPoC', sources: ['test/fixtures/validate-oz4/pocs/FlashDepositPoC.sol'] },
            args: [system.vault.proxy, system.token],
            profitToken: system.token,
          },
        },
      ],
      invariants: [
        { name: 'deposits-kept', call: { address: system.vault.proxy, signature: 'function totalDeposits() view returns (uint256)', unchanged: true } },
        { name: 'price-kept', call: { address: system.oracle.proxy, signature: 'function price() view returns (uint256)', op: 'eq', value: '1000' } },
        { name: 'oracle-v2', call: { address: system.oracle.proxy, signature: 'function version() view returns (uint256)', op: 'gte', value: '1' } },
        { name: 'treasury-owned', call: { address: system.treasury.proxy, signature: 'function owner() view returns (address)', op: 'eq', value: system.timelock } },
      ],
      differentialReplay: { transactions: 200 },
      unchangedFunctions: ['function deposit(uint256)', 'function withdraw(uint256)'],
      differentialFuzz: { sequences: 8, length: 4, seed: 7, senders: [system.arbitrageur, ...devRoles.depositors.map((index) => devAccount(index).address)], values: [parseEther('1').toString(), parseEther('100').toString()] },
    })
    const outputs = await runDynamicStages(context)
    for (const [stage, output] of Object.entries(outputs)) {
      expect({ stage, skipped: output.skipped, blocking: output.findings.filter((finding) => isBlocking(finding.severity)).map((finding) => finding.message) }).toEqual({ stage, skipped: undefined, blocking: [] })
    }
    // The rehearsal released all three through one Safe → timelock batch, and each runs the validated code.
    expect(outputs['fork-rehearsal'].data).toMatchObject({ releases: [{ timelock: system.timelock, safe: system.safe, targets: ['Vault', 'Oracle', 'Treasury'] }] })
    expect(outputs['exploit-replay'].data).toMatchObject({ proofsOfConcept: [{ unpatched: { exploited: true }, patched: { exploited: false } }] })
    expect(outputs['differential-replay'].data).toMatchObject({
      transactions: system.direct.length + system.viaIntegrator.length,
      direct: system.direct.length,
      viaIntegrators: system.viaIntegrator.length,
      integrators: { [system.arbitrageur]: system.viaIntegrator.length },
      divergent: 0,
      traceMethod: 'trace_filter',
    })
    expect(outputs['differential-replay'].summary).toContain(`(${system.direct.length} sent to the targets, ${system.viaIntegrator.length} via 1 integrator contract(s))`)
  }, 240_000)

  test('a patch that breaks every flash loan taken through the arbitrage contract is caught by the default replay; replaying only direct transactions would have passed it', async () => {
    const touching = await differentialReplay(await oz4StageContext(chain, build, system, 'FlashVaultV2StrictCallback', { differentialReplay: { transactions: 200 } }))
    const divergences = touching.findings.filter((finding) => finding.kind === 'replay-divergence')
    expect(divergences.map((finding) => (finding.details as { transaction: string }).transaction).sort()).toEqual([...system.viaIntegrator].sort())
    expect(divergences.every((finding) => finding.severity === 'high' && (finding.details as { viaIntegrator?: string }).viaIntegrator === system.arbitrageur)).toBe(true)
    expect(divergences[0]!.message).toMatch(new RegExp(`^Transaction 0x[0-9a-f]{64} \\(block \\d+, ${selector('run(uint256)')} from 0x[0-9a-fA-F]{40}, via integrator ${system.arbitrageur}\\) diverges after the patch: status success → reverted`))
    expect(touching.data).toMatchObject({ direct: system.direct.length, viaIntegrators: system.viaIntegrator.length, divergent: system.viaIntegrator.length })
    expect(touching.summary).toBe(
      `${system.direct.length + system.viaIntegrator.length} transaction(s) replayed from block ${String(touching.data!.fromBlock)} (${system.direct.length} sent to the targets, ${system.viaIntegrator.length} via 1 integrator contract(s)): ${system.viaIntegrator.length} unexpected divergence(s), 0 expected`,
    )

    const directOnly = await differentialReplay(await oz4StageContext(chain, build, system, 'FlashVaultV2StrictCallback', { differentialReplay: { transactions: 200, scope: 'direct' } }))
    expect(directOnly.findings).toEqual([])
    expect(directOnly.data).toMatchObject({ transactions: system.direct.length, direct: system.direct.length, viaIntegrators: 0, divergent: 0 })
  }, 120_000)
})
