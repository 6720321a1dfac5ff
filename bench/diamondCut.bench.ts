/**
 * Diamond cut validation on the reference diamond kit (hardhat-deploy 0.14.0, solc 0.8.19) on local anvil:
 * time of one `diamond-cut` validation (builds cached) for the correct cut and for a cut that removes a
 * selector users call (fork rehearsal + replay), and how many recent transactions the replay read.
 * Prints figures; never fails on an absolute time.
 */
import { encodeFunctionData, parseEther } from 'viem'
import { createDevClient, createReadClient, createTestChainClient } from '../src/chain/clients.js'
import { devAccount } from '../src/chain/devAccounts.js'
import { startAnvil } from '../src/chain/startAnvil.js'
import { patchManifestSchema } from '../src/validate/manifest.js'
import { runPipeline } from '../src/validate/runPipeline.js'
import { kitArtifact, repoRoot } from '../test/protocols/compileKit.js'
import { compileGovernance } from '../test/protocols/compileProtocols.js'
import { compileDiamondKit, deployDiamondKit, encodeDiamondCut, facetCut, selectorsOf } from '../test/protocols/diamond.js'
import { deployKitGovernance, executeViaGovernance, kitAccountIndices } from '../test/protocols/kitGovernance.js'

const iterations = Number(process.env.BENCH_ITERATIONS ?? 10)
const users = Number(process.env.BENCH_DIAMOND_USERS ?? 40)
const [build, anvil] = await Promise.all([compileDiamondKit(), startAnvil()])
try {
  const governance = await deployKitGovernance(anvil, { governanceBuild: await compileGovernance() })
  const kit = await deployDiamondKit(anvil, { build, governance })
  const vaultAbi = kitArtifact(build, 'DiamondVaultFacet').abi
  const init = encodeFunctionData({ abi: kitArtifact(build, 'DiamondERC165Init').abi, functionName: 'setERC165', args: [[], []] })
  await executeViaGovernance(anvil, governance, [{ target: kit.diamond, data: encodeDiamondCut([facetCut(kit.vaultFacet, 'add', selectorsOf(vaultAbi))], kit.erc165Init, init) }])
  const client = createReadClient({ rpcUrl: anvil.rpcUrl })
  // History: each user deposits 2 ether and withdraws 1.
  for (let i = 0; i < users; i++) {
    const account = devAccount(kitAccountIndices.actors[0] + 10 + i)
    await createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId }).setBalance({ address: account.address, value: parseEther('10') })
    const user = createDevClient({ ...anvil, account })
    await client.waitForTransactionReceipt({ hash: await user.writeContract({ address: kit.diamond, abi: vaultAbi, functionName: 'deposit', value: parseEther('2') }) })
    await client.waitForTransactionReceipt({ hash: await user.writeContract({ address: kit.diamond, abi: vaultAbi, functionName: 'withdraw', args: [parseEther('1')] }) })
  }
  const source = (file: string, contract: string) => ({ contract, sources: [`test/protocols/contracts/diamond/${file}`], compiler: { version: '0.8.19' }, settings: { optimizer: true, optimizerRuns: 200 } })
  const cuts = {
    correct: {
      facets: [{ name: 'VaultV2', action: 'replace', build: source('DiamondVaultFacetV2.sol', 'DiamondVaultFacetV2'), selectors: ['deposit()', 'withdraw(uint256)', 'balanceOf(address)', 'totalDeposits()'] }],
      deployedFacets: [{ address: kit.vaultFacet, build: source('DiamondVaultFacet.sol', 'DiamondVaultFacet') }],
    },
    'removes withdraw': { facets: [{ name: 'NoWithdraw', action: 'remove', selectors: ['withdraw(uint256)'] }] },
  }
  for (const [label, cut] of Object.entries(cuts)) {
    const manifest = patchManifestSchema.parse({ version: 1, advisory: { id: 'BENCH' }, chain: { rpcUrl: anvil.rpcUrl }, diamondCut: { diamond: kit.diamond, ...cut } })
    const validate = () => runPipeline({ manifest, manifestDir: repoRoot, stages: ['build', 'diamond-cut'], reproducibility: false })
    await validate() // warm-up: compiles into the build cache
    const times: number[] = []
    let last: Awaited<ReturnType<typeof validate>> | undefined
    for (let i = 0; i < iterations; i++) {
      const started = performance.now()
      last = await validate()
      times.push(performance.now() - started)
    }
    times.sort((a, b) => a - b)
    const stage = last!.stages.find((entry) => entry.stage === 'diamond-cut')!
    console.log(
      `${label}: median ${times[Math.floor(times.length / 2)]!.toFixed(0)} ms, p90 ${times[Math.floor(times.length * 0.9)]!.toFixed(0)} ms over ${iterations}; ` +
        `${String((stage.data as { replayed?: number } | undefined)?.replayed)} transactions replayed, ${stage.findings.length} finding(s), status ${stage.status}`,
    )
  }
} finally {
  await anvil.stop()
}
