import { existsSync } from 'node:fs'
import path from 'node:path'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { getConfirmations } from '../../authorize/getConfirmations.js'
import { connectChain } from '../../chain/connectChain.js'
import { defaultProjectFile, loadProject, resolveRpcUrl } from '../../config/loadProject.js'
import type { Project, ProjectRelease } from '../../config/projectSchema.js'
import { BaseError } from '../../errors/BaseError.js'
import { openLifecycle, type LifecycleContext } from '../../lifecycle/context.js'
import { getPatch } from '../../lifecycle/getPatch.js'
import { localRoles } from '../../lifecycle/lifecycleApi.js'
import { patchReportHash } from '../../lifecycle/patchReportHash.js'
import type { Actor } from '../../lifecycle/types.js'
import { executeRelease } from '../../operations/executeRelease.js'
import { planRelease } from '../../operations/planRelease.js'
import { ReleasePlanInvalidError } from '../../release/errors.js'
import { releaseRouteNames, type ReleaseRouteName } from '../../release/plan.js'
import { readReleaseReport } from '../../release/readReleaseReport.js'
import { loadRelease, nextReleaseStep } from '../../release/releaseRecords.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import type { CliIo } from '../io.js'
import { progress } from '../io.js'
import { subcommand } from './advisory.js'

const subcommands = { plan: 1, execute: 1, status: 1 } as const

export const releaseCommand: Command = {
  name: 'release',
  summary: 'Release a validated patch (proxy upgrades, or a diamond cut): plan its atomic batch through the ReleaseGate on a route and propose the Safe transaction(s), execute once signed, show status.',
  usage: [
    'bulwark release plan <patch> [--report FILE] [--route standard|emergency|private] [--auditor-key env:VAR …] [--rpc URL] [--project FILE] [--root DIR] [--replace] [--json]',
    '       bulwark release execute <patch> --key env:VAR [--rpc URL] [--project FILE] [--json]',
    '       bulwark release status <patch> [--rpc URL] [--project FILE] [--json]',
  ].join('\n'),
  positionals: true,
  options: {
    report: { type: 'string', valueName: 'file', description: 'plan: optional; a validation report file you hold (`bulwark validate --report`): refused unless it is the patch\'s stored validated report. The plan is always built from the stored one.' },
    route: { type: 'string', valueName: 'route', description: 'plan: standard (Safe → timelock delay), emergency (security council, no delay) or private (commit-reveal timelock); default: the patch\'s route.' },
    'auditor-key': { type: 'string', multiple: true, valueName: 'env:VAR', description: 'plan: sign the gate\'s ReleaseAttestation with the auditor key held in environment variable VAR (repeat up to the gate\'s threshold).' },
    key: { type: 'string', valueName: 'env:VAR', description: 'execute: the account that submits execTransaction (any funded key; the Safe owners\' stored confirmations authorize), from environment variable VAR.' },
    rpc: { type: 'string', valueName: 'url', description: 'RPC endpoint of the release chain (default: the project file\'s chain).' },
    project: { type: 'string', valueName: 'file', description: 'Project file with the `release` section (routes, gate, Create2Deployer); default bulwark.json.' },
    root: { type: 'string', valueName: 'dir', description: 'plan: also compile this project root for the patch\'s implementations (default: Bulwark\'s own contracts, which hold the demo).' },
    replace: { type: 'boolean', description: 'plan: replace a stored plan none of whose steps has executed (e.g. after a Safe nonce conflict).' },
    as: { type: 'string', valueName: 'name', description: 'Act as this local operator (default: $USER).' },
  },
  async run({ values, positionals }, io) {
    const { name, args } = subcommand(releaseCommand, positionals, subcommands)
    const patchId = args[0]!
    const say = progress(io, Boolean(values.quiet) || Boolean(values.json))
    // Flags first: a usage error opens no database.
    if (name === 'plan') checkPlanFlags(values, io)
    if (name === 'execute') readKey(io, (values.key as string | undefined) ?? '', '--key')
    const context = await openLifecycle({ cwd: io.cwd, env: io.env })
    const actor: Actor = { id: (values.as as string | undefined) ?? io.env.USER ?? io.env.USERNAME ?? 'local', roles: localRoles }
    try {
      if (name === 'plan') return await plan(values, io, context, actor, patchId, say)
      if (name === 'execute') return await execute(values, io, context, actor, patchId, say)
      return await status(values, io, context, actor, patchId)
    } finally {
      await context.store.close()
    }
  },
}

