/**
 * One patch released on two local anvil chains (the demo protocol on each, Safe → timelock, delay
 * 3600 s) by `executeMultiChainRelease`: the window between the two releases (block time and this
 * process's clock), the time pauses + schedules take, and the time the release round takes once
 * the delay has passed. The alternative — releasing chain by chain — leaves the second chain open for
 * at least its whole timelock delay once the first chain's schedule is public.
 * Run: npx tsx bench/multiChain.bench.ts
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createTestChainClient } from '../src/chain/clients.js'
import { demoReleaseConfig } from '../src/chain/demoEntries.js'
import { demoAuditorAccountIndices, deployDemoProtocol } from '../src/chain/deployDemoProtocol.js'
import { devAccount, devRoles } from '../src/chain/devAccounts.js'
import { startAnvil } from '../src/chain/startAnvil.js'
import { bulwarkRoot } from '../src/compile/bulwarkRoot.js'
import { compileProject } from '../src/compile/compileProject.js'
import { openLifecycle } from '../src/lifecycle/context.js'
import { createAdvisory } from '../src/lifecycle/createAdvisory.js'
import { createPatch } from '../src/lifecycle/createPatch.js'
import { patchApprovalTypedData } from '../src/lifecycle/patchApprovalTypedData.js'
import { recordApproval } from '../src/lifecycle/recordApproval.js'
import { registerApprovalSigner } from '../src/lifecycle/registerApprovalSigner.js'
import { transitionAdvisory } from '../src/lifecycle/transitionAdvisory.js'
import type { Actor } from '../src/lifecycle/types.js'
import { executeMultiChainRelease } from '../src/operations/executeMultiChainRelease.js'
import { planMultiChainRelease } from '../src/operations/planMultiChainRelease.js'
import type { ReleaseChain } from '../src/operations/releaseChains.js'
import { validateMultiChainPatch } from '../src/operations/validateMultiChainPatch.js'
import { signPlannedSafeTransaction } from '../src/release/safeTransactions.js'
import { parseManifest } from '../src/validate/loadManifest.js'

const runs = 3
const delay = 3600
const dir = await mkdtemp(path.join(tmpdir(), 'bulwark-multichain-bench-'))
const context = await openLifecycle({ cwd: dir, env: {} })
try {
  const build = await compileProject({ root: bulwarkRoot() })
  const actor: Actor = { id: 'bench', roles: ['admin', 'signer'] }
  const approver = devAccount(20)
  await registerApprovalSigner(context, { address: approver.address, label: 'bench approver' }, actor)
  const figures: { windowMs: number; windowSeconds: number; scheduleMs: number; releaseMs: number }[] = []
  // Fresh chains per run: each run releases V1 → V2 on both.
  for (let run = 0; run < runs; run += 1) {
    const anvils = await Promise.all([31337, 31338].map((chainId) => startAnvil({ chainId })))
    try {
      const demos = await Promise.all(anvils.map((anvil) => deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build, minDelay: delay })))
      const chains: ReleaseChain[] = anvils.map((anvil, index) => ({ chainId: anvil.chainId, rpcUrl: anvil.rpcUrl, release: { ...demoReleaseConfig(demos[index]!), routes: { ...demoReleaseConfig(demos[index]!).routes } }, pause: { target: demos[index]!.lendingPool.proxy } }))
      const owners = devRoles.safeOwners.slice(0, 2).map((index) => devAccount(index))
      const common = { context, actor, chainsFile: 'bench', chains, submitter: devAccount(devRoles.deployer), pausers: { 31337: devAccount(devRoles.guardian), 31338: devAccount(devRoles.guardian) }, sign: (transaction: Parameters<typeof signPlannedSafeTransaction>[1]) => Promise.all(owners.map((owner) => signPlannedSafeTransaction(owner, transaction))) }
      const { advisory } = await createAdvisory(context, { title: `bench ${run}`, severity: 'critical', reporter: 'bench' }, actor)
      await transitionAdvisory(context, { id: advisory.id, to: 'triaged' }, actor)
      const { patch } = await createPatch(context, { advisoryId: advisory.id, title: `bench ${run}`, route: 'standard', targets: anvils.map((anvil, index) => ({ proxy: demos[index]!.lendingPool.proxy, newImplementation: demos[index]!.lendingPool.implementation, chain: String(anvil.chainId) })) }, actor)
      const manifest = parseManifest(JSON.stringify({ version: 1, advisory: { id: advisory.id, title: 'bench', severity: 'critical' }, targets: [{ name: 'LendingPool', proxy: demos[0]!.lendingPool.proxy, kind: 'uups', implementation: { sources: ['contracts/examples/LendingPool.sol', 'contracts/examples/LendingPoolV2.sol'], contract: 'LendingPoolV2' } }] }), 'bench.json')
      const validated = await validateMultiChainPatch({ context, actor, patchId: patch.id, manifest, manifestFile: 'bench.json', manifestDir: bulwarkRoot(), chains, stages: ['build', 'upgrade-safety'], reproducibility: false, toolVersion: 'bench' })
      if (validated.outcome !== 'validated') throw new Error(`run ${run}: ${validated.outcome}`)
      await planMultiChainRelease({ ...common, patchId: patch.id, artifacts: build.artifacts, auditors: demoAuditorAccountIndices.slice(0, 2).map((index) => devAccount(index)) })
      await recordApproval(context, { patchId: patch.id, signature: await approver.signTypedData(patchApprovalTypedData({ patchId: patch.id, reportHash: validated.report.hash, chainId: validated.report.chain.chainId })) }, actor)
      let started = performance.now()
      await executeMultiChainRelease({ ...common, patchId: patch.id })
      const scheduleMs = performance.now() - started
      for (const anvil of anvils) {
        const chain = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
        await chain.increaseTime({ seconds: delay + 1 })
        await chain.mine({ blocks: 1 })
      }
      started = performance.now()
      const released = await executeMultiChainRelease({ ...common, patchId: patch.id })
      if (released.phase !== 'released' || !released.chains.every((chain) => chain.pausedUntilRelease && chain.unpausedByRelease)) throw new Error(`run ${run} did not release both chains paused-until-release`)
      figures.push({ windowMs: released.windowMs!, windowSeconds: released.windowSeconds!, scheduleMs, releaseMs: performance.now() - started })
    } finally {
      await Promise.all(anvils.map((anvil) => anvil.stop()))
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
  console.log(`multi-chain release, 2 local anvil chains, standard route (delay ${delay} s), ${runs} runs:`)
  console.log(`  window between the two releases: median ${median(figures.map((f) => f.windowMs))} ms observed, ${median(figures.map((f) => f.windowSeconds))} s of block time (max ${Math.max(...figures.map((f) => f.windowMs))} ms)`)
  console.log(`  pause both + schedule both: median ${median(figures.map((f) => f.scheduleMs)).toFixed(0)} ms; release round (both chains, checked on chain): median ${median(figures.map((f) => f.releaseMs)).toFixed(0)} ms`)
  console.log(`  chain by chain instead: the second chain stays open for at least ${delay} s after the first schedule is public`)
} finally {
  await context.store.close()
  await rm(dir, { recursive: true, force: true })
}
