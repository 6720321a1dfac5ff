import { canonicalJson } from '../store/canonicalJson.js'
import { keccak256, stringToHex, type Hex } from 'viem'
import { findingMessages, isBlocking, severities, type Severity } from './findings.js'
import type { PatchManifest } from './manifest.js'
import type { PipelineRun } from './runPipeline.js'
import type { Finding, JsonValue, StageResult } from './stage.js'

export const reportVersion = 1

/**
 * The validation report (version 1): what approvals, attestations and releases bind to through
 * `hash`, the keccak256 of the canonical JSON of every other field. Times are whole milliseconds
 * so the document is stable JSON.
 */
export type ValidationReportDocument = {
  reportVersion: typeof reportVersion
  tool: { name: 'bulwark'; version: string }
  advisory: PatchManifest['advisory']
  /** keccak256 of the manifest's canonical JSON (after defaults are applied). */
  manifestHash: Hex
  chain: { chainId: number; blockNumber: string }
  targets: {
    name: string
    proxy: string
    implementation: { contract: string; runtimeCodeHash: Hex; creationCodeHash: Hex; buildInfoId: string }
    reference: { contract: string; origin: 'manifest' | 'annotation'; runtimeCodeHash: Hex } | null
    initializerCalldata: Hex
  }[]
  verdict: 'pass' | 'fail'
  /** Findings by severity across all stages. */
  counts: Record<Severity, number>
  blockingFindings: number
  erroredStages: string[]
  startedAt: string
  durationMs: number
  stages: StageResult[]
}

export type ValidationReport = {
  /** True only when no finding blocks and every stage ran. */
  ok: boolean
  hash: Hex
  document: ValidationReportDocument
  /** The canonical JSON the hash is computed over (without the hash itself). */
  canonicalJson: string
  /** Terminal text: verdict, per-stage status and time, findings with hints. */
  explain(): string
}

export function createReport(run: PipelineRun, { toolVersion }: { toolVersion: string }): ValidationReport {
  const findings = run.stages.flatMap((stage) => stage.findings)
  const counts = Object.fromEntries(severities.map((severity) => [severity, findings.filter((f) => f.severity === severity).length])) as Record<Severity, number>
  const blockingFindings = findings.filter((f) => isBlocking(f.severity)).length
  const erroredStages = run.stages.filter((stage) => stage.status === 'errored').map((stage) => stage.stage)
  const ok = blockingFindings === 0 && erroredStages.length === 0
  const document: ValidationReportDocument = {
    reportVersion,
    tool: { name: 'bulwark', version: toolVersion },
    advisory: run.manifest.advisory,
    manifestHash: keccak256(stringToHex(canonicalJson(run.manifest as unknown as JsonValue))),
    chain: { chainId: run.chainId, blockNumber: run.blockNumber.toString() },
    targets: run.builds.map((build) => ({
      name: build.target,
      proxy: build.proxy,
      implementation: {
        contract: build.implementation.contract,
        runtimeCodeHash: build.implementation.runtimeCodeHash,
        creationCodeHash: build.implementation.creationCodeHash,
        buildInfoId: build.implementation.buildInfo.id,
      },
      reference: build.reference ? { contract: build.reference.contract, origin: build.reference.origin, runtimeCodeHash: build.reference.runtimeCodeHash } : null,
      initializerCalldata: build.initializerCalldata,
    })),
    verdict: ok ? 'pass' : 'fail',
    counts,
    blockingFindings,
    erroredStages,
    startedAt: run.startedAt,
    durationMs: Math.round(run.durationMs),
    stages: run.stages.map((stage) => ({ ...stage, durationMs: Math.round(stage.durationMs) })),
  }
  const canonical = canonicalJson(document as unknown as JsonValue)
  const hash = keccak256(stringToHex(canonical))
  return { ok, hash, document, canonicalJson: canonical, explain: () => explainReport(document, hash) }
}

/** The report file: the document plus its hash, in the order a reader wants. */
export function reportJson(report: ValidationReport): string {
  return `${JSON.stringify({ hash: report.hash, ...report.document }, null, 2)}\n`
}

const statusMark: Record<StageResult['status'], string> = { passed: 'PASS', failed: 'FAIL', errored: 'ERROR', skipped: 'SKIP' }

function explainReport(document: ValidationReportDocument, hash: Hex): string {
  const lines = [
    `Validation ${document.verdict === 'pass' ? 'PASSED' : 'FAILED'} — advisory ${document.advisory.id}${document.advisory.title ? ` (${document.advisory.title})` : ''}`,
    `chain ${document.chain.chainId} at block ${document.chain.blockNumber}; ${(document.durationMs / 1000).toFixed(1)} s; report hash ${hash}`,
    '',
  ]
  for (const stage of document.stages) {
    const note = stage.error ? `${stage.error.code}: ${stage.error.message.split('\n')[0]}` : (stage.skipped ?? stage.summary ?? '')
    lines.push(`  ${statusMark[stage.status].padEnd(5)} ${stage.stage.padEnd(20)} ${`${(stage.durationMs / 1000).toFixed(1)} s`.padStart(8)}  ${note}`)
  }
  const findings = sortFindings(document.stages.flatMap((stage) => stage.findings))
  if (findings.length > 0) {
    lines.push('', `Findings (${findings.length}; ${document.blockingFindings} blocking):`)
    for (const finding of findings) {
      lines.push(`  [${finding.severity}] ${finding.kind}: ${finding.message}${formatLocation(finding) ? ` (${formatLocation(finding)})` : ''}`)
      if (isBlocking(finding.severity)) lines.push(`      hint: ${findingMessages[finding.kind].hint}`)
    }
  }
  return lines.join('\n')
}

