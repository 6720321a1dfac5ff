import { toFunctionSelector } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { CheckInvalidError } from '../dynamicStageErrors.js'
import { demoRegressions, demoStageContext, startDemoChain, type DemoChain } from './dynamicStageFixtures.js'
import { regression } from './regression.js'

let chain: DemoChain
beforeAll(async () => {
  chain = await startDemoChain()
})
afterAll(async () => chain?.anvil.stop())

// Carol repaid all her debt in the demo's history and still has a deposit well above 25,000 dUSD.
const depositor = () => chain.demo.depositors[2]!

describe('regression', () => {
  test('the demo V2 passes the Foundry suite on the patched fork and keeps the invariants', async () => {
    const output = await regression(await demoStageContext(chain, 'LendingPoolV2', demoRegressions(chain.demo, depositor())))
    expect(output.findings).toEqual([])
    expect(output.data!.checks).toEqual([{ check: 'withdrawals', unpatched: true, patched: true }])
    const invariants = output.data!.invariants as { invariant: string; before: string; after: string; holdsBefore: boolean; holdsAfter: boolean }[]
    expect(invariants.map((entry) => [entry.invariant, entry.before === entry.after, entry.holdsBefore, entry.holdsAfter])).toEqual([
      ['deposits-kept', true, true, true],
      ['borrows-kept', true, true, true],
    ])
  })

  test('a fix that caps withdrawals fails: regression-failed names the test and the revert', async () => {
    const output = await regression(await demoStageContext(chain, 'LendingPoolV2WithdrawCapped', demoRegressions(chain.demo, depositor())))
    expect(output.findings.map((finding) => [finding.kind, finding.severity, (finding.details as { test: string }).test])).toEqual([
      ['regression-failed', 'high', 'test/Regression.t.sol:LendingPoolRegressionTest:test_depositorWithdrawsEverything()'],
    ])
    expect(output.findings[0]!.message).toMatch(/^withdrawals: .*test_depositorWithdrawsEverything\(\) fails after the patch \(passes before it\): /)
  })

  test('a TypeScript regression check runs on both forks: it passes before the capped fix and fails after it, with the revert', async () => {
    const context = await demoStageContext(chain, 'LendingPoolV2WithdrawCapped', {
      regressions: [{ name: 'withdraw-all-script', script: { path: 'test/fixtures/dynamic-checks/withdrawAll.ts', env: { DEPOSITOR: depositor() } } }],
    })
    const output = await regression(context)
    expect(output.data!.checks).toEqual([{ check: 'withdraw-all-script', unpatched: true, patched: false }])
    expect(output.findings.map((finding) => [finding.kind, (finding.details as { test: string }).test])).toEqual([['regression-failed', 'withdraw-all-script']])
    // The script does not know the fix's ABI, so the revert names LendingPoolWithdrawalAboveCap(uint256,uint256) by its selector.
    expect(output.findings[0]!.message).toContain(`custom error ${toFunctionSelector('error LendingPoolWithdrawalAboveCap(uint256 requested, uint256 cap)')}`)
  })

  test('an invariant that does not parse is refused before any fork starts, with BW_CHECK_INVALID', async () => {
    const context = await demoStageContext(chain, 'LendingPoolV2', {
      invariants: [{ name: 'typo', call: { address: chain.demo.lendingPool.proxy, signature: 'function totalDeposits() view returns (uint257)' } }],
    })
    const error = await regression(context).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(CheckInvalidError)
    expect((error as CheckInvalidError).code).toBe('BW_CHECK_INVALID')
    expect((error as CheckInvalidError).shortMessage).toMatch(/^Check "typo" cannot run: cannot encode function totalDeposits\(\) view returns \(uint257\)/)
  })
})
