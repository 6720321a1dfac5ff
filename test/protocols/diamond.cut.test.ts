import { encodeFunctionData, getAddress, parseEther, toFunctionSelector, type Address, type Hash, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDevClient, createReadClient, createTestChainClient, type ReadClient } from '../../src/chain/clients.js'
import { deployContract } from '../../src/chain/deployContract.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { startAnvil, type Anvil } from '../../src/chain/startAnvil.js'
import { bulwarkRoot } from '../../src/compile/bulwarkRoot.js'
import { compileProject } from '../../src/compile/compileProject.js'
import { buildDiamondCutPlan } from '../../src/release/buildDiamondCutPlan.js'
import { executeDiamondCutStep } from '../../src/release/executeDiamondCutStep.js'
import { signPlannedSafeTransaction } from '../../src/release/safeTransactions.js'
import { verifyDiamondCut } from '../../src/release/verifyDiamondCut.js'
import { ManifestInvalidError } from '../../src/validate/errors.js'
import { parseManifest } from '../../src/validate/loadManifest.js'
import { patchManifestSchema } from '../../src/validate/manifest.js'
import { createReport, type ValidationReport } from '../../src/validate/report.js'
import { runPipeline } from '../../src/validate/runPipeline.js'
import { buildSourceContract } from '../../src/validate/stages/build.js'
import { kitArtifact, repoRoot, type KitBuild } from './compileKit.js'
import { compileGovernance } from './compileProtocols.js'
import { compileDiamondKit, deployDiamondKit, encodeDiamondCut, facetCut, selectorsOf, type DiamondKit } from './diamond.js'
import { deployKitGovernance, executeViaGovernance, kitAccountIndices, type KitGovernance } from './kitGovernance.js'

// One anvil for the file: the four bad cuts are judged on the live kit (validation never writes to it;
// each run rehearses on its own fork of the pinned block), then the correct cut is released and verified.
let anvil: Anvil
let client: ReadClient
let build: KitBuild
let governance: KitGovernance
let kit: DiamondKit
let create2Deployer: Address
let withdrawal: Hash

const depositor = devAccount(kitAccountIndices.actors[0])
const compiler = { version: '0.8.19' }
const settings = { optimizer: true, optimizerRuns: 200 }
const source = (file: string, contract: string) => ({ contract, sources: [`test/protocols/contracts/diamond/${file}`], compiler, settings })
const vaultV1 = source('DiamondVaultFacet.sol', 'DiamondVaultFacet')
const vaultV2 = source('DiamondVaultFacetV2.sol', 'DiamondVaultFacetV2')
const ledger = source('DiamondLedgerFacet.sol', 'DiamondLedgerFacet')
const reference = (file: string, contract: string) => ({ contract, sources: [`node_modules/hardhat-deploy/solc_0.8/diamond/facets/${file}`], compiler, settings })
const vaultSelectors = ['deposit()', 'withdraw(uint256)', 'balanceOf(address)', 'totalDeposits()']

beforeAll(async () => {
  ;[build, anvil] = await Promise.all([compileDiamondKit(), startAnvil()])
  const governanceBuild = await compileGovernance()
  client = createReadClient({ rpcUrl: anvil.rpcUrl })
  governance = await deployKitGovernance(anvil, { governanceBuild })
  kit = await deployDiamondKit(anvil, { build, governance })
  const init = encodeFunctionData({ abi: kitArtifact(build, 'DiamondERC165Init').abi, functionName: 'setERC165', args: [[], []] })
  await executeViaGovernance(anvil, governance, [{ target: kit.diamond, data: encodeDiamondCut([facetCut(kit.vaultFacet, 'add', selectorsOf(kitArtifact(build, 'DiamondVaultFacet').abi))], kit.erc165Init, init) }])
  // Users' history on the diamond: a deposit and a withdrawal (what a removed selector would break).
  const user = createDevClient({ ...anvil, account: depositor })
  const vault = kitArtifact(build, 'DiamondVaultFacet').abi
  await client.waitForTransactionReceipt({ hash: await user.writeContract({ address: kit.diamond, abi: vault, functionName: 'deposit', value: parseEther('2') }) })
  withdrawal = await user.writeContract({ address: kit.diamond, abi: vault, functionName: 'withdraw', args: [parseEther('1')] })
  await client.waitForTransactionReceipt({ hash: withdrawal })
  const deployerBuild = await compileProject({ root: bulwarkRoot(), sources: ['contracts/release/Create2Deployer.sol'] })
  const artifact = deployerBuild.artifacts.find((entry) => entry.contractName === 'Create2Deployer')!
  create2Deployer = getAddress((await deployContract(createDevClient({ ...anvil, account: devAccount(0) }), { name: 'Create2Deployer', abi: artifact.abi, bytecode: artifact.bytecode, args: [] })).address)
}, 600_000)
afterAll(async () => anvil?.stop())

