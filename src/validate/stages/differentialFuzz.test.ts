import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFinding } from '../findings.js'
import { createReport, renderHtml, renderMarkdown } from '../report.js'
import type { StageOutput, StageResult } from '../stage.js'
import { differentialFuzz } from './differentialFuzz.js'
import { demoStageContext, startDemoChain, type DemoChain } from './dynamicStageFixtures.js'

// Functions the reentrancy fix (withdraw) must not change; the bad patch silently changes deposit's rounding.
const unchangedFunctions = [
  'function deposit(uint256 assets)',
  'function depositBalanceOf(address account) view returns (uint256)',
  'function totalDeposits() view returns (uint256)',
  'function accrueInterest()',
  'function borrowBalanceOf(address account) view returns (uint256)',
]

describe('differential-fuzz stage (testing, not proof)', () => {
  let chain: DemoChain
  const settings = () => ({ sequences: 12, length: 4, seed: 42, senders: chain.demo.depositors.slice(0, 3) })
  beforeAll(async () => {
    chain = await startDemoChain()
  }, 120_000)
  afterAll(async () => {
    await chain?.anvil.stop()
  })

  it('catches a patch that silently changes deposit rounding, with a minimized call sequence naming deposit', async () => {
    const context = await demoStageContext(chain, 'LendingPoolV2RoundingSlip', { unchangedFunctions, differentialFuzz: settings() })
    const output = await differentialFuzz(context)
    expect(output.findings).toHaveLength(1)
    const finding = output.findings[0]!
    expect(finding).toMatchObject({ kind: 'fuzz-divergence', severity: 'high', stage: 'differential-fuzz', target: 'LendingPool', location: { function: 'deposit' } })
    const sequence = finding.details?.sequence as string[]
    expect(sequence.length).toBeGreaterThanOrEqual(1)
    expect(sequence.length).toBeLessThanOrEqual(2)
    expect(sequence.at(-1)).toMatch(/→ deposit\(\d+\)$/)
    expect(chain.demo.depositors.slice(0, 3)).toContain(sequence.at(-1)!.split(' → ')[0])
    // Shrunk by fast-check from the first diverging sequence; the minimal one carries the evidence.
    expect(finding.details?.shrinkSteps).toBeGreaterThan(0)
    expect(finding.details?.before).not.toEqual(finding.details?.after)
    expect(finding.message).toContain('not proof')
    expect(output.summary).toMatch(/^DIVERGENCE in deposit/)
    expect(output.data?.sequencesPerSecond).toBeGreaterThan(0)

    // The report says plainly that this was tested, not proven, in Markdown and in HTML.
    const proved = createFinding('prover', 'formal-proved', { message: 'WithdrawHarnessV2: assert at line 84 PROVED' })
    const report = createReport(
      {
        manifest: context.manifest,
        chainId: context.chainId,
        blockNumber: context.blockNumber,
        startedAt: new Date(0).toISOString(),
        durationMs: 1000,
        builds: [...context.builds],
        stages: [stageResult('prover', { findings: [proved], summary: '1 proved' }), stageResult('differential-fuzz', output)],
      },
      { toolVersion: '0.0.0-test' },
    )
    const markdown = renderMarkdown(report)
    const onlyTested = markdown.slice(markdown.indexOf('**Only tested (not proof)**'), markdown.indexOf('**Not run'))
    expect(onlyTested).toContain('DIVERGENCE: LendingPool.deposit behaves differently')
    expect(markdown.slice(markdown.indexOf('**Proven'), markdown.indexOf('**Violated'))).toContain('- WithdrawHarnessV2: assert at line 84 PROVED')
    const html = renderHtml(report)
    expect(html).toContain('<h2>Proven / Violated / Only tested / Not run</h2>')
    const htmlTested = html.slice(html.indexOf('<h3>Only tested (not proof)</h3>'), html.indexOf('<h3>Not run'))
    expect(htmlTested).toContain('<li>DIVERGENCE: LendingPool.deposit behaves differently')
    expect(htmlTested).toContain('→ deposit(')
    expect(html.slice(html.indexOf('<h3>Proven'), html.indexOf('<h3>Violated'))).not.toContain('deposit')
  }, 180_000)

  it('finds no divergence for the real V2 with the same settings, and says it only tested', async () => {
    const context = await demoStageContext(chain, 'LendingPoolV2', { unchangedFunctions, differentialFuzz: settings() })
    const output = await differentialFuzz(context)
    expect(output.findings).toEqual([])
    expect(output.summary).toMatch(/^ONLY TESTED \(not proof\): 12 random sequences/)
    expect(output.data).toMatchObject({ sequences: 12, method: 'differential fuzzing (testing, not proof)' })
  }, 180_000)

  it('is skipped without unchangedFunctions, and rejects a signature it cannot fuzz with BW_CHECK_INVALID', async () => {
    const none = await differentialFuzz(await demoStageContext(chain, 'LendingPoolV2', {}))
    expect(none.skipped).toMatch(/no unchangedFunctions/)
    const tuple = await demoStageContext(chain, 'LendingPoolV2', { unchangedFunctions: ['function f((uint256,address) pair)'] })
    await expect(differentialFuzz(tuple)).rejects.toMatchObject({ code: 'BW_CHECK_INVALID' })
    const garbled = await demoStageContext(chain, 'LendingPoolV2', { unchangedFunctions: ['function f(uint256'] })
    await expect(differentialFuzz(garbled)).rejects.toMatchObject({ code: 'BW_CHECK_INVALID' })
  }, 180_000)
})

function stageResult(stage: StageResult['stage'], output: StageOutput): StageResult {
  return { stage, status: output.findings.some((finding) => finding.severity === 'high' || finding.severity === 'critical') ? 'failed' : 'passed', startedAt: new Date(0).toISOString(), durationMs: 1234, ...output }
}
