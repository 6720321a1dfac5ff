import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { getAddress } from 'viem'
import { redactSecrets } from '../../errors/BaseError.js'
import { openLifecycle, type LifecycleContext } from '../../lifecycle/context.js'
import { getPatch } from '../../lifecycle/getPatch.js'
import { transitionPatch } from '../../lifecycle/transitionPatch.js'
import type { Actor, Patch } from '../../lifecycle/types.js'
import { ManifestInvalidError } from '../../validate/errors.js'
import { loadManifest } from '../../validate/loadManifest.js'
import type { PatchManifest } from '../../validate/manifest.js'
import { createReport, renderHtml, renderMarkdown, renderSarif, reportJson, type ValidationReport } from '../../validate/report.js'
import { runPipeline } from '../../validate/runPipeline.js'
import { stageIds, type StageId } from '../../validate/stage.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { progress, type CliIo } from '../io.js'
import { version } from '../main.js'

const usage =
  'bulwark validate <manifest> [--rpc URL] [--block N] [--stage NAME …] [--report FILE] [--markdown FILE] [--html FILE] [--sarif FILE] [--patch ID] [--no-rebuild] [--json]'

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Validate a patch: build, upgrade safety against the chain, diff review, fork rehearsal, exploit and regression replay; write the report.',
  usage,
  positionals: true,
  options: {
    rpc: { type: 'string', valueName: 'url', description: "RPC endpoint of the chain the proxies live on (overrides the manifest's chain.rpcUrl)." },
    block: { type: 'string', valueName: 'n', description: 'Pin the run to this block (default: the manifest\'s chain.blockNumber, else the latest).' },
    stage: { type: 'string', multiple: true, valueName: 'name', description: `Run only these stages (the build always runs): ${stageIds.join(', ')}.` },
    report: { type: 'string', valueName: 'file', description: 'Write the JSON report (with its hash) to FILE.' },
    markdown: { type: 'string', valueName: 'file', description: 'Write the report as Markdown to FILE.' },
    html: { type: 'string', valueName: 'file', description: 'Write the report as a self-contained HTML page to FILE.' },
    sarif: { type: 'string', valueName: 'file', description: 'Write the findings as SARIF 2.1.0 to FILE (for code-review tools).' },
    'no-rebuild': { type: 'boolean', description: 'Skip the second compilation that proves the build reproducible (faster; the report says it was skipped).' },
    patch: { type: 'string', valueName: 'id', description: 'Attach the run to this patch: it moves to "validating", then "validated" (pass) or "rejected" (fail).' },
  },
  async run({ values, positionals }, io) {
    const report = progress(io, Boolean(values.quiet) || Boolean(values.json))
    if (positionals.length !== 1) throw new UsageError({ message: positionals.length === 0 ? 'Give the patch manifest file.' : `Give one manifest; got ${positionals.length}.`, usage })
    const manifestFile = path.resolve(io.cwd, positionals[0]!)
    const rpcUrl = values.rpc as string | undefined
    if (rpcUrl !== undefined && !/^(?:https?|wss?):\/\/\S+$/.test(rpcUrl)) throw new UsageError({ message: `--rpc must be an http(s) URL; got "${redactSecrets(rpcUrl)}".`, usage })
    const block = values.block as string | undefined
    if (block !== undefined && !/^\d+$/.test(block)) throw new UsageError({ message: `--block must be a block number; got "${block}".`, usage })
    const stages = values.stage as string[] | undefined
    for (const stage of stages ?? []) {
      if (!stageIds.includes(stage as StageId)) throw new UsageError({ message: `--stage "${stage}" is not a stage: ${stageIds.join(', ')}.`, usage })
    }

    const manifest = await loadManifest(manifestFile)
    const patchId = values.patch as string | undefined
    let lifecycle: LifecycleContext | undefined
    try {
      let patch: Patch | undefined
      if (patchId !== undefined) {
        lifecycle = await openLifecycle({ cwd: io.cwd, env: io.env })
        patch = await getPatch(lifecycle, patchId, localActor())
        assertSameTargets(manifestFile, manifest, patch)
        if (patch.status !== 'validating') {
          report(`patch ${patchId}: ${patch.status} → validating`)
          patch = (
            await transitionPatch(
              lifecycle,
              { id: patchId, to: 'validating', expectedStatus: patch.status, evidence: { note: `bulwark validate ${path.basename(manifestFile)}` } },
              localActor(),
            )
          ).patch
        }
      }

      const run = await runPipeline({
        manifest,
        manifestDir: path.dirname(manifestFile),
        rpcUrl,
        blockNumber: block === undefined ? undefined : BigInt(block),
        stages: stages as StageId[] | undefined,
        reproducibility: !values['no-rebuild'],
        env: io.env,
        onEvent: (event) => {
          if (event.type === 'stage-started') report(`${event.stage}: started`)
          else if (event.type === 'stage-progress') report(`${event.stage}: ${event.message}`)
          else {
            const r = event.result
            report(`${event.stage}: ${r.status} in ${(r.durationMs / 1000).toFixed(1)} s, ${r.findings.length} finding(s)${r.error ? ` — ${r.error.code}` : ''}`)
          }
        },
      })
      const result = createReport(run, { toolVersion: version })
      const written = await writeOutputs(io, values, result)

      let moved: Patch | undefined
      if (lifecycle && patchId !== undefined && patch) {
        // A stage that could not run (RPC down, compile error) leaves the patch in "validating": nothing was judged.
        const errored = result.document.erroredStages.length > 0 && result.document.blockingFindings === 0
        if (!errored) {
          const to = result.ok ? 'validated' : 'rejected'
          report(`patch ${patchId}: validating → ${to}`)
          moved = (
            await transitionPatch(
              lifecycle,
              {
                id: patchId,
                to,
                expectedStatus: 'validating',
                evidence: {
                  note: `validation ${result.document.verdict}: ${result.document.blockingFindings} blocking finding(s)`,
                  links: written,
                  data: { reportHash: result.hash, manifestHash: result.document.manifestHash, verdict: result.document.verdict, counts: result.document.counts },
                },
              },
              localActor(),
            )
          ).patch
        }
      }

      if (values.json) {
        io.stdout(
          JSON.stringify(
            { ok: result.ok, hash: result.hash, report: result.document, ...(patchId !== undefined ? { patch: { id: patchId, status: (moved ?? patch)?.status ?? null } } : {}) },
            null,
            2,
          ),
        )
      } else {
        io.stdout(result.explain())
        for (const file of written) io.stdout(`wrote ${file}`)
        if (moved) io.stdout(`patch ${moved.id} is now ${moved.status}`)
      }
      return result.ok ? 0 : 1
    } finally {
      await lifecycle?.store.close()
    }
  },
}