/** The kit's patch: vault v1 → v2 (one member appended to the namespace), `depositCount()` added, the reference ERC-165 init. */
function correctCut(overrides: Record<string, unknown> = {}) {
  return {
    diamond: kit.diamond,
    facets: [
      { name: 'VaultV2', action: 'replace', build: vaultV2, selectors: vaultSelectors },
      { name: 'VaultV2Count', action: 'add', build: vaultV2, selectors: ['depositCount()'] },
    ],
    init: { address: kit.erc165Init, function: 'setERC165(bytes4[],bytes4[])', args: [[], []] },
    deployedFacets: [
      { address: kit.vaultFacet, build: vaultV1 },
      { address: kit.cutFacet, build: reference('DiamondCutFacet.sol', 'DiamondCutFacet') },
      { address: kit.loupeFacet, build: reference('DiamondLoupeFacet.sol', 'DiamondLoupeFacet') },
      { address: kit.ownershipFacet, build: reference('OwnershipFacet.sol', 'OwnershipFacet') },
    ],
    auditedInits: [kit.erc165Init],
    ...overrides,
  }
}

async function validateCut(diamondCut: Record<string, unknown>): Promise<ValidationReport> {
  const manifest = patchManifestSchema.parse({ version: 1, advisory: { id: 'DIAMOND-1' }, chain: { rpcUrl: anvil.rpcUrl }, diamondCut })
  const run = await runPipeline({ manifest, manifestDir: repoRoot, stages: ['build', 'diamond-cut'], reproducibility: false })
  return createReport(run, { toolVersion: 'test' })
}

function diamondFindings(report: ValidationReport) {
  return report.document.stages.find((stage) => stage.stage === 'diamond-cut')!.findings.filter((finding) => finding.severity === 'critical' || finding.severity === 'high')
}

describe('the diamondCut manifest', () => {
  test('a malformed cut is refused with each bad field by its path, before anything runs', () => {
    const diamond = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
    let error: unknown
    try {
      parseManifest(
        JSON.stringify({
          version: 1,
          advisory: { id: 'DIAMOND-1' },
          diamondCut: {
            diamond,
            facets: [
              { name: 'A', action: 'add' },
              { name: 'A', action: 'remove', build: vaultV1 },
              { name: 'B', action: 'replace', build: vaultV2, selectors: ['withdraw'] },
            ],
            init: { function: 'init()' },
            auditedInits: ['0x1234'],
          },
        }),
        'patch.json',
      )
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ManifestInvalidError)
    expect((error as ManifestInvalidError).issues).toEqual([
      { path: 'diamondCut.facets[0].build', message: "an add cut needs the facet's \"build\"" },
      { path: 'diamondCut.facets[1].build', message: 'a remove cut has no facet: leave "build" out' },
      { path: 'diamondCut.facets[1].selectors', message: 'a remove cut must list the selectors it removes' },
      { path: 'diamondCut.facets[2].selectors[0]', message: 'must be a 4-byte selector like 0x1f931c1c or a signature like withdraw(uint256)' },
      { path: 'diamondCut.init', message: 'needs one of "address", "build"' },
      { path: 'diamondCut.auditedInits[0]', message: 'must be an address or a 32-byte runtime codehash' },
      { path: 'diamondCut.facets[1].name', message: '"A" is used twice' },
    ])
  })
})

