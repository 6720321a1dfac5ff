/**
 * Issue 19, second bullet: one patch released on two anvil chains with different chain ids, each
 * with its own Safe 1.4.1, TimelockController and ReleaseGate (the demo protocol on each). The patch
 * is validated on both (a pipeline run per chain), approved once (one EIP-712 PatchApproval over the
 * combined report hash), released on both (pauses first, schedules back to back, releases at once;
 * the second round signed by each chain's owners with bulwark sign) and verified on both. Read from the chains: every chain was paused from before the fix went
 * public anywhere until its own release, and the releases landed within a small window.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseAbi, toHex, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createReadClient, createTestChainClient } from '../src/chain/clients.js'
import { demoReleaseConfig } from '../src/chain/demoEntries.js'
import { demoAuditorAccountIndices, deployDemoProtocol, type DemoProtocol } from '../src/chain/deployDemoProtocol.js'
import { devAccount, devRoles } from '../src/chain/devAccounts.js'
import { startAnvil, type Anvil } from '../src/chain/startAnvil.js'
import type { Artifact } from '../src/compile/artifacts.js'
import { bulwarkRoot } from '../src/compile/bulwarkRoot.js'
import { compileProject } from '../src/compile/compileProject.js'
import { main } from '../src/cli/main.js'
import { captureIo } from '../src/cli/testIo.js'
import { createAdvisory } from '../src/lifecycle/createAdvisory.js'
import { createPatch } from '../src/lifecycle/createPatch.js'
import { getPatch } from '../src/lifecycle/getPatch.js'
import { patchApprovalTypedData } from '../src/lifecycle/patchApprovalTypedData.js'
import { recordApproval } from '../src/lifecycle/recordApproval.js'
import { registerApprovalSigner } from '../src/lifecycle/registerApprovalSigner.js'
import { testActors, testSignerAccount } from '../src/lifecycle/testing.js'
import { transitionAdvisory } from '../src/lifecycle/transitionAdvisory.js'
import type { AdvisoryLatency } from '../src/lifecycle/computeLatency.js'
import { openLifecycle, type LifecycleContext } from '../src/lifecycle/context.js'
import { executeMultiChainRelease, type ExecuteMultiChainReleaseReturnType } from '../src/operations/executeMultiChainRelease.js'
import { planMultiChainRelease } from '../src/operations/planMultiChainRelease.js'
import { priceMultiChainRelease, type PriceMultiChainReleaseReturnType } from '../src/operations/priceMultiChainRelease.js'
import type { ReleaseChain } from '../src/operations/releaseChains.js'
import { validateMultiChainPatch } from '../src/operations/validateMultiChainPatch.js'
import { signPlannedSafeTransaction } from '../src/release/safeTransactions.js'
import { priceExposureWindow } from '../src/risk/priceExposureWindow.js'
import { createApiToken } from '../src/server/auth.js'
import { createServer } from '../src/server/createServer.js'
import { parseManifest } from '../src/validate/loadManifest.js'

const chainIds = [31337, 31338] as const
const anvils: Anvil[] = []
const demos: DemoProtocol[] = []
let artifacts: Artifact[]
let dir: string
let context: LifecycleContext
const actor = testActors.admin
const safeOwners = devRoles.safeOwners.map((index) => devAccount(index))
const poolAbi = parseAbi(['function paused() view returns (bool)', 'function version() view returns (string)'])

beforeAll(async () => {
  const build = await compileProject({ root: bulwarkRoot() })
  artifacts = [...build.artifacts]
  anvils.push(...(await Promise.all(chainIds.map((chainId) => startAnvil({ chainId })))))
  demos.push(...(await Promise.all(anvils.map((anvil) => deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build, minDelay: 3600 })))))
  // The lifecycle in a project folder, as the CLI opens it (the test closes it before each CLI run).
  dir = await mkdtemp(path.join(tmpdir(), 'bulwark-multichain-'))
  context = await openLifecycle({ cwd: dir, env: env() })
}, 300_000)

afterAll(async () => {
  await context?.store.close().catch(() => undefined)
  await Promise.all(anvils.map((anvil) => anvil.stop()))
  if (dir) await rm(dir, { recursive: true, force: true })
})

const key = (index: number) => toHex(devAccount(index).getHdKey().privateKey!)
const env = (): NodeJS.ProcessEnv => ({ USER: 'alice', SUBMITTER: key(devRoles.deployer), OWNER_1: key(devRoles.safeOwners[0]), OWNER_2: key(devRoles.safeOwners[1]), GUARDIAN: key(devRoles.guardian) })

async function bulwark(...argv: string[]) {
  await context.store.close()
  const captured = captureIo(dir, env())
  try {
    return { exitCode: await main(argv, captured.io), ...captured }
  } finally {
    context = await openLifecycle({ cwd: dir, env: env() })
  }
}

function chains(options: { pause?: boolean } = {}): ReleaseChain[] {
  return anvils.map((anvil, index) => ({
    chainId: anvil.chainId,
    rpcUrl: anvil.rpcUrl,
    release: { ...demoReleaseConfig(demos[index]!), routes: { ...demoReleaseConfig(demos[index]!).routes } },
    ...(options.pause === false && index === 1 ? {} : { pause: { target: demos[index]!.lendingPool.proxy } }),
  }))
}

const manifest = () =>
  parseManifest(
    JSON.stringify({
      version: 1,
      advisory: { id: 'ADV-MULTI', title: 'LendingPool reentrancy on every chain', severity: 'critical' },
      targets: [{ name: 'LendingPool', proxy: demos[0]!.lendingPool.proxy, kind: 'uups', implementation: { sources: ['contracts/examples/LendingPool.sol', 'contracts/examples/LendingPoolV2.sol'], contract: 'LendingPoolV2' } }],
    }),
    'multi-chain-v2.json',
  )

async function expectCode(promise: Promise<unknown>, code: string) {
  await expect(promise).rejects.toMatchObject({ code })
}

const safeNonce = (index: number) => createReadClient({ rpcUrl: anvils[index]!.rpcUrl }).readContract({ address: demos[index]!.safe, abi: parseAbi(['function nonce() view returns (uint256)']), functionName: 'nonce' })
const paused = (index: number, blockNumber?: bigint) =>
  createReadClient({ rpcUrl: anvils[index]!.rpcUrl }).readContract({ address: demos[index]!.lendingPool.proxy, abi: poolAbi, functionName: 'paused', ...(blockNumber === undefined ? {} : { blockNumber }) })

describe('one patch released on two chains', () => {
  test('validated on both, approved once, released on both with every pending chain paused, verified on both', async () => {
    // The demo deploys deterministically: the pool has the same address on both chains, each its own contract.
    expect(demos[1]!.lendingPool.proxy).toBe(demos[0]!.lendingPool.proxy)
    const { advisory } = await createAdvisory(context, { title: 'LendingPool reentrancy', severity: 'critical', reporter: 'test', affectedContracts: chainIds.map((chainId, index) => ({ address: demos[index]!.lendingPool.proxy, chain: String(chainId) })) }, actor)
    await transitionAdvisory(context, { id: advisory.id, to: 'triaged' }, actor)
    const { patch } = await createPatch(
      context,
      {
        advisoryId: advisory.id,
        title: 'LendingPool V2 on both chains',
        route: 'standard',
        targets: chainIds.map((chainId, index) => ({ proxy: demos[index]!.lendingPool.proxy, newImplementation: demos[index]!.lendingPool.implementation, chain: String(chainId) })),
        requiredApprovals: 1,
      },
      actor,
    )

    // A chain missing from the validation, and an RPC that serves another chain, are refused before the patch moves.
    await expectCode(validateMultiChainPatch({ context, actor, patchId: patch.id, manifest: manifest(), manifestFile: 'multi-chain-v2.json', manifestDir: bulwarkRoot(), chains: chains().slice(0, 1), toolVersion: 'test' }), 'BW_MULTICHAIN_CHAIN_MISSING')
    await expectCode(
      validateMultiChainPatch({ context, actor, patchId: patch.id, manifest: manifest(), manifestFile: 'multi-chain-v2.json', manifestDir: bulwarkRoot(), chains: [{ chainId: 31337, rpcUrl: anvils[1]!.rpcUrl }, { chainId: 31338, rpcUrl: anvils[0]!.rpcUrl }], toolVersion: 'test' }),
      'BW_MULTICHAIN_CHAIN_MISMATCH',
    )
    expect((await getPatch(context, patch.id, actor)).status).toBe('proposed')

    // Validated on both: one run per chain against that chain's deployed code.
    const validated = await validateMultiChainPatch({ context, actor, patchId: patch.id, manifest: manifest(), manifestFile: 'multi-chain-v2.json', manifestDir: bulwarkRoot(), chains: chains(), stages: ['build', 'upgrade-safety', 'diff-review'], reproducibility: false, toolVersion: 'test' })
    expect(validated.outcome).toBe('validated')
    expect(validated.chainReports.map((entry) => [entry.chainId, entry.report.document.chain.chainId, entry.report.document.verdict])).toEqual([
      [31337, 31337, 'pass'],
      [31338, 31338, 'pass'],
    ])
    expect(validated.report.chains.map((entry) => entry.reportHash)).toEqual(validated.chainReports.map((entry) => entry.report.hash))
    expect(validated.report.targets.map((target) => target.chainId)).toEqual([31337, 31338])
    expect(validated.patch).toMatchObject({ status: 'validated', reportHash: validated.report.hash, chainId: 31337 })

    const planned = await planMultiChainRelease({ context, actor, patchId: patch.id, chains: chains(), chainsFile: 'chains.json', artifacts, auditors: demoAuditorAccountIndices.slice(0, demos[0]!.auditorThreshold).map((index) => devAccount(index)) })
    expect(planned.patch.status).toBe('awaiting_approval')
    expect(planned.chains.map((entry) => [entry.releaseId, entry.plan.chain.chainId, entry.plan.route.name])).toEqual([
      [`${patch.id}@31337`, 31337, 'standard'],
      [`${patch.id}@31338`, 31338, 'standard'],
    ])
    // Each batch ends with its chain's unpause: the chain reopens in the transaction that fixes it.
    for (const entry of planned.chains) expect(entry.plan.calls.at(-1)!.description).toContain('unpause()')
    // Each chain's Safe transactions are proposed for its owners, under the chain's release id.
    expect(planned.chains.map((entry) => entry.proposals.map((proposal) => [proposal.purpose, proposal.safeTxHash]))).toEqual(planned.chains.map((entry) => entry.plan.safeTransactions.map((t) => [t.purpose, t.safeTxHash])))

    // Approved once: one PatchApproval over the combined report hash covers both chains' code.
    const signer = testSignerAccount('multi-chain approver')
    await registerApprovalSigner(context, { address: signer.address, label: 'approver' }, actor)
    const current = await getPatch(context, patch.id, actor)
    const signature = await signer.signTypedData(patchApprovalTypedData({ patchId: patch.id, reportHash: current.reportHash!, chainId: current.chainId! }))
    expect((await recordApproval(context, { patchId: patch.id, signature }, testActors.signer1)).patch.status).toBe('approved')

    // The window priced from the plans: the first public schedule discloses the fix, and both chains
    // release once the 1 h delay has passed, so each runs the flawed code for 1 h with the fix public.
    const terms = (pauseAvailable: [boolean, boolean]) => chainIds.map((chainId, index) => ({ chainId, valueAtRiskUsd: 1_000_000, unpausableShare: 0.1, pauseAvailable: pauseAvailable[index]! }))
    const plannedPaused = await priceMultiChainRelease(context, { patchId: patch.id, actor, chains: terms([true, true]) })
    expect(plannedPaused).toMatchObject({ severity: 'critical', executed: null, unplanned: [] })
    expect(plannedPaused.planned!.chains.map((entry) => [entry.chainId, entry.route, entry.delaySeconds, entry.releaseHours, entry.pausedFromHours])).toEqual([
      [31337, 'standard', 3600, 1, 0],
      [31338, 'standard', 3600, 1, 0],
    ])
    expect(plannedPaused.planned!.price.openChainIds).toEqual([])
    expect(plannedPaused.planned!.price.chains.every((chain) => chain.openHours === 0 && chain.pausedHours === 1)).toBe(true)
    // Chain 31338 left open while the schedule on 31337 is public: the price rises by that chain's open premium.
    const plannedOpen = await priceMultiChainRelease(context, { patchId: patch.id, actor, chains: terms([true, false]) })
    expect(plannedOpen.planned!.price.openChainIds).toEqual([31338])
    expect(plannedOpen.planned!.price.expectedLossUsd).toBeGreaterThan(plannedPaused.planned!.price.expectedLossUsd * 5)
    expect(plannedOpen.planned!.price.chains[0]!.expectedLossUsd).toBe(plannedPaused.planned!.price.chains[0]!.expectedLossUsd)
    expect(plannedOpen.planned!.price.openPremiumUsd).toBeGreaterThan(0)
    await expectCode(priceMultiChainRelease(context, { patchId: patch.id, actor, chains: terms([true, true]).slice(1) }), 'BW_MULTICHAIN_CHAIN_MISSING')
    await expectCode(priceMultiChainRelease(context, { patchId: patch.id, actor, chains: terms([true, true]).map((term) => ({ ...term, unpausableShare: 2 })) }), 'BW_RISK_INPUT_INVALID')

    const sign = (transaction: Parameters<typeof signPlannedSafeTransaction>[1]) => Promise.all(safeOwners.slice(0, 2).map((owner) => signPlannedSafeTransaction(owner, transaction)))
    const pausers = { 31337: devAccount(devRoles.guardian), 31338: devAccount(devRoles.guardian) }
    const submitter = devAccount(devRoles.deployer)

    // The schedule is public for the timelock delay: a chain without a pause is refused before anything is sent.
    const noncesBefore = await Promise.all([safeNonce(0), safeNonce(1)])
    await expectCode(executeMultiChainRelease({ context, actor, patchId: patch.id, chains: chains({ pause: false }), chainsFile: 'chains.json', submitter, pausers, sign }), 'BW_MULTICHAIN_NOT_PAUSED')
    expect(await Promise.all([safeNonce(0), safeNonce(1)])).toEqual(noncesBefore)
    expect(await Promise.all([paused(0), paused(1)])).toEqual([false, false])

    // Round 1: both chains paused, then both scheduled; the delay has not passed, so nothing is released.
    const first = await executeMultiChainRelease({ context, actor, patchId: patch.id, chains: chains(), chainsFile: 'chains.json', submitter, pausers, sign })
    expect(first.phase).toBe('scheduled')
    expect(first.patch.status).toBe('scheduled')
    expect(first.chains.every((chain) => chain.pause !== null && chain.schedule !== null && chain.release === null)).toBe(true)
    const lastPause = Math.max(...first.chains.map((chain) => Date.parse(chain.pause!.observedAt)))
    const firstSchedule = Math.min(...first.chains.map((chain) => Date.parse(chain.schedule!.observedAt)))
    expect(lastPause).toBeLessThanOrEqual(firstSchedule)
    expect(await Promise.all([paused(0), paused(1)])).toEqual([true, true])

    // While scheduled: the fix is public since the first schedule, both chains paused before it; releases projected at the delay's end.
    const scheduled = (await priceMultiChainRelease(context, { patchId: patch.id, actor, chains: terms([true, true]) })).executed!
    expect(scheduled).toMatchObject({ phase: 'scheduled', disclosedAt: { chainId: 31337, timestamp: first.chains[0]!.schedule!.timestamp } })
    for (const entry of scheduled.chains) {
      expect(entry.projected).toBe(true)
      expect(entry.pausedFromHours!).toBeLessThanOrEqual(0)
      expect(entry.releaseHours).toBeGreaterThanOrEqual(1)
    }
    expect(scheduled.price.openChainIds).toEqual([])

    for (const anvil of anvils) {
      const chain = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
      await chain.increaseTime({ seconds: 3601 })
      await chain.mine({ blocks: 1 })
    }

    // Round 2, through the CLI: released on both at once.
    await writeFile(path.join(dir, 'chains.json'), JSON.stringify({ chains: chains() }))
    await writeFile(path.join(dir, 'one-chain.json'), JSON.stringify({ chains: chains().slice(0, 1) }))
    const missing = await bulwark('multichain', 'execute', patch.id, '--chains', 'one-chain.json', '--key', 'env:SUBMITTER', '--owner-key', 'env:OWNER_1', '--json')
    expect(missing.exitCode).toBe(2)
    expect(missing.json().error).toMatchObject({ code: 'BW_MULTICHAIN_CHAIN_MISSING' })
    // Each chain's owners sign its release transaction as on one chain, with bulwark sign (bound to that chain's report).
    for (const [index, entry] of planned.chains.entries()) {
      const execute = entry.plan.safeTransactions[1]!
      const view = await bulwark('sign', 'view', execute.safeTxHash, '--rpc', anvils[index]!.rpcUrl, '--json')
      expect(view.json<{ view: { reportHashCurrent: boolean } }>().view.reportHashCurrent).toBe(true)
      for (const owner of index === 1 ? ['env:OWNER_1'] : ['env:OWNER_1', 'env:OWNER_2']) {
        const confirmed = await bulwark('sign', 'confirm', execute.safeTxHash, '--rpc', anvils[index]!.rpcUrl, '--key', owner, '--json')
        expect(confirmed.exitCode).toBe(0)
      }
    }
    // Chain 31338's second owner confirms through the API (Safe Transaction Service shape): the
    // proposal, filed under PATCH-n@31338, is bound to that chain's report inside the combined one.
    process.env.BULWARK_RPC_URL_31338 = anvils[1]!.rpcUrl
    const safeApi = await createServer({ context, options: { logLevel: 'silent' } })
    try {
      const { token } = await createApiToken(context, { roles: ['signer'], label: 'multichain-owner' }, actor)
      const headers = { authorization: `Bearer ${token}` }
      const execute = planned.chains[1]!.plan.safeTransactions[1]!
      const view = await safeApi.inject({ method: 'GET', url: `/multisig-transactions/${execute.safeTxHash}/signer-view`, headers })
      expect(view.statusCode).toBe(200)
      expect(view.json()).toMatchObject({ patchId: `${patch.id}@31338`, chainId: 31338, reportHash: planned.chains[1]!.reportHash, currentReportHash: planned.chains[1]!.reportHash, reportHashCurrent: true })
      const { signature: wrongChain } = await signPlannedSafeTransaction(safeOwners[1]!, planned.chains[0]!.plan.safeTransactions[1]!)
      const refused = await safeApi.inject({ method: 'POST', url: `/multisig-transactions/${execute.safeTxHash}/confirmations`, headers, payload: { signature: wrongChain } })
      expect(refused.statusCode).toBeGreaterThanOrEqual(400)
      expect(refused.statusCode).toBeLessThan(500)
      const { signature } = await signPlannedSafeTransaction(safeOwners[1]!, execute)
      const confirmed = await safeApi.inject({ method: 'POST', url: `/multisig-transactions/${execute.safeTxHash}/confirmations`, headers, payload: { signature } })
      expect(confirmed.statusCode).toBe(201)
      expect(confirmed.json()).toMatchObject({ owner: safeOwners[1]!.address, confirmations: 2 })
    } finally {
      await safeApi.close()
      delete process.env.BULWARK_RPC_URL_31338
    }
    const executed = await bulwark('multichain', 'execute', patch.id, '--chains', 'chains.json', '--key', 'env:SUBMITTER', '--pauser-key', 'env:GUARDIAN', '--json')
    expect(executed.exitCode).toBe(0)
    const second = executed.json<Omit<ExecuteMultiChainReleaseReturnType, 'patch'> & { patchStatus: string }>()
    expect(second.phase).toBe('released')
    expect(second.patchStatus).toBe('released')
    // The window between the two releases: both sent in one round, far inside the timelock delay.
    expect(second.windowSeconds).not.toBeNull()
    expect(second.windowSeconds!).toBeLessThan(60)
    expect(second.windowMs!).toBeLessThan(30_000)

    // The timeline covers both rounds: the fix went public with the first schedule, when every chain was paused already.
    expect(second.chains.map((chain) => [chain.pause?.transactionHash, chain.schedule?.transactionHash])).toEqual(first.chains.map((chain) => [chain.pause?.transactionHash, chain.schedule?.transactionHash]))
    expect(second.disclosedAt).toEqual({ chainId: 31337, timestamp: first.chains[0]!.schedule!.timestamp })

    // From the chains: each was paused in every block from its pause (before the first schedule
    // anywhere) up to its release, which unpaused it; the pool now runs V2.
    for (const [index, chain] of second.chains.entries()) {
      expect(chain.pausedUntilRelease).toBe(true)
      expect(chain.unpausedByRelease).toBe(true)
      const pauseBlock = BigInt(chain.pause!.blockNumber)
      const releaseBlock = BigInt(chain.release!.blockNumber)
      expect(BigInt(chain.schedule!.blockNumber)).toBeGreaterThan(pauseBlock)
      for (let block = pauseBlock; block < releaseBlock; block += 1n) expect(await paused(index, block)).toBe(true)
      expect(await paused(index, releaseBlock)).toBe(false)
      const version = await createReadClient({ rpcUrl: anvils[index]!.rpcUrl }).readContract({ address: demos[index]!.lendingPool.proxy as Address, abi: poolAbi, functionName: 'version' })
      expect(version).toBe('2')
    }

    // A second run is refused: every chain has released.
    await expectCode(executeMultiChainRelease({ context, actor, patchId: patch.id, chains: chains(), chainsFile: 'chains.json', submitter, pausers, sign }), 'BW_TRANSITION_ILLEGAL')

    const verified = await bulwark('multichain', 'verify', patch.id, '--chains', 'chains.json', '--json')
    expect(verified.exitCode).toBe(0)
    expect(verified.json<{ chains: { chainId: number; result: { ok: boolean } }[] }>().chains.map((entry) => [entry.chainId, entry.result.ok])).toEqual([
      [31337, true],
      [31338, true],
    ])
    expect(verified.json()).toMatchObject({ verified: true, patchStatus: 'verified' })
    const status = await bulwark('multichain', 'status', patch.id, '--json')
    expect(status.json<{ chains: { chainId: number; status: string }[] }>().chains.map((entry) => [entry.chainId, entry.status])).toEqual([
      [31337, 'verified'],
      [31338, 'verified'],
    ])

    // The executed window, from the block timestamps: disclosure at the first schedule, each chain's
    // release after the 1 h delay, paused the whole time; shown by bulwark multichain status and the API.
    const priced = await bulwark('multichain', 'status', patch.id, '--chains', 'chains.json', '--value-at-risk', '1000000', '--unpausable-share', '0.1', '--value-at-risk', '31338=250000', '--json')
    expect(priced.exitCode).toBe(0)
    const exposure = priced.json<{ exposure: PriceMultiChainReleaseReturnType }>().exposure
    const executedWindow = exposure.executed!
    expect(executedWindow).toMatchObject({ phase: 'released', disclosedAt: second.disclosedAt! })
    const disclosedAt = second.disclosedAt!.timestamp
    expect(executedWindow.chains.map((entry) => [entry.chainId, entry.projected, entry.releaseHours])).toEqual(second.chains.map((chain) => [chain.chainId, false, (chain.release!.timestamp - disclosedAt) / 3600]))
    for (const entry of executedWindow.chains) {
      expect(entry.releaseHours).toBeGreaterThanOrEqual(1)
      expect(entry.pausedFromHours!).toBeLessThanOrEqual(0)
    }
    expect(executedWindow.price.openChainIds).toEqual([])
    expect(executedWindow.price).toEqual(
      priceExposureWindow({ severity: 'critical', chains: executedWindow.chains.map((entry, index) => ({ chainId: entry.chainId, releaseHours: entry.releaseHours, pausedFromHours: entry.pausedFromHours, valueAtRiskUsd: [1_000_000, 250_000][index]!, unpausableShare: 0.1 })) }),
    )
    expect(exposure.planned!.chains.map((entry) => entry.releaseHours)).toEqual([1, 1])
    const text = (await bulwark('multichain', 'status', patch.id, '--chains', 'chains.json', '--value-at-risk', '1000000', '--unpausable-share', '0.1')).stdout()
    expect(text).toMatch(/exposure window, planned: 1\.00 h with the fix public; P\(exploit on any chain\) [0-9.]+ %, expected loss \$[0-9,]+\n/)
    expect(text).toMatch(/exposure window, executed \(fix public on chain 31337 at .*\): 1\.\d\d h with the fix public/)
    expect(text).toMatch(/chain 31338 \(standard, delay 3600 s\): released 1\.\d\d h after disclosure, paused throughout; P\(exploit\) /)
    expect(text).not.toContain('OPEN while public')

    // bulwark latency shows each chain's window from the same timelines.
    const latency = await bulwark('latency', advisory.id, '--json')
    expect(latency.exitCode).toBe(0)
    const firstRelease = Math.min(...second.chains.map((chain) => chain.release!.timestamp))
    expect(latency.json<{ latency: AdvisoryLatency }>().latency.chains).toEqual(
      second.chains.map((chain) => ({
        chainId: chain.chainId,
        pausedAt: chain.pause!.timestamp,
        scheduledAt: chain.schedule!.timestamp,
        releasedAt: chain.release!.timestamp,
        exposedAfterDisclosureSeconds: chain.release!.timestamp - disclosedAt,
        afterFirstReleaseSeconds: chain.release!.timestamp - firstRelease,
        pausedUntilRelease: true,
      })),
    )
    const latencyText = (await bulwark('latency', advisory.id)).stdout()
    expect(latencyText).toContain('per chain (block timestamps; each chain has its own clock)')
    expect(latencyText).toMatch(/chain 31338: paused \S+Z, scheduled \S+Z, released \S+Z; exposed after disclosure 1h[^;]*\(paused\); after the first release /)

    const app = await createServer({ context, options: { logLevel: 'silent' } })
    try {
      const { token } = await createApiToken(context, { roles: ['viewer'], label: 'multichain-viewer' }, actor)
      const response = await app.inject({ method: 'POST', url: `/patches/${patch.id}/exposure-window`, headers: { authorization: `Bearer ${token}` }, payload: { chains: chainIds.map((chainId, index) => ({ chainId, valueAtRiskUsd: [1_000_000, 250_000][index], unpausableShare: 0.1 })) } })
      expect(response.statusCode).toBe(200)
      expect(response.json<PriceMultiChainReleaseReturnType>().executed).toEqual(executedWindow)
      const missing = await app.inject({ method: 'POST', url: `/patches/${patch.id}/exposure-window`, headers: { authorization: `Bearer ${token}` }, payload: { chains: [{ chainId: 31337, valueAtRiskUsd: 1, unpausableShare: 0 }] } })
      expect(missing.statusCode).toBe(422)
      expect(missing.json()).toMatchObject({ error: { code: 'BW_MULTICHAIN_CHAIN_MISSING' } })
    } finally {
      await app.close()
    }
  }, 600_000)
})
