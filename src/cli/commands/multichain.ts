import path from 'node:path'
import type { Hex, LocalAccount } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { loadReleaseChains } from '../../config/loadReleaseChains.js'
import { openLifecycle } from '../../lifecycle/context.js'
import { getPatch } from '../../lifecycle/getPatch.js'
import { localRoles } from '../../lifecycle/lifecycleApi.js'
import type { Actor } from '../../lifecycle/types.js'
import { executeMultiChainRelease } from '../../operations/executeMultiChainRelease.js'
import { planMultiChainRelease } from '../../operations/planMultiChainRelease.js'
import { priceMultiChainRelease, type PricedWindow } from '../../operations/priceMultiChainRelease.js'
import { maxValueAtRiskUsd } from '../../risk/priceExposureWindow.js'
import { chainReleaseId, patchChainIds, type ReleaseChain } from '../../operations/releaseChains.js'
import { validateMultiChainPatch } from '../../operations/validateMultiChainPatch.js'
import { verifyMultiChainRelease } from '../../operations/verifyMultiChainRelease.js'
import { loadRelease } from '../../release/releaseRecords.js'
import { signPlannedSafeTransaction } from '../../release/safeTransactions.js'
import { loadManifest } from '../../validate/loadManifest.js'
import { stageIds, type StageId } from '../../validate/stage.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { progress, type CliIo } from '../io.js'
import { version } from '../main.js'
import { subcommand } from './advisory.js'
import { json } from './release.js'

const subcommands = { validate: 1, plan: 1, execute: 1, verify: 1, status: 1 } as const

const usage = [
  'bulwark multichain validate <patch> --chains FILE --manifest FILE [--stage NAME …] [--no-rebuild] [--json]',
  '       bulwark multichain plan <patch> --chains FILE [--auditor-key env:VAR …] [--root DIR] [--replace] [--json]',
  '       bulwark multichain execute <patch> --chains FILE --key env:VAR [--owner-key env:VAR …] [--pauser-key [CHAIN=]env:VAR …] [--json]',
  '       bulwark multichain verify <patch> --chains FILE [--json]',
  '       bulwark multichain status <patch> [--chains FILE] [--value-at-risk [CHAIN=]USD …] [--unpausable-share [CHAIN=]0..1 …] [--json]',
].join('\n')