describe('diamond cuts on the reference diamond: four bad cuts rejected', () => {
  test('a facet that declares the vault namespace with its members reordered: storage collision', async () => {
    const report = await validateCut(correctCut({ facets: [{ name: 'Ledger', action: 'add', build: ledger }], init: undefined }))
    expect(report.document.verdict).toBe('fail')
    const findings = diamondFindings(report)
    expect(findings.map((finding) => finding.kind)).toEqual(['diamond-storage-collision'])
    expect(findings[0]!.message).toBe(
      `diamond: Ledger (test/protocols/contracts/diamond/DiamondLedgerFacet.sol:DiamondLedgerFacet) and ${kit.vaultFacet} (DiamondVaultFacet) share storage at 0xb9304a3c53cd53e79e2a1d7ebf37d307fdf1c59029699e651840a0f37579a700 (erc7201:bulwark.kit.vault / erc7201:bulwark.kit.vault) but member 0 is uint256 _total in LedgerStorage and mapping(address => uint256) _balances in VaultStorage.`,
    )
  }, 300_000)

  test('a deployed facet build that is not the code at its address is refused, not trusted for the storage comparison', async () => {
    const report = await validateCut(correctCut({ facets: [{ name: 'Ledger', action: 'add', build: ledger }], init: undefined, deployedFacets: [{ address: kit.vaultFacet, build: vaultV2 }] }))
    expect(report.document.verdict).toBe('fail')
    expect(diamondFindings(report).map((finding) => [finding.kind, finding.message])).toEqual([
      ['reference-mismatch', `diamond: the build test/protocols/contracts/diamond/DiamondVaultFacetV2.sol:DiamondVaultFacetV2 given for the deployed facet ${kit.vaultFacet} is not the code at that address; its storage is not compared.`],
    ])
  }, 300_000)

  test('adding v2 beside v1 instead of replacing: every vault selector clashes', async () => {
    const report = await validateCut(correctCut({ facets: [{ name: 'VaultV2', action: 'add', build: vaultV2 }] }))
    expect(report.document.verdict).toBe('fail')
    const findings = diamondFindings(report)
    expect(findings.map((finding) => finding.kind)).toEqual(vaultSelectors.map(() => 'diamond-selector-clash'))
    expect(findings.map((finding) => finding.details?.selector).sort()).toEqual(vaultSelectors.map((signature) => toFunctionSelector(`function ${signature}`)).sort())
    expect(findings.find((finding) => finding.details?.selector === toFunctionSelector('function withdraw(uint256)'))!.message).toBe(
      `diamond: VaultV2 adds withdraw(uint256) (0x2e1a7d4d), which facet ${kit.vaultFacet} already serves.`,
    )
  }, 300_000)

  test('removing withdraw while users withdraw: the replayed withdrawal fails on the fork', async () => {
    const report = await validateCut(correctCut({ facets: [{ name: 'NoWithdraw', action: 'remove', selectors: ['withdraw(uint256)'] }], init: undefined }))
    expect(report.document.verdict).toBe('fail')
    const findings = diamondFindings(report)
    expect(findings.map((finding) => finding.kind)).toEqual(['diamond-selector-removed-in-use'])
    expect(findings[0]!.details).toMatchObject({ transaction: withdrawal, selector: '0x2e1a7d4d' })
    expect(findings[0]!.message).toContain('Diamond: Function does not exist')
    expect(report.document.stages.find((stage) => stage.stage === 'diamond-cut')!.data).toMatchObject({ rehearsed: true, replayed: 3 })
  }, 300_000)

  test('the right facets with an init outside the audited set: unaudited init', async () => {
    const report = await validateCut(correctCut({ auditedInits: [] }))
    expect(report.document.verdict).toBe('fail')
    const findings = diamondFindings(report)
    expect(findings.map((finding) => finding.kind)).toEqual(['diamond-init-unaudited'])
    expect(findings[0]!.message).toContain(`the cut delegatecalls ${kit.erc165Init}`)
  }, 300_000)
})