function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => severities.indexOf(a.severity) - severities.indexOf(b.severity))
}

function formatLocation(finding: Finding): string {
  const location = finding.location
  if (!location?.file) return ''
  return `${location.file}${location.line === undefined ? '' : `:${location.line}`}`
}

/** Markdown for the pull request or the advisory: verdict, stage table, findings with hints. */
export function renderMarkdown(report: ValidationReport): string {
  const document = report.document
  const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
  const lines = [
    `# Validation report — ${document.verdict === 'pass' ? '✅ pass' : '❌ fail'}`,
    '',
    `- Advisory: **${escape(document.advisory.id)}**${document.advisory.title ? ` — ${escape(document.advisory.title)}` : ''}`,
    `- Chain ${document.chain.chainId}, block ${document.chain.blockNumber}`,
    `- Report hash: \`${report.hash}\` (keccak256 of the canonical JSON)`,
    `- Manifest hash: \`${document.manifestHash}\``,
    `- Findings: ${severities.map((s) => `${document.counts[s]} ${s}`).join(', ')}`,
    '',
    '## Targets',
    '',
    '| target | proxy | new implementation | runtime code hash | reference |',
    '|---|---|---|---|---|',
    ...document.targets.map(
      (t) => `| ${escape(t.name)} | \`${t.proxy}\` | \`${escape(t.implementation.contract)}\` | \`${t.implementation.runtimeCodeHash}\` | ${t.reference ? `\`${escape(t.reference.contract)}\`` : '—'} |`,
    ),
    '',
    '## Stages',
    '',
    '| stage | status | time | findings | note |',
    '|---|---|---|---|---|',
    ...document.stages.map(
      (s) =>
        `| ${s.stage} | ${statusMark[s.status]} | ${(s.durationMs / 1000).toFixed(1)} s | ${s.findings.length} | ${escape(s.error ? `${s.error.code}: ${s.error.message.split('\n')[0]}` : (s.skipped ?? s.summary ?? ''))} |`,
    ),
  ]
  const assurance = assuranceSections(document.stages)
  if (assurance.length > 0) {
    lines.push('', '## Proven / Violated / Only tested / Not run')
    for (const section of assurance) lines.push('', `**${section.title}**:`, ...section.items.map((item) => `- ${escape(item)}`))
  }
  const findings = sortFindings(document.stages.flatMap((s) => s.findings))
  if (findings.length > 0) {
    lines.push('', '## Findings', '')
    for (const f of findings) {
      lines.push(`### ${f.severity.toUpperCase()} — ${findingMessages[f.kind].title} (\`${f.kind}\`)`, '', escape(f.message))
      if (formatLocation(f)) lines.push('', `Location: \`${formatLocation(f)}\``)
      lines.push('', `> ${findingMessages[f.kind].hint}`, '')
    }
  }
  return `${lines.join('\n')}\n`
}