export const multichainCommand: Command = {
  name: 'multichain',
  summary: 'Release one patch on several chains: validate per chain, plan per chain, one approval, pause the pending chains, release together, verify each.',
  usage,
  positionals: true,
  options: {
    chains: { type: 'string', valueName: 'file', description: 'The chains file: per chain its chainId, rpcUrl (or env:VAR), release section (gate, Create2Deployer, routes), optional route and pause (docs/release.md, "Multi-chain releases").' },
    manifest: { type: 'string', valueName: 'file', description: 'validate: the patch manifest, validated on every chain against that chain\'s deployed code.' },
    stage: { type: 'string', multiple: true, valueName: 'name', description: 'validate: run only these stages (repeat).' },
    'no-rebuild': { type: 'boolean', description: 'validate: skip the second compilation that proves the build reproducible.' },
    'auditor-key': { type: 'string', multiple: true, valueName: 'env:VAR', description: 'plan: sign each chain gate\'s ReleaseAttestation with the auditor key in environment variable VAR (repeat up to the gates\' threshold).' },
    root: { type: 'string', valueName: 'dir', description: 'plan: also compile this project root for the implementations.' },
    replace: { type: 'boolean', description: 'plan: replace stored plans none of whose steps has executed.' },
    key: { type: 'string', valueName: 'env:VAR', description: 'execute: the account that submits the Safe transactions on every chain (any funded key).' },
    'owner-key': { type: 'string', multiple: true, valueName: 'env:VAR', description: 'execute: a Safe owner key that signs each chain\'s planned Safe transactions (repeat up to the thresholds); without it, the confirmations owners gave with bulwark sign confirm are used.' },
    'pauser-key': { type: 'string', multiple: true, valueName: '[chain=]env:VAR', description: 'execute: the key that pauses the protocol (its guardian); CHAIN=env:VAR for one chain, env:VAR for every chain.' },
    'value-at-risk': { type: 'string', multiple: true, valueName: '[chain=]usd', description: 'status: USD an exploit would take on a chain while it is open (CHAIN=USD for one chain, USD for every chain); prices the exposure window (default 0: hours and probabilities only).' },
    'unpausable-share': { type: 'string', multiple: true, valueName: '[chain=]share', description: 'status: share 0–1 of a chain\'s value its pause does not protect (default 0).' },
    as: { type: 'string', valueName: 'name', description: 'Act as this local operator (default: $USER).' },
  },
  async run({ values, positionals }, io) {
    const { name, args } = subcommand(multichainCommand, positionals, subcommands)
    const patchId = args[0]!
    const say = progress(io, Boolean(values.quiet) || Boolean(values.json))
    // Flags first: a usage error opens no database and reads no file.
    const keys = name === 'execute' ? executeKeys(values, io) : undefined
    const exposureTerms = name === 'status' ? exposureTermsOf(values) : undefined
    const auditors = name === 'plan' ? ((values['auditor-key'] as string[] | undefined) ?? []).map((flag) => readKey(io, flag, '--auditor-key')) : []
    const stages = (values.stage as string[] | undefined) ?? undefined
    for (const stage of stages ?? []) if (!stageIds.includes(stage as StageId)) throw new UsageError({ message: `--stage "${stage}" is not a stage: ${stageIds.join(', ')}.`, usage })
    if (name === 'validate' && values.manifest === undefined) throw new UsageError({ message: 'multichain validate needs --manifest FILE.', usage })
    const chainsFile = values.chains === undefined ? undefined : path.resolve(io.cwd, values.chains as string)
    if (name !== 'status' && chainsFile === undefined) throw new UsageError({ message: `multichain ${name} needs --chains FILE.`, usage })
    const chains: ReleaseChain[] = chainsFile === undefined ? [] : await loadReleaseChains(chainsFile, io.env)

    const context = await openLifecycle({ cwd: io.cwd, env: io.env })
    const actor: Actor = { id: (values.as as string | undefined) ?? io.env.USER ?? io.env.USERNAME ?? 'local', roles: localRoles }
    const print = (value: Record<string, unknown>, text: string[]) => {
      if (values.json) io.stdout(json({ ok: true, patchId, ...value }))
      else for (const line of text) io.stdout(line)
    }
    try {
      if (name === 'validate') {
        const manifestFile = path.resolve(io.cwd, values.manifest as string)
        const manifest = await loadManifest(manifestFile)
        const result = await validateMultiChainPatch({ context, actor, patchId, manifest, manifestFile, manifestDir: path.dirname(manifestFile), chains, stages: stages as StageId[] | undefined, reproducibility: !values['no-rebuild'], env: io.env, toolVersion: version, onProgress: say })
        print({ outcome: result.outcome, patchStatus: result.patch.status, reportHash: result.report.hash, chains: result.chainReports.map(({ chainId, report }) => ({ chainId, verdict: report.document.verdict, reportHash: report.hash })), report: result.report }, [
          ...result.chainReports.map(({ chainId, report }) => `chain ${chainId}: ${report.document.verdict} (report ${report.hash})`),
          `${patchId} is ${result.patch.status}; combined report ${result.report.hash} (one PatchApproval signs it: bulwark patch approve ${patchId})`,
        ])
        return result.outcome === 'validated' ? 0 : 1
      }
      if (name === 'plan') {
        const result = await planMultiChainRelease({ context, actor, patchId, chains, chainsFile: chainsFile!, auditors, roots: values.root === undefined ? [] : [path.resolve(io.cwd, values.root as string)], replace: Boolean(values.replace), onProgress: say })
        print(
          { patchStatus: result.patch.status, chains: result.chains.map((entry) => ({ chainId: entry.chainId, releaseId: entry.releaseId, planHash: entry.plan.hash, reportHash: entry.reportHash, route: entry.plan.route, calls: entry.plan.calls.map((call) => call.description), safeTransactions: entry.plan.safeTransactions, proposals: entry.proposals })) },
          [
            ...result.chains.flatMap((entry) => [
              `chain ${entry.chainId}: plan ${entry.plan.hash} (${entry.plan.route.name}, Safe ${entry.plan.route.safe}, ${entry.plan.safeTransactions.length} Safe transaction(s)${entry.plan.route.delay > 0 ? `, delay ${entry.plan.route.delay} s` : ''})`,
              ...entry.proposals.map((proposal) => `  ${proposal.purpose.padEnd(8)} nonce ${proposal.nonce}: bulwark sign view ${proposal.safeTxHash} --rpc ${chains.find((chain) => chain.chainId === entry.chainId)!.rpcUrl}`),
            ]),
            `${patchId} is ${result.patch.status}: one PatchApproval (bulwark patch approve ${patchId}); each chain's owners sign its transactions (bulwark sign confirm), then bulwark multichain execute ${patchId}`,
          ],
        )
        return 0
      }
      if (name === 'execute') {
        const result = await executeMultiChainRelease({ context, actor, patchId, chains, chainsFile: chainsFile!, submitter: keys!.submitter, pausers: keys!.pausers(patchChainIds(await getPatch(context, patchId, actor))), sign: keys!.owners.length === 0 ? undefined : (transaction) => Promise.all(keys!.owners.map((owner) => signPlannedSafeTransaction(owner, transaction))), onProgress: say })
        print({ ...result, patchStatus: result.patch.status, patch: undefined }, [
          ...result.chains.map((chain) => `chain ${chain.chainId}: ${chain.pause ? `paused in block ${chain.pause.blockNumber}; ` : ''}${chain.schedule ? `scheduled in block ${chain.schedule.blockNumber}; ` : ''}${chain.release ? `released in ${chain.release.transactionHash} (block ${chain.release.blockNumber})` : 'not released yet'}`),
          result.phase === 'released'
            ? `${patchId} is released on every chain; window between releases ${result.windowSeconds} s (${result.windowMs} ms observed). Verify: bulwark multichain verify ${patchId} --chains FILE`
            : `${patchId} is scheduled on every chain and every chain is paused; run execute again after ${result.readyAt}`,
        ])
        return 0
      }
      if (name === 'verify') {
        const result = await verifyMultiChainRelease(context, { patchId, chains, chainsFile: chainsFile!, actor, onProgress: say })
        print({ verified: result.verification.ok, patchStatus: result.patch.status, chains: result.chains }, [
          ...result.chains.map(({ chainId, result: chainResult }) => `chain ${chainId}: ${chainResult.ok ? 'verified' : 'FAILED'} (${chainResult.checks.filter((check) => !check.ok).map((check) => check.check).join(', ') || `${chainResult.checks.length} checks`})`),
          `${patchId} is ${result.patch.status}`,
        ])
        return result.verification.ok ? 0 : 1
      }
      const patch = await getPatch(context, patchId, actor)
      const chainIds = patchChainIds(patch)
      const releases = await Promise.all(chainIds.map(async (chainId) => ({ chainId, release: await loadRelease(context.store, chainReleaseId(patchId, chainId)).catch(() => null) })))
      const exposure = await priceMultiChainRelease(context, { patchId, actor, chains: chainIds.map((chainId) => ({ ...exposureTerms!(chainId), ...(chainsFile === undefined ? {} : { pauseAvailable: chains.some((chain) => chain.chainId === chainId && chain.pause !== undefined) }) })) })
      print(
        { patchStatus: patch.status, reportHash: patch.reportHash, chains: releases.map(({ chainId, release }) => ({ chainId, status: release?.status ?? 'not planned', planHash: release?.planHash ?? null, executions: release?.executions ?? [] })), exposure },
        [
          `${patchId}: ${patch.status} (report ${patch.reportHash ?? 'none'})`,
          ...releases.map(({ chainId, release }) => `  chain ${chainId}: ${release ? `${release.status}, plan ${release.planHash}${release.executions.map((execution) => `; ${execution.purpose} ${execution.transactionHash} (block ${execution.blockNumber})`).join('')}` : 'not planned'}`),
          ...windowLines('planned', exposure.planned),
          ...windowLines(exposure.executed ? `${exposure.executed.phase === 'released' ? 'executed' : 'executing'} (fix public on chain ${exposure.executed.disclosedAt.chainId} at ${new Date(exposure.executed.disclosedAt.timestamp * 1000).toISOString()})` : 'executed', exposure.executed),
        ],
      )
      return 0
    } finally {
      await context.store.close()
    }
  },
}