describe('the correct cut: accepted, released through Safe → timelock → diamondCut, verified', () => {
  test('validated, planned, signed, executed after the delay, and the loupe and code match the approval', async () => {
    const report = await validateCut(correctCut())
    expect(diamondFindings(report)).toEqual([])
    expect(report.document.verdict).toBe('pass')
    // VaultV2 with VaultV2Count (the vault namespace) and the three reference facets pairwise (LibDiamond's storage);
    // v1 serves nothing after the cut, so it is not compared.
    expect(report.document.stages.find((stage) => stage.stage === 'diamond-cut')!.data).toMatchObject({ comparedRoots: 4, rehearsed: true })

    const facetBuild = await buildSourceContract(vaultV2, { manifestDir: repoRoot, progress: () => undefined })
    const deployerBuild = await compileProject({ root: bulwarkRoot(), sources: ['contracts/release/Create2Deployer.sol'] })
    const plan = await buildDiamondCutPlan(client, {
      patchId: 'PATCH-DIAMOND-1',
      report,
      artifacts: [facetBuild.artifact, ...deployerBuild.artifacts],
      route: { safe: governance.safe, timelock: governance.timelock },
      create2Deployer,
    })
    // VaultV2 and VaultV2Count are one build, deployed twice under two salts (two addresses, one codehash).
    expect(plan.deployments.map((deployment) => deployment.codehash)).toEqual([facetBuild.runtimeCodeHash, facetBuild.runtimeCodeHash])
    expect(plan.calls.map((call) => call.target)).toEqual([create2Deployer, create2Deployer, kit.diamond])

    const submitter = createDevClient({ ...anvil, account: devAccount(0) })
    const owners = governance.safeOwnerKeys.slice(0, governance.threshold).map((key) => privateKeyToAccount(key as Hex))
    const sign = (step: number) => Promise.all(owners.map((owner) => signPlannedSafeTransaction(owner, plan.safeTransactions[step]!)))
    await executeDiamondCutStep(submitter, { plan, step: 0, signatures: await sign(0) })
    await expect(executeDiamondCutStep(submitter, { plan, step: 1, signatures: await sign(1) })).rejects.toMatchObject({ code: 'BW_RELEASE_NOT_READY' })
    const testClient = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
    await testClient.increaseTime({ seconds: plan.operation.delay + 1 })
    await testClient.mine({ blocks: 1 })
    await executeDiamondCutStep(submitter, { plan, step: 1, signatures: await sign(1) })

    const verified = await verifyDiamondCut(client, { plan })
    expect(verified.checks.filter((check) => !check.ok)).toEqual([])
    expect(verified.ok).toBe(true)
    const [v2, count] = plan.deployments.map((deployment) => deployment.address)
    expect(plan.selectorMap.find((entry) => entry.facet === v2)!.selectors).toEqual(vaultSelectors.map((signature) => toFunctionSelector(`function ${signature}`)).sort())
    expect(plan.selectorMap.find((entry) => entry.facet === count)!.selectors).toEqual([toFunctionSelector('function depositCount()')])
    expect(plan.selectorMap.some((entry) => entry.facet === kit.vaultFacet)).toBe(false)

    // The namespace kept its data across facets: the depositor's balance is still there.
    const v2Abi = facetBuild.artifact.abi
    expect(await client.readContract({ address: kit.diamond, abi: v2Abi, functionName: 'balanceOf', args: [depositor.address] })).toBe(parseEther('1'))

    // A cut the loupe does not show is caught: verification against the plan fails once someone removes a selector.
    await executeViaGovernance(anvil, governance, [{ target: kit.diamond, data: encodeDiamondCut([facetCut('0x0000000000000000000000000000000000000000', 'remove', [toFunctionSelector('function depositCount()')])], '0x0000000000000000000000000000000000000000', '0x') }])
    const drifted = await verifyDiamondCut(client, { plan })
    expect(drifted.ok).toBe(false)
    expect(drifted.checks.filter((check) => !check.ok)).toEqual([
      { check: 'selector-map', subject: `${kit.diamond} → ${count}`, ok: false, expected: toFunctionSelector('function depositCount()'), actual: '(none)' },
    ])
  }, 600_000)
})