/** A self-contained HTML page (no scripts, no external assets). */
export function renderHtml(report: ValidationReport): string {
  const document = report.document
  const h = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
  const findings = sortFindings(document.stages.flatMap((s) => s.findings))
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Validation report ${h(document.advisory.id)}</title>
<style>body{font:14px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}code{font-size:12px}.pass{color:#080}.fail{color:#b00}.critical,.high{border-left:4px solid #b00;padding-left:8px}.medium{border-left:4px solid #c80;padding-left:8px}.low,.info{border-left:4px solid #888;padding-left:8px}</style>
</head><body>
<h1>Validation report — <span class="${document.verdict}">${document.verdict.toUpperCase()}</span></h1>
<p>Advisory <strong>${h(document.advisory.id)}</strong>${document.advisory.title ? ` — ${h(document.advisory.title)}` : ''}<br>
Chain ${document.chain.chainId}, block ${h(document.chain.blockNumber)}<br>
Report hash <code>${report.hash}</code><br>Manifest hash <code>${document.manifestHash}</code></p>
<h2>Targets</h2>
<table><tr><th>target</th><th>proxy</th><th>new implementation</th><th>runtime code hash</th><th>reference</th></tr>
${document.targets.map((t) => `<tr><td>${h(t.name)}</td><td><code>${t.proxy}</code></td><td><code>${h(t.implementation.contract)}</code></td><td><code>${t.implementation.runtimeCodeHash}</code></td><td>${t.reference ? `<code>${h(t.reference.contract)}</code>` : '—'}</td></tr>`).join('\n')}
</table>
<h2>Stages</h2>
<table><tr><th>stage</th><th>status</th><th>time</th><th>findings</th><th>note</th></tr>
${document.stages.map((s) => `<tr><td>${s.stage}</td><td>${statusMark[s.status]}</td><td>${(s.durationMs / 1000).toFixed(1)} s</td><td>${s.findings.length}</td><td>${h(s.error ? `${s.error.code}: ${s.error.message}` : (s.skipped ?? s.summary ?? ''))}</td></tr>`).join('\n')}
</table>
${assuranceHtml(assuranceSections(document.stages), h)}<h2>Findings (${findings.length})</h2>
${findings.map((f) => `<div class="${f.severity}"><h3>${f.severity.toUpperCase()} — ${h(findingMessages[f.kind].title)} <code>${f.kind}</code></h3><p>${h(f.message)}</p>${formatLocation(f) ? `<p>Location: <code>${h(formatLocation(f))}</code></p>` : ''}<p><em>${h(findingMessages[f.kind].hint)}</em></p></div>`).join('\n')}
</body></html>
`
}

const sarifLevel: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' }

/** SARIF 2.1.0, one rule per finding kind, so findings show in code-review tools (GitHub code scanning). */
export function renderSarif(report: ValidationReport): string {
  const findings = report.document.stages.flatMap((s) => s.findings)
  const kinds = [...new Set(findings.map((f) => f.kind))].sort()
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'bulwark',
            version: report.document.tool.version,
            rules: kinds.map((kind) => ({
              id: kind,
              name: findingMessages[kind].title,
              shortDescription: { text: findingMessages[kind].title },
              help: { text: findingMessages[kind].hint },
              defaultConfiguration: { level: sarifLevel[findingMessages[kind].severity] },
              properties: { severity: findingMessages[kind].severity },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.kind,
          ruleIndex: kinds.indexOf(f.kind),
          level: sarifLevel[f.severity],
          message: { text: f.message },
          ...(f.location?.file
            ? {
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: { uri: f.location.file },
                      ...(f.location.line === undefined ? {} : { region: { startLine: f.location.line } }),
                    },
                  },
                ],
              }
            : {}),
          properties: { severity: f.severity, stage: f.stage, ...(f.target ? { target: f.target } : {}) },
        })),
        properties: { reportHash: report.hash, verdict: report.document.verdict },
      },
    ],
  }
  return `${JSON.stringify(sarif, null, 2)}\n`
}

/**
 * Issue 10: what was proven, violated, only tested, or not run, said plainly so that no reader
 * takes a test for a proof. Unknown and not-run results are never listed as proven; a
 * differential-fuzzing divergence is listed under "only tested" (it is a test result, not a proof).
 * Raw text: each renderer escapes it for its format.
 */
function assuranceSections(stages: readonly StageResult[]): { title: string; items: string[] }[] {
  const prover = stages.find((stage) => stage.stage === 'prover')
  const fuzz = stages.find((stage) => stage.stage === 'differential-fuzz')
  if (!prover && !fuzz) return []
  const of = (kinds: readonly string[]) => (prover?.findings ?? []).filter((finding) => kinds.includes(finding.kind)).map((finding) => finding.message)
  const orNothing = (items: string[]) => (items.length > 0 ? items : ['nothing'])
  const notRun = [
    ...of(['formal-unknown', 'formal-not-run']),
    ...stages.filter((stage) => (stage.stage === 'prover' || stage.stage === 'differential-fuzz') && stage.status === 'errored').map((stage) => `${stage.stage}: NOT RUN (${stage.error?.code ?? 'error'})`),
  ]
  const tested =
    fuzz && fuzz.status !== 'errored' && fuzz.status !== 'skipped'
      ? [
          `${fuzz.summary ?? 'differential fuzzing'} (${(fuzz.durationMs / 1000).toFixed(1)} s${typeof fuzz.data?.sequencesPerSecond === 'number' ? `, ${fuzz.data.sequencesPerSecond} sequences/s` : ''})`,
          ...fuzz.findings.filter((finding) => finding.kind === 'fuzz-divergence').map((finding) => `DIVERGENCE: ${finding.message}`),
        ]
      : []
  return [
    { title: `Proven (model checker, CHC${prover ? `, ${(prover.durationMs / 1000).toFixed(1)} s` : ''})`, items: orNothing(of(['formal-proved'])) },
    { title: 'Violated', items: orNothing(of(['formal-violated', 'formal-violated-before-patch'])) },
    { title: 'Only tested (not proof)', items: orNothing(tested) },
    { title: 'Not run / unknown (never counted as passing)', items: orNothing(notRun) },
  ]
}

function assuranceHtml(sections: readonly { title: string; items: string[] }[], h: (text: string) => string): string {
  if (sections.length === 0) return ''
  return `<h2>Proven / Violated / Only tested / Not run</h2>
${sections.map((section) => `<h3>${h(section.title)}</h3><ul>${section.items.map((item) => `<li>${h(item)}</li>`).join('')}</ul>`).join('\n')}
`
}