async function writeOutputs(io: CliIo, values: Record<string, unknown>, result: ValidationReport): Promise<string[]> {
  const outputs: [string, (r: ValidationReport) => string][] = [
    ['report', reportJson],
    ['markdown', renderMarkdown],
    ['html', renderHtml],
    ['sarif', renderSarif],
  ]
  const written: string[] = []
  for (const [flag, render] of outputs) {
    const file = values[flag] as string | undefined
    if (file === undefined) continue
    const target = path.resolve(io.cwd, file)
    await mkdir(path.dirname(target), { recursive: true })
    await writeFile(target, render(result))
    written.push(path.relative(io.cwd, target) || target)
  }
  return written
}

/** The run must be about the proxies the patch names, or its verdict says nothing about the patch. */
function assertSameTargets(file: string, manifest: PatchManifest, patch: Patch) {
  const inManifest = new Set(manifest.targets.map((target) => getAddress(target.proxy)))
  const inPatch = new Set(patch.targets.map((target) => getAddress(target.proxy)))
  const missing = [...inPatch].filter((proxy) => !inManifest.has(proxy))
  const extra = [...inManifest].filter((proxy) => !inPatch.has(proxy))
  if (missing.length + extra.length > 0) {
    throw new ManifestInvalidError({
      file,
      issues: [
        ...missing.map((proxy) => ({ path: 'targets', message: `patch ${patch.id} upgrades ${proxy}, which the manifest does not validate` })),
        ...extra.map((proxy) => ({ path: 'targets', message: `${proxy} is not a target of patch ${patch.id}` })),
      ],
    })
  }
}

/** Whoever can open the local store acts as its admin, named after the OS user. */
function localActor(): Actor {
  let user = 'operator'
  try {
    user = os.userInfo().username || user
  } catch {
    // no passwd entry (some containers): keep the generic name
  }
  return { id: `local:${user}`, roles: ['admin'] }
}