type Values = Record<string, unknown>

/** `--value-at-risk` and `--unpausable-share`, each `CHAIN=N` for one chain or `N` for every chain. */
function exposureTermsOf(values: Values) {
  const read = (flag: string, max: number) => {
    const perChain = new Map<number, number>()
    let everyChain = 0
    for (const given of (values[flag] as string[] | undefined) ?? []) {
      const match = /^(?:(\d+)=)?(.+)$/.exec(given)!
      const value = Number(match[2])
      if (!Number.isFinite(value) || value < 0 || value > max || match[2]!.trim() === '') throw new UsageError({ message: `--${flag} "${given}" must be ${max === 1 ? 'a share from 0 to 1' : 'a number of USD from 0 to 1e15'}, optionally after CHAIN=.`, usage })
      if (match[1] === undefined) everyChain = value
      else perChain.set(Number(match[1]), value)
    }
    return (chainId: number) => perChain.get(chainId) ?? everyChain
  }
  const value = read('value-at-risk', maxValueAtRiskUsd)
  const share = read('unpausable-share', 1)
  return (chainId: number) => ({ chainId, valueAtRiskUsd: value(chainId), unpausableShare: share(chainId) })
}

function windowLines(label: string, window: PricedWindow | null): string[] {
  if (!window) return [`  exposure window, ${label}: none yet`]
  const { price } = window
  return [
    `  exposure window, ${label}: ${formatHours(price.windowHours)} with the fix public; P(exploit on any chain) ${formatShare(price.pAnyExploit)}, expected loss $${Math.round(price.expectedLossUsd).toLocaleString('en-US')}${price.openChainIds.length > 0 ? `; OPEN while public: chain ${price.openChainIds.join(', ')} (+$${Math.round(price.openPremiumUsd).toLocaleString('en-US')})` : ''}`,
    ...window.chains.map((entry, index) => {
      const chain = price.chains[index]!
      return `    chain ${entry.chainId} (${entry.route}${entry.delaySeconds > 0 ? `, delay ${entry.delaySeconds} s` : ''}): released ${formatHours(entry.releaseHours)} after disclosure${entry.projected ? ' (projected)' : ''}, ${chain.openHours > 0 ? `open ${formatHours(chain.openHours)}` : 'paused throughout'}; P(exploit) ${formatShare(chain.pExploit)}, expected loss $${Math.round(chain.expectedLossUsd).toLocaleString('en-US')}`
    }),
  ]
}

