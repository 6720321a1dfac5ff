import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoStageContext, repoRoot, startDemoChain, type DemoChain } from './dynamicStageFixtures.js'
import { prover } from './prover.js'

const harness = 'contracts/test/formal/WithdrawHarness.sol'
const specification = (solverPath?: string) => ({
  timeoutMs: 30_000,
  ...(solverPath ? { solverPath } : {}),
  properties: [
    {
      name: 'withdraw-pays-at-most-deposited',
      harness: {
        unpatched: { sources: [harness], root: repoRoot, contract: 'WithdrawHarnessV1' },
        patched: { sources: [harness], root: repoRoot, contract: 'WithdrawHarnessV2' },
      },
    },
  ],
})

describe('prover stage', () => {
  let chain: DemoChain
  beforeAll(async () => {
    chain = await startDemoChain()
  }, 120_000)
  afterAll(async () => {
    await chain?.anvil.stop()
  })

  it('finds V1 violating the invariant, confirms it on a fork, and proves it for V2', async () => {
    const context = await demoStageContext(chain, 'LendingPoolV2', { specification: specification() })
    const output = await prover(context)
    const v1 = output.findings.find((finding) => finding.kind === 'formal-violated-before-patch')
    expect(v1?.location).toMatchObject({ contract: 'WithdrawHarnessV1', function: 'withdraw' })
    expect(v1?.message).toContain('CONFIRMED on a fork')
    expect(JSON.stringify(v1?.details)).toContain('WithdrawHarnessV1.withdraw(')
    const v2 = output.findings.filter((finding) => finding.location?.contract === 'WithdrawHarnessV2')
    expect(v2.map((finding) => finding.kind)).toEqual(['formal-proved'])
    expect(v2[0]?.severity).toBe('info')
  }, 180_000)

  it('does not run without z3: BW_SOLVER_UNAVAILABLE, nothing proved', async () => {
    const context = await demoStageContext(chain, 'LendingPoolV2', { specification: specification('/nonexistent/z3') })
    await expect(prover(context)).rejects.toMatchObject({ code: 'BW_SOLVER_UNAVAILABLE' })
  }, 180_000)
})
