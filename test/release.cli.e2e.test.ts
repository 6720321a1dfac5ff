/**
 * Issue 6 through the CLI, on anvil with the demo devnet: `bulwark init` writes the release routes,
 * a validated patch gets an emergency `release plan` (its Safe transaction proposed for signing),
 * three of the four security-council owners `sign confirm` with their real keys, `release execute`
 * packs the stored confirmations and releases, `verify` checks the chain and moves the patch to
 * verified — every lifecycle move stamped with its evidence. A second execute is refused, and a
 * third party with only the public report and an RPC URL verifies the release too.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { keccak256, toHex, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { demoAuditorAccountIndices, demoSecurityCouncilAccountIndices, deployDemoProtocol, type DemoProtocol } from '../src/chain/deployDemoProtocol.js'
import { devAccount, devRoles } from '../src/chain/devAccounts.js'
import { startAnvil, type Anvil } from '../src/chain/startAnvil.js'
import type { Artifact } from '../src/compile/artifacts.js'
import { bulwarkRoot } from '../src/compile/bulwarkRoot.js'
import { compileProject } from '../src/compile/compileProject.js'
import { getArtifact } from '../src/compile/getArtifact.js'
import { main } from '../src/cli/main.js'
import { captureIo } from '../src/cli/testIo.js'
import { devnetStateFile, type DevnetState } from '../src/cli/commands/devnet.js'
import { openLifecycle } from '../src/lifecycle/context.js'
import { createAdvisory } from '../src/lifecycle/createAdvisory.js'
import { createPatch } from '../src/lifecycle/createPatch.js'
import { getAdvisoryLatency } from '../src/lifecycle/getAdvisoryLatency.js'
import { getPatch } from '../src/lifecycle/getPatch.js'
import { listTransitions } from '../src/lifecycle/listTransitions.js'
import { recordValidationRun } from '../src/lifecycle/recordValidationRun.js'
import { transitionAdvisory } from '../src/lifecycle/transitionAdvisory.js'
import { transitionPatch } from '../src/lifecycle/transitionPatch.js'
import type { Actor } from '../src/lifecycle/types.js'
import { canonicalHash } from '../src/release/canonicalHash.js'

let anvil: Anvil
let demo: DemoProtocol
let v2: Artifact
let dir: string
let patchId: string
let advisoryId: string
const actor: Actor = { id: 'responder', roles: ['admin', 'signer'] }
const key = (index: number): Hex => toHex(devAccount(index).getHdKey().privateKey!)
const env = (): NodeJS.ProcessEnv => ({
  USER: 'responder',
  SUBMITTER: key(devRoles.deployer),
  AUDITOR_A: key(demoAuditorAccountIndices[0]),
  AUDITOR_B: key(demoAuditorAccountIndices[1]),
  ...Object.fromEntries(demoSecurityCouncilAccountIndices.map((index, n) => [`COUNCIL_${n + 1}`, key(index)])),
  GOVERNANCE_1: key(devRoles.safeOwners[0]!),
})

async function bulwark(cwd: string, ...argv: string[]) {
  const captured = captureIo(cwd, env())
  const exitCode = await main(argv, captured.io)
  return { exitCode, ...captured }
}

/** The public report file `bulwark validate --report` writes for V2 on the pool: `{ hash, ...document }`. */
function v2ReportFile(): Record<string, unknown> & { hash: Hex } {
  const document = {
    reportVersion: 1,
    tool: { name: 'bulwark', version: '0.1.0' },
    advisory: { id: 'ADV-CLI', title: 'LendingPool reentrancy' },
    verdict: 'pass',
    chain: { chainId: anvil.chainId, blockNumber: String(demo.blockNumber) },
    targets: [
      {
        name: 'LendingPool',
        proxy: demo.lendingPool.proxy,
        implementation: { contract: 'contracts/examples/LendingPoolV2.sol:LendingPoolV2', runtimeCodeHash: keccak256(v2.deployedBytecode) },
        initializerCalldata: '0x',
      },
    ],
  }
  return { hash: canonicalHash(document), ...document }
}