const formatHours = (hours: number) => (hours < 1 ? `${Math.round(hours * 3600)} s` : `${hours.toFixed(2)} h`)
const formatShare = (p: number) => `${(p * 100).toPrecision(3)} %`

function executeKeys(values: Values, io: CliIo) {
  if (values.key === undefined) throw new UsageError({ message: 'multichain execute needs --key env:VAR (the account that submits the transactions).', usage })
  const submitter = readKey(io, values.key as string, '--key')
  // Without owner keys, the owners' stored confirmations (bulwark sign confirm) sign.
  const owners = ((values['owner-key'] as string[] | undefined) ?? []).map((flag) => readKey(io, flag, '--owner-key'))
  const perChain = new Map<number, LocalAccount>()
  let everyChain: LocalAccount | undefined
  for (const flag of (values['pauser-key'] as string[] | undefined) ?? []) {
    const match = /^(\d+)=(.+)$/.exec(flag)
    if (match) perChain.set(Number(match[1]), readKey(io, match[2]!, '--pauser-key'))
    else everyChain = readKey(io, flag, '--pauser-key')
  }
  const pausers = (chainIds: readonly number[]) => Object.fromEntries(chainIds.flatMap((chainId) => {
    const key = perChain.get(chainId) ?? everyChain
    return key ? [[chainId, key]] : []
  })) as Record<number, LocalAccount>
  return { submitter, owners, pausers }
}

/** A private key from `env:VAR` (never from the command line itself). */
function readKey(io: CliIo, flag: string, name: string): LocalAccount {
  const variable = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(flag)?.[1]
  const secret = variable === undefined ? undefined : io.env[variable]
  if (variable === undefined || secret === undefined || !/^0x[0-9a-fA-F]{64}$/.test(secret)) {
    throw new UsageError({ message: `${name} must be env:VAR naming an environment variable that holds a 32-byte hex private key.`, usage })
  }
  return privateKeyToAccount(secret as Hex)
}
