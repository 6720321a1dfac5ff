import { existsSync } from 'node:fs'
import path from 'node:path'
import { getAddress, size, sliceHex, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { getConfirmations, packedSignatures } from '../../authorize/getConfirmations.js'
import { canonicalMultiSend } from '../../authorize/knownMultiSend.js'
import { proposeSafeTransaction } from '../../authorize/proposeSafeTransaction.js'
import { createDevClient } from '../../chain/clients.js'
import { connectChain } from '../../chain/connectChain.js'
import { signReleaseAttestation } from '../../chain/signReleaseAttestation.js'
import type { Artifact } from '../../compile/artifacts.js'
import { bulwarkRoot } from '../../compile/bulwarkRoot.js'
import { compileProject } from '../../compile/compileProject.js'
import { defaultProjectFile, loadProject, resolveRpcUrl } from '../../config/loadProject.js'
import type { Project, ProjectRelease } from '../../config/projectSchema.js'
import { BaseError } from '../../errors/BaseError.js'
import { openLifecycle, type LifecycleContext } from '../../lifecycle/context.js'
import { TransitionIllegalError } from '../../lifecycle/errors.js'
import { getPatch } from '../../lifecycle/getPatch.js'
import { localRoles } from '../../lifecycle/lifecycleApi.js'
import { recordApproval } from '../../lifecycle/recordApproval.js'
import { transitionPatch } from '../../lifecycle/transitionPatch.js'
import type { Actor, Patch } from '../../lifecycle/types.js'
import { buildReleasePlan, type ReleaseRouteConfig } from '../../release/buildReleasePlan.js'
import { ReleaseAlreadyExecutedError, ReleasePlanInvalidError } from '../../release/errors.js'
import { executeReleaseStep } from '../../release/executeReleaseStep.js'
import { releaseRouteNames, type ReleaseRouteName } from '../../release/plan.js'
import { readReleaseReport } from '../../release/readReleaseReport.js'
import { loadRelease, nextReleaseStep, recordReleaseExecution, saveReleasePlan } from '../../release/releaseRecords.js'
import { lifecycleReportHash } from '../../server/routes/safeTransactions.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import type { CliIo } from '../io.js'
import { progress } from '../io.js'
import { subcommand } from './advisory.js'

const subcommands = { plan: 1, execute: 1, status: 1 } as const

export const releaseCommand: Command = {
  name: 'release',
  summary: 'Release a validated patch: plan its atomic batch on a route and propose the Safe transaction(s), execute once signed, show status.',
  usage: [
    'bulwark release plan <patch> --report FILE [--route standard|emergency|private] [--auditor-key env:VAR …] [--rpc URL] [--project FILE] [--root DIR] [--replace] [--json]',
    '       bulwark release execute <patch> --key env:VAR [--rpc URL] [--project FILE] [--json]',
    '       bulwark release status <patch> [--rpc URL] [--project FILE] [--json]',
  ].join('\n'),
  positionals: true,
  options: {
    report: { type: 'string', valueName: 'file', description: 'plan: the validation report file (`bulwark validate --report`); its hash must be the patch\'s validated report hash.' },
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
  if (reportFile === undefined) throw new UsageError({ message: 'release plan needs --report FILE (the validation report of the patch).', usage: releaseCommand.usage })
  const routeName = values.route as string | undefined
  if (routeName !== undefined && !(releaseRouteNames as readonly string[]).includes(routeName)) throw new UsageError({ message: `--route must be one of ${releaseRouteNames.join(', ')}; got "${routeName}".`, usage: releaseCommand.usage })
  const auditorKeys = ((values['auditor-key'] as string[] | undefined) ?? []).map((key) => readKey(io, key, '--auditor-key'))
  return { reportFile, routeName, auditorKeys }
}

async function plan(values: Values, io: CliIo, context: LifecycleContext, actor: Actor, patchId: string, say: Say): Promise<number> {
  const { reportFile, routeName, auditorKeys } = checkPlanFlags(values, io)

  const patch = await getPatch(context, patchId, actor)
  const replace = Boolean(values.replace)
  if (patch.status !== 'validated' && !(replace && patch.status === 'awaiting_approval')) {
    throw new ReleasePlanInvalidError({ reason: `patch ${patchId} is ${patch.status}; only a validated patch gets a release plan${patch.status === 'awaiting_approval' ? ' (pass --replace to plan it again)' : ''}.` })
  }
  const report = await readReleaseReport(path.resolve(io.cwd, reportFile)).catch((error: unknown) => {
    throw error instanceof BaseError && error.code === 'BW_VERIFY_INPUT_INVALID' ? new ReleasePlanInvalidError({ reason: error.shortMessage }) : error
  })
  const currentReportHash = lifecycleReportHash(context, actor)
  const current = await currentReportHash(patchId)
  if (current?.toLowerCase() !== report.hash.toLowerCase()) {
    throw new ReleasePlanInvalidError({ reason: `the report ${report.hash} is not patch ${patchId}'s validated report (${current ?? 'none recorded'}); run bulwark validate --patch ${patchId}.` })
  }

  const { project, file } = await projectOf(values, io, { required: true })
  const release = releaseSection(project!, file)
  const rpcUrl = rpcOf(values, project, release, file)
  const { client, chainId } = await connectChain({ rpcUrl })
  const route = routeConfig(release, (routeName as ReleaseRouteName | undefined) ?? patch.route, file)

  say('compiling the implementations and Create2Deployer')
  const artifacts: Artifact[] = [...(await compileProject({ root: bulwarkRoot() })).artifacts]
  if (values.root !== undefined) artifacts.push(...(await compileProject({ root: path.resolve(io.cwd, values.root as string) })).artifacts)

  say(`building the ${route.name} plan on chain ${chainId}`)
  const built = await buildReleasePlan(client, {
    patchId,
    report,
    artifacts,
    route,
    gate: getAddress(release.releaseGate),
    create2Deployer: release.create2Deployer === undefined ? undefined : getAddress(release.create2Deployer),
    attest: async (request) => Promise.all(auditorKeys.map(async (auditor) => ({ auditor: auditor.address, signature: await signReleaseAttestation(auditor, request) }))),
  })
  if (auditorKeys.length === 0) say('warning: no --auditor-key given; the gate refuses a release with fewer attestations than its threshold')

  // Propose first (idempotent per safeTxHash), then store the plan: a failure leaves no stored plan.
  const proposals = []
  for (const transaction of built.safeTransactions) {
    say(`proposing the ${transaction.purpose} Safe transaction ${transaction.safeTxHash} (nonce ${transaction.nonce})`)
    const proposed = await proposeSafeTransaction(client, context.store, {
      chainId: transaction.chainId,
      safe: transaction.safe,
      to: transaction.to,
      value: BigInt(transaction.value),
      data: transaction.data,
      operation: transaction.operation,
      nonce: BigInt(transaction.nonce),
      safeTxHash: transaction.safeTxHash,
      patchId,
      reportHash: report.hash,
      validation: { verdict: report.document.verdict, rehearsal: `release plan ${built.hash} (${route.name} route)` },
      currentReportHash,
      proposer: actor.id,
      multiSend: route.multiSendCallOnly ? [route.multiSendCallOnly] : [],
    })
    proposals.push({ purpose: transaction.purpose, safe: transaction.safe, nonce: transaction.nonce, safeTxHash: proposed.hashes.safeTxHash, domainHash: proposed.hashes.domainHash, messageHash: proposed.hashes.messageHash })
  }
  const record = await saveReleasePlan(context.store, { plan: built, report: report.file, replace })
  if (patch.status === 'validated') {
    await transitionPatch(
      context,
      {
        id: patchId,
        to: 'awaiting_approval',
        expectedStatus: 'validated',
        evidence: {
          note: `release plan ${built.hash} (${route.name}): ${built.safeTransactions.length} Safe transaction(s) to sign`,
          data: { planHash: built.hash, reportHash: built.reportHash, route: route.name, safe: route.safe, safeTxHashes: built.safeTransactions.map((t) => t.safeTxHash) },
        },
      },
      actor,
    )
  }
  if (values.json) {
    io.stdout(json({ ok: true, patchId, status: record.status, planHash: built.hash, plan: built, proposals }))
  } else {
    io.stdout(`Release plan ${built.hash} for ${patchId} (${route.name} route, Safe ${route.safe}, ${built.route.threshold} signature(s) per transaction${built.route.delay > 0 ? `, delay ${built.route.delay} s` : ''})`)
    for (const call of built.calls) io.stdout(`  ${call.description}`)
    io.stdout(`Patch ${patchId} is awaiting approval. Owners review and sign:`)
    for (const proposal of proposals) io.stdout(`  ${proposal.purpose.padEnd(8)} nonce ${proposal.nonce}: bulwark sign view ${proposal.safeTxHash} --rpc ${rpcUrl}`)
    io.stdout(`Then: bulwark release execute ${patchId} --key env:VAR`)
  }
  return 0
}

async function execute(values: Values, io: CliIo, context: LifecycleContext, actor: Actor, patchId: string, say: Say): Promise<number> {
  const submitter = readKey(io, (values.key as string | undefined) ?? '', '--key')
  const record = await loadRelease(context.store, patchId)
  const step = nextReleaseStep(record)
  if (record.status === 'released' || record.status === 'verified' || step === undefined) {
    throw new ReleaseAlreadyExecutedError({ patchId, where: `the store records its release as ${record.status}${record.executions.length > 0 ? ` in ${record.executions.map((e) => e.transactionHash).join(', ')}` : ''}` })
  }
  const { project, file } = await projectOf(values, io, { required: false })
  const rpcUrl = rpcOf(values, project, project?.release, file)
  const { client, chainId } = await connectChain({ rpcUrl })
  const { plan } = record
  const transaction = plan.safeTransactions[step]!
  const currentReportHash = lifecycleReportHash(context, actor)

  // The owners' stored confirmations, re-verified live (owner set, nonce, report hash), become the lifecycle's approvals.
  const confirmations = await getConfirmations(client, context.store, { safeTxHash: transaction.safeTxHash, currentReportHash })
  let patch = await getPatch(context, patchId, actor)
  if (patch.status === 'awaiting_approval') patch = await approveFromConfirmations(context, patch, confirmations.confirmations.filter((c) => c.valid))
  const last = step === plan.safeTransactions.length - 1
  const allowed: Patch['status'][] = last ? ['approved', 'scheduled'] : ['approved']
  if (!allowed.includes(patch.status)) {
    throw new TransitionIllegalError({
      subject: `Patch ${patchId}`,
      current: patch.status,
      requested: last ? 'released' : 'scheduled',
      allowed: allowed,
      hint: patch.status === 'awaiting_approval' ? `It has ${patch.approvals.length} of ${patch.requiredApprovals} approvals; more owners must confirm (bulwark sign confirm ${transaction.safeTxHash}).` : 'Nothing was sent.',
    })
  }
  const packed = await packedSignatures(client, context.store, { safeTxHash: transaction.safeTxHash, currentReportHash })
  const signatures = packed.owners.map((signer, index) => ({ signer, signature: sliceHex(packed.signatures, index * 65, index * 65 + 65) }))
  if (size(packed.signatures) !== packed.owners.length * 65) throw new Error('packed signatures are not 65 bytes per owner')

  say(`executing step ${step + 1}/${plan.safeTransactions.length} (${transaction.purpose}) of the ${plan.route.name} plan with ${packed.owners.length} owner signature(s)`)
  const dev = createDevClient({ rpcUrl, chainId, account: submitter })
  const simulatorRuntime = await releaseSimulatorRuntime().catch(() => undefined)
  const executed = await executeReleaseStep(dev, { plan, step, signatures, simulatorRuntime })
  const updated = await recordReleaseExecution(context.store, { patchId, step, purpose: executed.purpose, safeTxHash: executed.safeTxHash, transactionHash: executed.transactionHash, blockNumber: executed.blockNumber })

  const evidence = {
    note: `${plan.route.name} ${executed.purpose}: ${executed.transactionHash}`,
    data: { reportHash: plan.reportHash, planHash: plan.hash, safeTxHash: executed.safeTxHash, txHash: executed.transactionHash, txHashes: updated.executions.map((e) => e.transactionHash), blockNumber: executed.blockNumber.toString() },
  }
  const to = last ? 'released' : 'scheduled'
  await transitionPatch(context, { id: patchId, to, expectedStatus: patch.status, evidence }, actor)
  const readyAt = !last && plan.route.delay > 0 ? await readyTime(client, executed.blockNumber, plan.route.delay) : undefined
  if (values.json) {
    io.stdout(json({ ok: true, patchId, step, purpose: executed.purpose, transactionHash: executed.transactionHash, blockNumber: executed.blockNumber, safeTxHash: executed.safeTxHash, status: updated.status, patchStatus: to, ...(readyAt ? { readyAt } : {}) }))
  } else {
    io.stdout(`${patchId}: ${executed.purpose} executed in ${executed.transactionHash} (block ${executed.blockNumber}); patch is ${to}`)
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
    const confirmations = await getConfirmations(client, context.store, { safeTxHash: transaction.safeTxHash, currentReportHash: lifecycleReportHash(context, actor) })
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

/** Records one lifecycle approval per owner whose confirmation is valid (digest: the safeTxHash they signed). */
async function approveFromConfirmations(context: LifecycleContext, patch: Patch, confirmations: readonly { owner: Address; signature: Hex; safeTxHash: Hex }[]): Promise<Patch> {
  let current = patch
  for (const confirmation of confirmations) {
    if (current.status !== 'awaiting_approval') break
    if (current.approvals.some((approval) => approval.signer.toLowerCase() === confirmation.owner.toLowerCase())) continue
    current = (
      await recordApproval(
        context,
        { patchId: patch.id, digest: confirmation.safeTxHash, signature: confirmation.signature, note: `Safe owner confirmation of ${confirmation.safeTxHash}` },
        { id: confirmation.owner, roles: localRoles },
      )
    ).patch
  }
  return current
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

function routeConfig(release: ProjectRelease, name: ReleaseRouteName, file: string): ReleaseRouteConfig {
  const route = release.routes[name]
  if (!route) throw new ReleasePlanInvalidError({ reason: `${path.basename(file)} configures no "${name}" route (release.routes.${name}).` })
  if (name === 'emergency') {
    const emergency = route as NonNullable<ProjectRelease['routes']['emergency']>
    return { name, safe: getAddress(emergency.safe), multiSendCallOnly: getAddress(emergency.multiSendCallOnly ?? canonicalMultiSend[1]!) }
  }
  const timelocked = route as { safe: string; timelock: string }
  return { name, safe: getAddress(timelocked.safe), timelock: getAddress(timelocked.timelock) }
}

async function releaseSimulatorRuntime(): Promise<Hex | undefined> {
  const build = await compileProject({ root: bulwarkRoot() })
  return build.artifacts.find((artifact) => artifact.contractName === 'ReleaseSimulator')?.deployedBytecode
}

async function readyTime(client: Awaited<ReturnType<typeof connectChain>>['client'], blockNumber: bigint, delay: number): Promise<string> {
  const block = await client.getBlock({ blockNumber })
  return new Date((Number(block.timestamp) + delay) * 1000).toISOString()
}

/** JSON with bigints as decimal strings. */
export function json(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) => (typeof member === 'bigint' ? member.toString() : member), 2)
}
