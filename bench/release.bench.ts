/**
 * Time from approved to verified on the emergency route, local anvil (target: under 5 s): build the
 * plan (CREATE2 probe, attestations), collect 3-of-4 council signatures, execute the MultiSend, verify.
 * Run: npx tsx bench/release.bench.ts
 */
import { keccak256 } from 'viem'
import { createDevClient, createReadClient } from '../src/chain/clients.js'
import { demoAuditorAccountIndices, demoSecurityCouncilAccountIndices, deployDemoProtocol } from '../src/chain/deployDemoProtocol.js'
import { devAccount, devRoles } from '../src/chain/devAccounts.js'
import { signReleaseAttestation } from '../src/chain/signReleaseAttestation.js'
import { startAnvil } from '../src/chain/startAnvil.js'
import { bulwarkRoot } from '../src/compile/bulwarkRoot.js'
import { compileProject } from '../src/compile/compileProject.js'
import { getArtifact } from '../src/compile/getArtifact.js'
import { buildReleasePlan } from '../src/release/buildReleasePlan.js'
import { canonicalHash } from '../src/release/canonicalHash.js'
import { executeReleaseStep } from '../src/release/executeReleaseStep.js'
import { signPlannedSafeTransaction } from '../src/release/safeTransactions.js'
import { verifyRelease } from '../src/release/verifyRelease.js'

const anvil = await startAnvil()
try {
  const build = await compileProject({ root: bulwarkRoot() })
  const demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
  const v2 = getArtifact(build, 'contracts/examples/LendingPoolV2.sol:LendingPoolV2')
  const reader = createReadClient({ rpcUrl: anvil.rpcUrl })
  const client = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.deployer) })
  const runs: number[] = []
  for (let run = 0; run < 5; run += 1) {
    const document = {
      run,
      verdict: 'pass' as const,
      chain: { chainId: anvil.chainId, blockNumber: String(demo.blockNumber) },
      targets: [{ name: 'LendingPool', proxy: demo.lendingPool.proxy, implementation: { contract: 'contracts/examples/LendingPoolV2.sol:LendingPoolV2', runtimeCodeHash: keccak256(v2.deployedBytecode) }, initializerCalldata: '0x' as const }],
    }
    const report = { hash: canonicalHash(document), document }
    const started = performance.now()
    const plan = await buildReleasePlan(reader, {
      patchId: `BENCH-${run}`,
      report,
      artifacts: build.artifacts,
      route: { name: 'emergency', safe: demo.securityCouncil.safe, multiSendCallOnly: demo.safeInfrastructure.multiSendCallOnly },
      gate: demo.releaseGate,
      create2Deployer: demo.create2Deployer,
      attest: async (request) => Promise.all(demoAuditorAccountIndices.slice(0, 2).map(async (index) => ({ auditor: devAccount(index).address, signature: await signReleaseAttestation(devAccount(index), request) }))),
    })
    const signatures = await Promise.all(demoSecurityCouncilAccountIndices.slice(0, 3).map((index) => signPlannedSafeTransaction(devAccount(index), plan.safeTransactions[0]!)))
    await executeReleaseStep(client, { plan, step: 0, signatures })
    const verification = await verifyRelease(reader, { report, gate: demo.releaseGate })
    if (!verification.ok) throw new Error(`run ${run} did not verify: ${JSON.stringify(verification.checks)}`)
    runs.push(performance.now() - started)
  }
  const sorted = [...runs].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)]!
  console.log(`release (emergency route), approved → verified, local anvil: median ${median.toFixed(0)} ms over ${runs.length} runs (min ${sorted[0]!.toFixed(0)}, max ${sorted.at(-1)!.toFixed(0)})`)
  console.log(`target 5000 ms: ${(median / 5000).toFixed(3)} of the budget`)
} finally {
  await anvil.stop()
}
