/**
 * Gas of a diamond cut released through the ReleaseGate on the reference diamond kit (hardhat-deploy
 * 0.14.0, solc 0.8.19) on local anvil: `approvePatch` with 2-of-2 attestations over the facet, init and
 * cut hashes, then `releaseDiamondCut` (cut hash and code checks, then `diamondCut`), beside the same
 * `diamondCut` sent straight to the diamond by its owner. Prints figures; never fails on them.
 */
import { encodeFunctionData, keccak256, parseEther, toFunctionSelector, type Address, type Hash, type Hex } from 'viem'
import { createDevClient, createReadClient, createTestChainClient } from '../src/chain/clients.js'
import { deployContract } from '../src/chain/deployContract.js'
import { deployReleaseGate } from '../src/chain/deployReleaseGate.js'
import { devAccount } from '../src/chain/devAccounts.js'
import { diamondAbi, facetCutActions } from '../src/chain/diamondAbi.js'
import { releaseGateAbi } from '../src/chain/releaseGateAbi.js'
import { signReleaseAttestation } from '../src/chain/signReleaseAttestation.js'
import { startAnvil } from '../src/chain/startAnvil.js'
import { bulwarkRoot } from '../src/compile/bulwarkRoot.js'
import { compileProject } from '../src/compile/compileProject.js'
import { diamondCutHash } from '../src/release/buildDiamondCutPlan.js'
import { buildSourceContract } from '../src/validate/stages/build.js'
import { kitArtifact, repoRoot } from '../test/protocols/compileKit.js'
import { compileGovernance } from '../test/protocols/compileProtocols.js'
import { compileDiamondKit, deployDiamondKit, encodeDiamondCut, facetCut, selectorsOf } from '../test/protocols/diamond.js'
import { deployKitGovernance, executeViaGovernance } from '../test/protocols/kitGovernance.js'

const [build, anvil] = await Promise.all([compileDiamondKit(), startAnvil()])
try {
  const governance = await deployKitGovernance(anvil, { governanceBuild: await compileGovernance() })
  const kit = await deployDiamondKit(anvil, { build, governance })
  const client = createReadClient({ rpcUrl: anvil.rpcUrl })
  const test = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
  const erc165 = kitArtifact(build, 'DiamondERC165Init').abi
  await executeViaGovernance(anvil, governance, [{ target: kit.diamond, data: encodeDiamondCut([facetCut(kit.vaultFacet, 'add', selectorsOf(kitArtifact(build, 'DiamondVaultFacet').abi))], kit.erc165Init, encodeFunctionData({ abi: erc165, functionName: 'setERC165', args: [[], []] })) }])

  const auditors = [devAccount(10), devAccount(11)]
  const deployer = createDevClient({ ...anvil, account: devAccount(0) })
  const gate = await deployReleaseGate(deployer, { build: await compileProject({ root: bulwarkRoot(), sources: ['contracts/ReleaseGate.sol'] }), admin: governance.timelock, releasers: [governance.timelock], auditors: auditors.map((auditor) => auditor.address), threshold: 2 })
  await executeViaGovernance(anvil, governance, [{ target: kit.diamond, data: encodeFunctionData({ abi: kitArtifact(build, 'OwnershipFacet').abi, functionName: 'transferOwnership', args: [gate] }) }])
  const v2 = await buildSourceContract({ contract: 'DiamondVaultFacetV2', sources: ['test/protocols/contracts/diamond/DiamondVaultFacetV2.sol'], compiler: { version: '0.8.19' }, settings: { optimizer: true, optimizerRuns: 200 } }, { manifestDir: repoRoot, progress: () => undefined })
  const facet = (await deployContract(deployer, { name: 'DiamondVaultFacetV2', abi: v2.artifact.abi, bytecode: v2.artifact.bytecode })).address

  const selector = (signature: string) => toFunctionSelector(`function ${signature}`)
  const cuts = [
    { facetAddress: facet, action: facetCutActions.indexOf('replace'), functionSelectors: ['deposit()', 'withdraw(uint256)', 'balanceOf(address)', 'totalDeposits()'].map(selector) },
    { facetAddress: facet, action: facetCutActions.indexOf('add'), functionSelectors: [selector('depositCount()')] },
  ]
  const initCalldata = encodeFunctionData({ abi: erc165, functionName: 'setERC165', args: [[], []] })
  const cutHash = diamondCutHash({ diamond: kit.diamond, cuts, init: kit.erc165Init, initCalldata })
  const codehashes = [keccak256((await client.getCode({ address: facet }))!), keccak256((await client.getCode({ address: kit.erc165Init }))!), cutHash]
  const patchId = keccak256(encodeFunctionData({ abi: diamondAbi, functionName: 'diamondCut', args: [cuts, kit.erc165Init, initCalldata] }))
  const reportHash = keccak256('0x01')
  const signatures = await Promise.all(auditors.map((auditor) => signReleaseAttestation(auditor, { gate, chainId: anvil.chainId, patchId, reportHash, codehashes })))

  const sendAs = async (from: Address, to: Address, data: Hex): Promise<bigint> => {
    await test.impersonateAccount({ address: from })
    await test.setBalance({ address: from, value: parseEther('10') })
    const hash = (await test.request({ method: 'eth_sendTransaction', params: [{ from, to, data }] } as never)) as Hash
    const receipt = await client.waitForTransactionReceipt({ hash })
    await test.stopImpersonatingAccount({ address: from })
    if (receipt.status !== 'success') throw new Error(`${to} reverted for ${from}`)
    return receipt.gasUsed
  }
  const before = await test.snapshot()
  const approve = await sendAs(governance.timelock, gate, encodeFunctionData({ abi: releaseGateAbi, functionName: 'approvePatch', args: [patchId, reportHash, codehashes, signatures] }))
  const release = await sendAs(governance.timelock, gate, encodeFunctionData({ abi: releaseGateAbi, functionName: 'releaseDiamondCut', args: [patchId, kit.diamond, cuts, kit.erc165Init, initCalldata] }))
  await test.revert({ id: before })
  const direct = await sendAs(gate, kit.diamond, encodeFunctionData({ abi: diamondAbi, functionName: 'diamondCut', args: [cuts, kit.erc165Init, initCalldata] }))
  const rows: [string, bigint][] = [
    ['gate.approvePatch (2-of-2 attestations; facet, init and cut hash)', approve],
    ['gate.releaseDiamondCut (2 facet cuts, 5 selectors, init)', release],
    ['diamond.diamondCut by its owner, the same cut (no gate)', direct],
  ]
  for (const [label, gas] of rows) console.log(`${label.padEnd(70)} ${gas.toString().padStart(8)} gas`)
  console.log(`gate overhead of the cut itself: ${release - direct} gas (${((Number(release - direct) / Number(direct)) * 100).toFixed(1)} %); with the approval: ${approve + release - direct} gas`)
} finally {
  await anvil.stop()
}
