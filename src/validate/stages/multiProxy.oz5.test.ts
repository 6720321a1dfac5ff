import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { toFunctionSelector } from 'viem'
import { isBlocking } from '../findings.js'
import { createReport } from '../report.js'
import { parseManifest } from '../loadManifest.js'
import { runPipeline } from '../runPipeline.js'
import { demoProofsOfConcept, demoRegressions, demoStageContext, repoRoot, startDemoChain, type DemoChain } from './dynamicStageFixtures.js'
import { planUpgradeRoutes } from './validationFork.js'

/**
 * OpenZeppelin 5 proxies of the demo protocol, all three kinds in one patch: the UUPS lending pool,
 * the Transparent interest-rate model (its ProxyAdmin) and a Beacon rewards vault, all upgraded by
 * the release gate behind Safe → timelock.
 */
let chain: DemoChain
beforeAll(async () => {
  chain = await startDemoChain()
}, 240_000)
afterAll(async () => chain?.anvil.stop())

const upgrades = 'test/fixtures/validate-oz5/DemoUpgrades.sol'

describe('several OpenZeppelin 5 proxies in one patch', () => {
  test('the upgrade functions are the 5.x call forms (UPGRADE_INTERFACE_VERSION 5.0.0) and the beacon\'s upgradeTo', async () => {
    const { demo } = chain
    const context = await demoStageContext(chain, 'LendingPoolV2', {})
    const routes = await planUpgradeRoutes({
      ...context,
      builds: [
        context.builds[0]!,
        { ...context.builds[0]!, target: 'InterestRateModel', proxy: demo.interestRateModel.proxy },
        { ...context.builds[0]!, target: 'RewardsVault', proxy: demo.rewardsVaults.assetStaking },
      ],
    })
    expect(routes.map((route) => [route.target, route.kind, route.authority, route.functions.withoutData, route.upgradeInterfaceVersion])).toEqual([
      ['LendingPool', 'uups', demo.releaseGate, 'upgradeToAndCall(address,bytes)', '5.0.0'],
      ['InterestRateModel', 'transparent', demo.releaseGate, 'upgradeAndCall(address,address,bytes)', '5.0.0'],
      ['RewardsVault', 'beacon-proxy', demo.releaseGate, 'upgradeTo(address)', undefined],
    ])
    expect(routes.map((route) => route.upgradeCall(demo.deployer).data.slice(0, 10))).toEqual(
      ['upgradeToAndCall(address,bytes)', 'upgradeAndCall(address,address,bytes)', 'upgradeTo(address)'].map((signature) => toFunctionSelector(`function ${signature}`)),
    )
  })

  test('a correct three-proxy patch passes the whole pipeline, every dynamic stage run (differential replay included)', async () => {
    const { demo, anvil } = chain
    const manifest = parseManifest(
      JSON.stringify({
        version: 1,
        advisory: { id: 'BW-OZ5-3', title: 'LendingPool reentrancy, with the model and vault releases in the same batch', severity: 'critical' },
        targets: [
          { name: 'LendingPool', proxy: demo.lendingPool.proxy, implementation: { contract: 'LendingPoolV2', sources: ['contracts/examples/LendingPool.sol', 'contracts/examples/LendingPoolV2.sol'] } },
          { name: 'InterestRateModel', proxy: demo.interestRateModel.proxy, implementation: { contract: 'InterestRateModelV2', sources: [upgrades] } },
          { name: 'RewardsVault', proxy: demo.rewardsVaults.assetStaking, implementation: { contract: 'RewardsVaultV2', sources: [upgrades] } },
        ],
        proofsOfConcept: demoProofsOfConcept(demo, ['contract']),
        ...demoRegressions(demo, demo.depositors[2]!),
        differentialReplay: { transactions: 200 },
        // V2 moves Withdrawn before the transfer (checks-effects-interactions): withdraw is meant to change.
        unchangedFunctions: ['function deposit(uint256 assets)', 'function totalDeposits() view returns (uint256)', 'function accrueInterest()'],
        differentialFuzz: { target: 'LendingPool', sequences: 6, length: 3, seed: 3, senders: demo.depositors.slice(0, 3) },
      }),
      'three-proxies.json',
    )
    const run = await runPipeline({ manifest, manifestDir: repoRoot, rpcUrl: anvil.rpcUrl, reproducibility: false })
    const status = Object.fromEntries(
      run.stages.map((stage) => [stage.stage, [stage.status, stage.error?.message, ...stage.findings.filter((finding) => isBlocking(finding.severity)).map((finding) => finding.message)].filter(Boolean).join(' | ')]),
    )
    expect(status).toMatchObject({
      build: 'passed',
      'upgrade-safety': 'passed',
      'diff-review': 'passed',
      'fork-rehearsal': 'passed',
      'exploit-replay': 'passed',
      regression: 'passed',
      'differential-replay': 'passed',
      'differential-fuzz': 'passed',
    })
    expect(createReport(run, { toolVersion: 'test' }).document.verdict).toBe('pass')
    const data = (stage: string) => run.stages.find((entry) => entry.stage === stage)!.data
    expect(data('fork-rehearsal')).toMatchObject({ releases: [{ releaseGate: demo.releaseGate, targets: ['LendingPool', 'InterestRateModel', 'RewardsVault'] }] })
    expect(Number(data('differential-replay')!.transactions)).toBeGreaterThan(0)
    expect(data('differential-replay')).toMatchObject({ divergent: 0, traceMethod: 'trace_filter' })
  }, 300_000)
})
