import { isBlocking } from '../../src/validate/findings.js'
import { createReport, type ValidationReport } from '../../src/validate/report.js'
import { runPipeline, type PipelineRun } from '../../src/validate/runPipeline.js'
import { repoRoot } from '../protocols/compileKit.js'
import type { CorpusCase } from './cases.js'
import type { CorpusChain } from './corpusChain.js'
import { corpusManifest } from './manifestTemplate.js'

export type CorpusOutcome = {
  run: PipelineRun
  report: ValidationReport
  verdict: 'pass' | 'fail'
  /** Sorted, distinct kinds of the blocking findings: the reason for a fail. */
  reasons: string[]
  erroredStages: { stage: string; code: string; message: string }[]
  durationMs: number
  /** Per stage, ms. */
  stageMs: Record<string, number>
}

/** Fills the manifest template for `testCase` and runs the pipeline against the corpus chain, pinned at `blockNumber`. */
export async function runCorpusCase(chain: CorpusChain, testCase: CorpusCase, options: { reproducibility?: boolean | undefined } = {}): Promise<CorpusOutcome> {
  const started = performance.now()
  const run = await runPipeline({
    manifest: corpusManifest(testCase.patch(chain)),
    manifestDir: repoRoot,
    rpcUrl: chain.anvil.rpcUrl,
    blockNumber: BigInt(chain.blockNumber),
    ...(testCase.stages ? { stages: testCase.stages } : {}),
    reproducibility: options.reproducibility ?? true,
  })
  const report = createReport(run, { toolVersion: 'corpus' })
  const findings = run.stages.flatMap((stage) => stage.findings)
  return {
    run,
    report,
    verdict: report.document.verdict,
    reasons: [...new Set(findings.filter((finding) => isBlocking(finding.severity)).map((finding) => finding.kind))].sort(),
    erroredStages: run.stages.flatMap((stage) => (stage.error ? [{ stage: stage.stage, ...stage.error }] : [])),
    durationMs: performance.now() - started,
    stageMs: Object.fromEntries(run.stages.map((stage) => [stage.stage, Math.round(stage.durationMs)])),
  }
}