beforeAll(async () => {
  anvil = await startAnvil()
  const build = await compileProject({ root: bulwarkRoot() })
  v2 = getArtifact(build, 'contracts/examples/LendingPoolV2.sol:LendingPoolV2')
  demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
  dir = await mkdtemp(path.join(tmpdir(), 'bulwark-release-cli-'))
  // What `bulwark devnet` leaves behind, so that `bulwark init` writes this chain's routes.
  const state: DevnetState = { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, pid: process.pid, startedAt: new Date().toISOString(), protocol: demo }
  await mkdir(path.join(dir, '.bulwark'), { recursive: true })
  await writeFile(path.join(dir, devnetStateFile), JSON.stringify(state))

  // A validated patch, as `bulwark validate --patch` leaves it: its validation run stored, the report hash in the patch's own column.
  const report = v2ReportFile()
  await writeFile(path.join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`)
  const context = await openLifecycle({ cwd: dir, env: env() })
  try {
    const { advisory } = await createAdvisory(context, { title: 'LendingPool reentrancy', severity: 'critical', reporter: 'whitehat', affectedContracts: [{ address: demo.lendingPool.proxy }] }, actor)
    advisoryId = advisory.id
    await transitionAdvisory(context, { id: advisory.id, to: 'triaged' }, actor)
    const { patch } = await createPatch(context, { advisoryId: advisory.id, title: 'LendingPool V2', route: 'emergency', targets: [{ proxy: demo.lendingPool.proxy, newImplementation: demo.lendingPool.implementation }] }, actor)
    patchId = patch.id
    await transitionPatch(context, { id: patchId, to: 'validating' }, actor)
    await recordValidationRun(context, { patchId, report: report as never }, actor)
  } finally {
    await context.store.close()
  }
}, 180_000)

afterAll(async () => {
  await anvil?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('bulwark release / sign / verify on the demo devnet', () => {
  test('init writes the release routes from the devnet', async () => {
    const init = await bulwark(dir, 'init', '--json')
    expect(init.exitCode).toBe(0)
    const project = JSON.parse(await readFile(path.join(dir, 'bulwark.json'), 'utf8')) as { release: unknown }
    expect(project.release).toEqual({
      chain: 'devnet',
      releaseGate: demo.releaseGate,
      create2Deployer: demo.create2Deployer,
      routes: {
        standard: { safe: demo.safe, timelock: demo.timelock },
        emergency: { safe: demo.securityCouncil.safe, multiSendCallOnly: demo.safeInfrastructure.multiSendCallOnly },
        private: { safe: demo.safe, timelock: demo.privateTimelock },
      },
    })
  }, 30_000)

  test('validated → plan → 3 council confirmations → execute → verify, and a second execute is refused', async () => {
    // Without a stored plan there is nothing to execute.
    const early = await bulwark(dir, 'release', 'execute', patchId, '--key', 'env:SUBMITTER', '--json')
    expect(early.exitCode).toBe(11)
    expect(early.json().error.code).toBe('BW_RELEASE_NOT_FOUND')

    const planned = await bulwark(dir, 'release', 'plan', patchId, '--report', 'report.json', '--route', 'emergency', '--auditor-key', 'env:AUDITOR_A', '--auditor-key', 'env:AUDITOR_B', '--json')
    expect(planned.stderr()).toBe('')
    expect(planned.exitCode).toBe(0)
    const plan = planned.json<{ planHash: Hex; plan: { route: { name: string; safe: string; threshold: number }; reportHash: Hex }; proposals: { purpose: string; safeTxHash: Hex }[] }>()
    expect(plan.plan.route).toMatchObject({ name: 'emergency', safe: demo.securityCouncil.safe, threshold: 3 })
    expect(plan.plan.reportHash).toBe(v2ReportFile().hash)
    expect(plan.proposals.map((p) => p.purpose)).toEqual(['release'])
    const safeTxHash = plan.proposals[0]!.safeTxHash

    // Planning again without --replace is refused; the stored plan stays.
    const again = await bulwark(dir, 'release', 'plan', patchId, '--report', 'report.json', '--route', 'emergency', '--json')
    expect(again.json().error.code).toBe('BW_RELEASE_PLAN_INVALID')

    // A governance-Safe owner is no council owner.
    const outsider = await bulwark(dir, 'sign', 'confirm', safeTxHash, '--rpc', anvil.rpcUrl, '--key', 'env:GOVERNANCE_1', '--json')
    expect(outsider.json().error.code).toBe('BW_SIGNATURE_INVALID')
    for (const owner of ['COUNCIL_1', 'COUNCIL_2']) {
      const confirmed = await bulwark(dir, 'sign', 'confirm', safeTxHash, '--rpc', anvil.rpcUrl, '--key', `env:${owner}`, '--json')
      expect(confirmed.exitCode).toBe(0)
    }
    // Two of three: nothing is sent.
    const below = await bulwark(dir, 'release', 'execute', patchId, '--key', 'env:SUBMITTER', '--json')
    expect(below.json().error.code).toBe('BW_THRESHOLD_NOT_MET')
    const third = await bulwark(dir, 'sign', 'confirm', safeTxHash, '--rpc', anvil.rpcUrl, '--key', 'env:COUNCIL_3', '--json')
    expect(third.json()).toMatchObject({ ok: true, confirmations: 3, threshold: 3 })

    const executed = await bulwark(dir, 'release', 'execute', patchId, '--key', 'env:SUBMITTER', '--json')
    expect(executed.exitCode).toBe(0)
    const execution = executed.json<{ transactionHash: Hex; purpose: string; status: string; patchStatus: string }>()
    expect(execution).toMatchObject({ purpose: 'release', status: 'released', patchStatus: 'released' })

    const status = await bulwark(dir, 'release', 'status', patchId)
    expect(status.exitCode).toBe(0)
    expect(status.stdout()).toContain(`executed in ${execution.transactionHash}`)

    const verified = await bulwark(dir, 'verify', patchId, '--json')
    expect(verified.exitCode).toBe(0)
    expect(verified.json()).toMatchObject({ ok: true, patchStatus: 'verified', gate: demo.releaseGate, targets: [{ name: 'LendingPool', match: 'exact' }] })

    // A release never executes twice.
    const twice = await bulwark(dir, 'release', 'execute', patchId, '--key', 'env:SUBMITTER', '--json')
    expect(twice.exitCode).toBe(11)
    expect(twice.json().error.code).toBe('BW_RELEASE_ALREADY_EXECUTED')

    // The lifecycle moved with evidence (tx hashes, report hash) and latency stamps.
    const context = await openLifecycle({ cwd: dir, env: env() })
    try {
      const patch = await getPatch(context, patchId, actor)
      expect(patch.status).toBe('verified')
      expect(patch.approvals.map((a) => a.signer.toLowerCase()).sort()).toContain(demo.securityCouncil.owners[0]!.toLowerCase())
      const transitions = (await listTransitions(context, { advisoryId }, actor)).filter((t) => t.machine === 'patch').map((t) => [t.to, t.evidence.data ?? {}] as const)
      expect(transitions.map(([to]) => to).slice(-5)).toEqual(['validated', 'awaiting_approval', 'approved', 'released', 'verified'])
      const released = transitions.find(([to]) => to === 'released')![1]
      expect(released).toMatchObject({ reportHash: v2ReportFile().hash, txHash: execution.transactionHash, txHashes: [execution.transactionHash] })
      expect(transitions.find(([to]) => to === 'verified')![1]).toMatchObject({ reportHash: v2ReportFile().hash, txHashes: [execution.transactionHash] })
      const latency = await getAdvisoryLatency(context, advisoryId, actor)
      expect(latency.status).toBe('verified')
      expect(latency.stages).toHaveProperty('approval')
      expect(latency.stages).toHaveProperty('release')
      expect(latency.stages).toHaveProperty('verification')
    } finally {
      await context.store.close()
    }
  }, 120_000)

  test('a third party verifies with only the public report and an RPC URL', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'bulwark-third-party-'))
    try {
      await writeFile(path.join(outside, 'report.json'), await readFile(path.join(dir, 'report.json')))
      const verified = await bulwark(outside, 'verify', '--report', 'report.json', '--rpc', anvil.rpcUrl, '--json')
      expect(verified.exitCode).toBe(0)
      expect(verified.json()).toMatchObject({ ok: true, reportHash: v2ReportFile().hash, gate: demo.releaseGate })
      // A report edited after hashing is refused before any chain read.
      const edited = { ...v2ReportFile(), verdict: 'fail' }
      await writeFile(path.join(outside, 'edited.json'), JSON.stringify(edited))
      const refused = await bulwark(outside, 'verify', '--report', 'edited.json', '--rpc', anvil.rpcUrl, '--json')
      expect(refused.exitCode).toBe(2)
      expect(refused.json().error.code).toBe('BW_VERIFY_INPUT_INVALID')
    } finally {
      await rm(outside, { recursive: true, force: true })
    }
  }, 180_000)
})
