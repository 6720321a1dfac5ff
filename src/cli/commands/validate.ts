import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { redactSecrets } from '../../errors/BaseError.js'
import { openLifecycle } from '../../lifecycle/context.js'
import type { Actor } from '../../lifecycle/types.js'
import { validatePatch } from '../../operations/validatePatch.js'
import { loadManifest } from '../../validate/loadManifest.js'
import { renderHtml, renderMarkdown, renderSarif, reportJson, type ValidationReport } from '../../validate/report.js'
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
    const lifecycle = patchId === undefined ? undefined : await openLifecycle({ cwd: io.cwd, env: io.env })
    try {
      const { report: result, patch: moved } = await validatePatch({
        manifest,
        manifestFile,
        manifestDir: path.dirname(manifestFile),
        rpcUrl,
        blockNumber: block === undefined ? undefined : BigInt(block),
        stages: stages as StageId[] | undefined,
        reproducibility: !values['no-rebuild'],
        env: io.env,
        toolVersion: version,
        patch: lifecycle && patchId !== undefined ? { context: lifecycle, id: patchId, actor: localActor() } : undefined,
        onEvent: (event) => {
          if (event.type === 'patch-moved') report(`patch ${event.patchId}: ${event.from} → ${event.to}`)
          else if (event.type === 'stage-started') report(`${event.stage}: started`)
          else if (event.type === 'stage-progress') report(`${event.stage}: ${event.message}`)
          else {
            const r = event.result
            report(`${event.stage}: ${r.status} in ${(r.durationMs / 1000).toFixed(1)} s, ${r.findings.length} finding(s)${r.error ? ` — ${r.error.code}` : ''}`)
          }
        },
      })
      const written = await writeOutputs(io, values, result)
      if (values.json) {
        io.stdout(JSON.stringify({ ok: result.ok, hash: result.hash, report: result.document, ...(patchId !== undefined ? { patch: { id: patchId, status: moved?.status ?? null } } : {}) }, null, 2))
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