type Values = Record<string, unknown>
type Say = (message: string) => void

function checkPlanFlags(values: Values, io: CliIo) {
  const reportFile = values.report as string | undefined
  const routeName = values.route as string | undefined
  if (routeName !== undefined && !(releaseRouteNames as readonly string[]).includes(routeName)) throw new UsageError({ message: `--route must be one of ${releaseRouteNames.join(', ')}; got "${routeName}".`, usage: releaseCommand.usage })
  const auditorKeys = ((values['auditor-key'] as string[] | undefined) ?? []).map((key) => readKey(io, key, '--auditor-key'))
  return { reportFile, routeName, auditorKeys }
}

async function plan(values: Values, io: CliIo, context: LifecycleContext, actor: Actor, patchId: string, say: Say): Promise<number> {
  const { reportFile, routeName, auditorKeys } = checkPlanFlags(values, io)
  const report = reportFile === undefined
    ? undefined
    : await readReleaseReport(path.resolve(io.cwd, reportFile)).catch((error: unknown) => {
        throw error instanceof BaseError && error.code === 'BW_VERIFY_INPUT_INVALID' ? new ReleasePlanInvalidError({ reason: error.shortMessage }) : error
      })
  const { project, file } = await projectOf(values, io, { required: true })
  const release = releaseSection(project!, file)
  const rpcUrl = rpcOf(values, project, release, file)
  const { plan: built, route, proposals, record } = await planRelease({
    context,
    actor,
    patchId,
    rpcUrl,
    release,
    projectFile: file,
    route: routeName as ReleaseRouteName | undefined,
    reportHash: report?.hash,
    roots: values.root === undefined ? [] : [path.resolve(io.cwd, values.root as string)],
    auditors: auditorKeys,
    replace: Boolean(values.replace),
    onProgress: say,
  })
  if (values.json) {
    io.stdout(json({ ok: true, patchId, status: record.status, planHash: built.hash, plan: built, proposals }))
  } else {
    io.stdout(`Release plan ${built.hash} for ${patchId} (${route.name} route, Safe ${route.safe}, ${built.route.threshold} signature(s) per transaction${built.route.delay > 0 ? `, delay ${built.route.delay} s` : ''})`)
    for (const call of built.calls) io.stdout(`  ${call.description}`)
    if (built.diamondCut) io.stdout(`Diamond cut of ${built.diamondCut.diamond}: the gate releases only cut hash ${built.diamondCut.cutHash} (the exact selector map the auditors attested), with approved facet code`)
    io.stdout(`Patch ${patchId} is awaiting approval. Owners review and sign:`)
    for (const proposal of proposals) io.stdout(`  ${proposal.purpose.padEnd(8)} nonce ${proposal.nonce}: bulwark sign view ${proposal.safeTxHash} --rpc ${rpcUrl}`)
    io.stdout(`Then: bulwark release execute ${patchId} --key env:VAR`)
  }
  return 0
}

async function execute(values: Values, io: CliIo, context: LifecycleContext, actor: Actor, patchId: string, say: Say): Promise<number> {
  const submitter = readKey(io, (values.key as string | undefined) ?? '', '--key')
  // A missing plan is reported before anything else is read.
  await loadRelease(context.store, patchId)
  const { project, file } = await projectOf(values, io, { required: false })
  const rpcUrl = rpcOf(values, project, project?.release, file)
  const { step, executed, release, patch, readyAt } = await executeRelease({ context, actor, patchId, rpcUrl, submitter, onProgress: say })
  const last = patch.status === 'released'
  if (values.json) {
    io.stdout(json({ ok: true, patchId, step, purpose: executed.purpose, transactionHash: executed.transactionHash, blockNumber: executed.blockNumber, safeTxHash: executed.safeTxHash, status: release.status, patchStatus: patch.status, ...(readyAt ? { readyAt } : {}) }))
  } else {
    io.stdout(`${patchId}: ${executed.purpose} executed in ${executed.transactionHash} (block ${executed.blockNumber}); patch is ${patch.status}`)
    if (readyAt) io.stdout(`The timelock delay ends at ${readyAt}; then run: bulwark release execute ${patchId} --key env:VAR`)
    else if (last) io.stdout(`Verify: bulwark verify ${patchId}`)
  }
  return 0
}

async function status(values: Values, io: CliIo, context: LifecycleContext, actor: Actor, patchId: string): Promise<number> {
  const record = await loadRelease(context.store, patchId)
  const patch = await getPatch(context, patchId, actor)
  const step = nextReleaseStep(record)
  let pending: { step: number; safeTxHash: Hex; valid: number; threshold: number } | undefined
  if (step !== undefined && (values.rpc !== undefined || values.project !== undefined || existsSync(path.join(io.cwd, defaultProjectFile)))) {
    const { project, file } = await projectOf(values, io, { required: false })
    const { client } = await connectChain({ rpcUrl: rpcOf(values, project, project?.release, file) })
    const transaction = record.plan.safeTransactions[step]!
    const confirmations = await getConfirmations(client, context.store, { safeTxHash: transaction.safeTxHash, currentReportHash: patchReportHash(context.store) })
    pending = { step, safeTxHash: transaction.safeTxHash, valid: confirmations.valid, threshold: confirmations.state.threshold }
  }
  if (values.json) {
    io.stdout(json({ ok: true, release: { ...record, plan: undefined, report: undefined, steps: record.plan.safeTransactions.map((t) => ({ purpose: t.purpose, safeTxHash: t.safeTxHash, nonce: t.nonce })) }, patchStatus: patch.status, ...(pending ? { pending } : {}) }))
    return 0
  }
  io.stdout(`${patchId}: release ${record.status} (${record.route} route, plan ${record.planHash}); patch ${patch.status}`)
  io.stdout(`  report ${record.reportHash}; planned ${record.createdAt.toISOString()}${record.scheduledAt ? `; scheduled ${record.scheduledAt.toISOString()}` : ''}${record.releasedAt ? `; released ${record.releasedAt.toISOString()}` : ''}${record.verifiedAt ? `; verified ${record.verifiedAt.toISOString()}` : ''}`)
  record.plan.safeTransactions.forEach((t, index) => {
    const done = record.executions.find((execution) => execution.step === index)
    const signed = pending?.step === index ? ` — ${pending.valid}/${pending.threshold} confirmation(s)` : ''
    io.stdout(`  ${index + 1}. ${t.purpose.padEnd(8)} ${t.safeTxHash} nonce ${t.nonce}: ${done ? `executed in ${done.transactionHash}` : `pending${signed}`}`)
  })
  return 0
}

/** A private key from `env:VAR` (never from the command line itself). */
function readKey(io: CliIo, flag: string, name: string) {
  const variable = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(flag)?.[1]
  const secret = variable === undefined ? undefined : io.env[variable]
  if (variable === undefined || secret === undefined || !/^0x[0-9a-fA-F]{64}$/.test(secret)) {
    throw new UsageError({ message: `${name} must be env:VAR naming an environment variable that holds a 32-byte hex private key${flag === '' ? ' (release execute needs --key: the account that submits the transaction)' : ''}.`, usage: releaseCommand.usage })
  }
  return privateKeyToAccount(secret as Hex)
}

async function projectOf(values: Values, io: CliIo, { required }: { required: boolean }): Promise<{ project: Project | undefined; file: string }> {
  const file = path.resolve(io.cwd, (values.project as string | undefined) ?? defaultProjectFile)
  if (values.project === undefined && !existsSync(file)) {
    if (required) throw new UsageError({ message: `No project file (${defaultProjectFile}, or --project FILE) with a "release" section: run bulwark init on the devnet, or add one (docs/project-file.md).`, usage: releaseCommand.usage })
    return { project: undefined, file }
  }
  return { project: await loadProject(file), file }
}

function releaseSection(project: Project, file: string): ProjectRelease {
  if (!project.release) throw new ReleasePlanInvalidError({ reason: `${path.basename(file)} has no "release" section (gate, Create2Deployer, routes); see docs/project-file.md.` })
  return project.release
}

function rpcOf(values: Values, project: Project | undefined, release: ProjectRelease | undefined, file: string): string {
  const rpcUrl = values.rpc as string | undefined
  if (rpcUrl !== undefined) {
    if (!/^https?:\/\/\S+$/.test(rpcUrl)) throw new UsageError({ message: '--rpc must be an http(s):// URL.', usage: releaseCommand.usage })
    return rpcUrl
  }
  if (!project) throw new UsageError({ message: 'Give --rpc URL, or a project file naming the chain.', usage: releaseCommand.usage })
  return resolveRpcUrl(project, release?.chain ?? Object.keys(project.chains)[0]!, file)
}

/** JSON with bigints as decimal strings. */
export function json(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) => (typeof member === 'bigint' ? member.toString() : member), 2)
}
