import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { encodeFunctionData, getAddress, keccak256, parseEther, toFunctionSelector, toHex, zeroAddress, type Address, type Hash, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDevClient, createReadClient, createTestChainClient, type ReadClient } from '../../src/chain/clients.js'
import { deployContract } from '../../src/chain/deployContract.js'
import { deployReleaseGate } from '../../src/chain/deployReleaseGate.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { getDiamondFacets } from '../../src/chain/getDiamondFacets.js'
import { releaseGateAbi } from '../../src/chain/releaseGateAbi.js'
import { signReleaseAttestation } from '../../src/chain/signReleaseAttestation.js'
import { startAnvil, type Anvil } from '../../src/chain/startAnvil.js'
import { main } from '../../src/cli/main.js'
import { captureIo } from '../../src/cli/testIo.js'
import type { Artifact } from '../../src/compile/artifacts.js'
import { bulwarkRoot } from '../../src/compile/bulwarkRoot.js'
import { compileProject } from '../../src/compile/compileProject.js'
import { openLifecycle, type LifecycleContext } from '../../src/lifecycle/context.js'
import { createAdvisory } from '../../src/lifecycle/createAdvisory.js'
import { createPatch } from '../../src/lifecycle/createPatch.js'
import { testActors } from '../../src/lifecycle/testing.js'
import { transitionAdvisory } from '../../src/lifecycle/transitionAdvisory.js'
import { decodeSafeCalldata } from '../../src/authorize/decodeSafeCalldata.js'
import { getSignerView } from '../../src/authorize/getSignerView.js'
import { renderSignerView } from '../../src/authorize/renderSignerView.js'
import { canonicalMultiSend } from '../../src/authorize/knownMultiSend.js'
import { confirmRelease } from '../../src/operations/confirmRelease.js'
import { releaseReportHash } from '../../src/operations/releaseReportHash.js'
import { executeRelease } from '../../src/operations/executeRelease.js'
import { planRelease } from '../../src/operations/planRelease.js'
import { validatePatch } from '../../src/operations/validatePatch.js'
import { verifyPatchRelease } from '../../src/operations/verifyPatchRelease.js'
import { diamondCutHash } from '../../src/release/buildDiamondCutPlan.js'
import { buildReleasePlan, planRouteTransactions, type AttestationRequest } from '../../src/release/buildReleasePlan.js'
import { executeReleaseStep } from '../../src/release/executeReleaseStep.js'
import type { PlannedCall, SignedReleasePlan } from '../../src/release/plan.js'
import { signPlannedSafeTransaction } from '../../src/release/safeTransactions.js'
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
// each run rehearses on its own fork of the pinned block), then the correct cut goes through the
// lifecycle and the ReleaseGate and is verified, and a tampered selector map is refused by the gate.
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

describe('the correct cut: accepted, released through Safe → timelock → ReleaseGate by the release operations, verified', () => {
  let gate: Address
  let report: ValidationReport
  let artifacts: Artifact[]
  let dir: string
  let context: LifecycleContext
  const auditors = [devAccount(10), devAccount(11)]
  const owners = () => governance.safeOwnerKeys.slice(0, governance.threshold).map((key) => privateKeyToAccount(key as Hex))
  const testClient = () => createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
  const passDelay = async () => {
    await testClient().increaseTime({ seconds: governance.minDelay + 1 })
    await testClient().mine({ blocks: 1 })
  }
  const route = () => ({ name: 'standard' as const, safe: governance.safe, timelock: governance.timelock })
  const attestWith = (codehashes?: readonly Hex[]) => async (request: AttestationRequest) =>
    Promise.all(auditors.map(async (auditor) => ({ auditor: auditor.address, signature: await signReleaseAttestation(auditor, { ...request, codehashes: codehashes ?? request.codehashes }) })))
  /** Schedules a doctored batch through the Safe, waits out the delay, and returns how its execute ended and the loupe before it. */
  const executeDoctored = async (plan: SignedReleasePlan, calls: PlannedCall[]) => {
    const doctored = { ...plan, calls, ...(await planRouteTransactions(client, { route: route(), chainId: anvil.chainId, gatePatchId: plan.gatePatchId, calls })) }
    const sign = (step: number) => Promise.all(owners().map((owner) => signPlannedSafeTransaction(owner, doctored.safeTransactions[step]!)))
    const submitter = createDevClient({ ...anvil, account: devAccount(0) })
    await executeReleaseStep(submitter, { plan: doctored, step: 0, signatures: await sign(0) })
    await passDelay()
    const facetsBefore = await getDiamondFacets(client, { address: kit.diamond })
    const refused = await executeReleaseStep(submitter, { plan: doctored, step: 1, signatures: await sign(1) }).catch((error: unknown) => error)
    return { refused, facetsBefore }
  }

  beforeAll(async () => {
    // The gate is the diamond's upgrade authority: governance hands it the diamond's ownership (its diamondCut right).
    const bulwarkBuild = await compileProject({ root: bulwarkRoot(), sources: ['contracts/ReleaseGate.sol', 'contracts/release/Create2Deployer.sol'] })
    gate = await deployReleaseGate(createDevClient({ ...anvil, account: devAccount(0) }), { build: bulwarkBuild, admin: governance.timelock, releasers: [governance.timelock], auditors: auditors.map((auditor) => auditor.address), threshold: 2 })
    await executeViaGovernance(anvil, governance, [{ target: kit.diamond, data: encodeFunctionData({ abi: kitArtifact(build, 'OwnershipFacet').abi, functionName: 'transferOwnership', args: [gate] }) }])
    const facetBuild = await buildSourceContract(vaultV2, { manifestDir: repoRoot, progress: () => undefined })
    artifacts = [facetBuild.artifact, ...bulwarkBuild.artifacts]
    dir = await mkdtemp(path.join(tmpdir(), 'bulwark-diamond-'))
    context = await openLifecycle({ cwd: dir, env: {}, dataDir: 'memory://' })
  }, 600_000)
  afterAll(async () => {
    await context?.store.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  test('validated, planned (release plan), confirmed by the owners, executed after the delay, verified (patch and public report)', async () => {
    const actor = testActors.admin
    const { advisory } = await createAdvisory(context, { title: 'Vault v1 rounding', severity: 'high', reporter: 'test', affectedContracts: [{ address: kit.diamond, chain: String(anvil.chainId) }] }, actor)
    await transitionAdvisory(context, { id: advisory.id, to: 'triaged' }, actor)
    const { patch } = await createPatch(context, { advisoryId: advisory.id, title: 'Vault v2 facet', route: 'standard', targets: [{ proxy: kit.diamond, newImplementation: kit.vaultFacet }], requiredApprovals: governance.threshold }, actor)
    const manifest = patchManifestSchema.parse({ version: 1, advisory: { id: advisory.id }, chain: { rpcUrl: anvil.rpcUrl }, diamondCut: correctCut() })
    const validated = await validatePatch({ manifest, manifestFile: 'diamond-v2.json', manifestDir: repoRoot, stages: ['build', 'diamond-cut'], reproducibility: false, toolVersion: 'test', patch: { context, id: patch.id, actor } })
    report = validated.report
    expect(diamondFindings(report)).toEqual([])
    expect(validated.outcome).toBe('validated')
    // VaultV2 with VaultV2Count (the vault namespace) and the three reference facets pairwise (LibDiamond's storage);
    // v1 serves nothing after the cut, so it is not compared.
    expect(report.document.stages.find((stage) => stage.stage === 'diamond-cut')!.data).toMatchObject({ comparedRoots: 4, rehearsed: true })

    // The ordinary release plan picks the diamond-cut route from the report: facets deployed, approvePatch, releaseDiamondCut.
    const release = { releaseGate: gate, create2Deployer, routes: { standard: { safe: governance.safe, timelock: governance.timelock } } }
    const planned = await planRelease({ context, actor, patchId: patch.id, rpcUrl: anvil.rpcUrl, release, projectFile: 'bulwark.json', artifacts, auditors })
    const { plan } = planned
    expect(planned.patch.status).toBe('awaiting_approval')
    expect(plan.upgrades).toEqual([])
    expect(plan.calls.map((call) => call.target)).toEqual([create2Deployer, create2Deployer, gate, gate])
    expect(plan.calls.at(-1)!.description).toMatch(/^release diamond cut 0x[0-9a-f]{64} on /)
    // VaultV2 and VaultV2Count are one build deployed twice (two addresses, one codehash); the auditors attest
    // that codehash, the init's, and last the cut hash: the exact selector map.
    const [v2, count] = plan.deployments.map((deployment) => deployment.address)
    expect(plan.deployments.map((deployment) => deployment.codehash)).toEqual([artifactHash(artifacts[0]!), artifactHash(artifacts[0]!)])
    expect(plan.codehashes).toEqual([artifactHash(artifacts[0]!), keccak256((await client.getCode({ address: kit.erc165Init }))!), plan.diamondCut!.cutHash])
    expect(plan.diamondCut!.selectorMap.find((entry) => entry.facet === v2)!.selectors).toEqual(vaultSelectors.map((signature) => toFunctionSelector(`function ${signature}`)).sort())
    expect(plan.diamondCut!.selectorMap.find((entry) => entry.facet === count)!.selectors).toEqual([toFunctionSelector('function depositCount()')])
    expect(plan.diamondCut!.selectorMap.some((entry) => entry.facet === kit.vaultFacet)).toBe(false)

    // Before signing, the signer view (`bulwark sign view`, the API's signer-view) shows the cut's selector
    // map: per facet what it gains or loses, the init, and that the cut is the one the auditors attested.
    const view = await getSignerView(client, context.store, { safeTxHash: plan.safeTransactions[1]!.safeTxHash, currentReportHash: releaseReportHash(context) })
    expect(view.diamondCuts).toHaveLength(1)
    const shown = view.diamondCuts[0]!
    expect(shown).toMatchObject({ diamond: kit.diamond, init: kit.erc165Init, initCalldata: plan.diamondCut!.initCalldata, cutHash: plan.diamondCut!.cutHash, approvedCutHash: plan.diamondCut!.cutHash })
    expect(shown.cuts).toEqual(plan.diamondCut!.cuts.map((cut) => ({ facet: cut.facetAddress, action: ['add', 'replace', 'remove'][cut.action], selectors: cut.functionSelectors })))
    // The facets are deployed by the batch itself (no code yet); the init's code is on chain and approved.
    expect(shown.facets.map((facet) => [facet.facet, facet.onChainCodehash])).toEqual([v2, count].map((facet) => [facet, null]))
    expect(shown.initCode).toEqual({ onChainCodehash: keccak256((await client.getCode({ address: kit.erc165Init }))!), approved: true })
    expect(view.alerts.filter((alert) => alert.kind === 'diamond-cut')).toEqual([])
    const text = renderSignerView(view)
    expect(text).toContain(`Diamond cut of ${kit.diamond} (tx.calls[3]):`)
    expect(text).toContain(`  cut hash  ${plan.diamondCut!.cutHash}  the attested cut`)
    for (const cut of plan.diamondCut!.cuts) expect(text).toContain(`          ${cut.functionSelectors.join(' ')}`)
    expect(text).toContain(`  init    ${kit.erc165Init} (code `)

    // Owners confirm each step as `bulwark sign confirm` does; the first step's confirmations approve the patch.
    const confirm = async (step: number) => {
      for (const owner of owners()) {
        const { signature } = await signPlannedSafeTransaction(owner, plan.safeTransactions[step]!)
        await confirmRelease(context, { client, safeTxHash: plan.safeTransactions[step]!.safeTxHash, signature, actor: testActors.signer1 })
      }
    }
    await confirm(0)
    const submitter = devAccount(0)
    const scheduled = await executeRelease({ context, actor, patchId: patch.id, rpcUrl: anvil.rpcUrl, submitter })
    expect(scheduled.patch.status).toBe('scheduled')
    await confirm(1)
    await expect(executeRelease({ context, actor, patchId: patch.id, rpcUrl: anvil.rpcUrl, submitter })).rejects.toMatchObject({ code: 'BW_RELEASE_NOT_READY' })
    await passDelay()
    const released = await executeRelease({ context, actor, patchId: patch.id, rpcUrl: anvil.rpcUrl, submitter })
    expect(released.patch.status).toBe('released')

    // The namespace kept its data across facets: the depositor's balance is still there.
    expect(await client.readContract({ address: kit.diamond, abi: artifacts[0]!.abi, functionName: 'balanceOf', args: [depositor.address] })).toBe(parseEther('1'))

    const verified = await verifyPatchRelease(context, { patchId: patch.id, rpcUrl: anvil.rpcUrl, actor })
    expect(verified.result.checks.filter((check) => !check.ok)).toEqual([])
    expect(verified.result.checks.map((check) => check.check)).toEqual(expect.arrayContaining(['gate released the report', 'gate cut the diamond', 'VaultV2: facet code', 'VaultV2Count: facet code', 'init code', 'cut hash attested', `selector map: ${v2}`, `selector map: ${count}`]))
    expect(verified.patch.status).toBe('verified')

    // A third party with only the public report and an RPC URL: `bulwark verify --report`.
    const reportFile = path.join(dir, 'report.json')
    await writeFile(reportFile, JSON.stringify({ hash: report.hash, ...report.document }))
    const cli = captureIo(dir, {})
    expect(await main(['verify', '--report', reportFile, '--rpc', anvil.rpcUrl, '--json'], cli.io)).toBe(0)
    expect(cli.json()).toMatchObject({ ok: true, gate, reportHash: report.hash })

    // A cut the loupe does not show is caught: someone with the gate's rights removes a selector afterwards.
    await testClient().impersonateAccount({ address: gate })
    await testClient().setBalance({ address: gate, value: parseEther('1') })
    const removal = await testClient().request({ method: 'eth_sendTransaction', params: [{ from: gate, to: kit.diamond, data: encodeDiamondCut([facetCut(zeroAddress, 'remove', [toFunctionSelector('function depositCount()')])], zeroAddress, '0x') }] } as never)
    await client.waitForTransactionReceipt({ hash: removal as Hash })
    await testClient().stopImpersonatingAccount({ address: gate })
    const drifted = captureIo(dir, {})
    expect(await main(['verify', '--report', reportFile, '--rpc', anvil.rpcUrl, '--json'], drifted.io)).toBe(1)
    expect(drifted.json<{ checks: { check: string; ok: boolean; detail: string }[] }>().checks.filter((check) => !check.ok).map((check) => check.check)).toEqual(['selector map: new:VaultV2Count', 'VaultV2Count: facet code', 'cut hash attested'])

    // The init contract's code is checked too: other code at its address (still the attested cut) fails verification.
    await testClient().setCode({ address: kit.erc165Init, bytecode: (await client.getCode({ address: kit.vaultFacet }))! })
    const initSwapped = captureIo(dir, {})
    expect(await main(['verify', '--report', reportFile, '--rpc', anvil.rpcUrl, '--json'], initSwapped.io)).toBe(1)
    const initCheck = initSwapped.json<{ checks: { check: string; ok: boolean; detail: string }[] }>().checks.find((check) => check.check === 'init code')!
    expect(initCheck.ok).toBe(false)
    expect(initCheck.detail).toContain(`${kit.erc165Init} runs ${keccak256((await client.getCode({ address: kit.vaultFacet }))!)}`)
    expect(initCheck.detail).toContain('NOT approved by the gate')
  }, 900_000)

  test('a cut whose selector map differs from the approved one is refused by the gate (ReleaseGateDiamondCutMismatch), nothing cut', async () => {
    const plan = await buildReleasePlan(client, { patchId: 'PATCH-DIAMOND-TAMPERED', report, artifacts, route: route(), gate, create2Deployer, attest: attestWith() })
    // The batch the Safe is asked to schedule approves the attested cut but releases another selector map: VaultV2 without withdraw.
    const withdraw = toFunctionSelector('function withdraw(uint256)')
    const cuts = plan.diamondCut!.cuts.map((cut) => ({ ...cut, functionSelectors: cut.functionSelectors.filter((selector) => selector !== withdraw) }))
    const calls = plan.calls.map((call, index) =>
      index === plan.calls.length - 1 ? { ...call, data: encodeFunctionData({ abi: releaseGateAbi, functionName: 'releaseDiamondCut', args: [plan.gatePatchId, kit.diamond, cuts, plan.diamondCut!.init, plan.diamondCut!.initCalldata] }) } : call,
    )
    // A signer would have seen it: the decoded batch's cut is not the attested cut hash.
    const [schedule] = (await planRouteTransactions(client, { route: route(), chainId: anvil.chainId, gatePatchId: plan.gatePatchId, calls })).safeTransactions
    const decoded = decodeSafeCalldata({ safe: schedule!.safe, to: schedule!.to, value: BigInt(schedule!.value), data: schedule!.data, operation: schedule!.operation, multiSend: canonicalMultiSend })
    expect(decoded.diamondCuts.map((cut) => [cut.cutHash, cut.approvedCutHash])).toEqual([[diamondCutHash({ diamond: kit.diamond, cuts, init: plan.diamondCut!.init, initCalldata: plan.diamondCut!.initCalldata }), plan.diamondCut!.cutHash]])
    expect(decoded.alerts).toContainEqual(expect.objectContaining({ severity: 'critical', kind: 'diamond-cut', path: 'tx.calls[3]' }))
    const { refused, facetsBefore } = await executeDoctored(plan, calls)
    expect(refused).toMatchObject({ code: 'BW_RELEASE_REVERTED' })
    const given = diamondCutHash({ diamond: kit.diamond, cuts, init: plan.diamondCut!.init, initCalldata: plan.diamondCut!.initCalldata })
    expect((refused as Error).message).toContain(`ReleaseGateDiamondCutMismatch(${plan.gatePatchId}, ${plan.diamondCut!.cutHash}, ${given})`)
    expect(await getDiamondFacets(client, { address: kit.diamond })).toEqual(facetsBefore)
    expect((await client.readContract({ address: gate, abi: releaseGateAbi, functionName: 'patchOf', args: [plan.gatePatchId] })).releasedAt).toBe(0n)
  }, 600_000)

  test('a facet whose code the auditors did not attest is refused by the gate (ReleaseGateCodeNotApproved), nothing cut', async () => {
    const plan = await buildReleasePlan(client, { patchId: 'PATCH-DIAMOND-UNATTESTED', report, artifacts, route: route(), gate, create2Deployer, attest: attestWith() })
    // The auditors attested the cut hash and the init, but another facet build than the one the batch deploys.
    const codehashes = [keccak256(toHex('another facet build')), ...plan.codehashes.slice(1)]
    const signatures = (await attestWith(codehashes)({ gate, chainId: anvil.chainId, patchId: plan.gatePatchId, reportHash: report.hash, codehashes })).map((entry) => entry.signature)
    const calls = plan.calls.map((call) => (call.target === gate && call.description.startsWith('approve') ? { ...call, data: encodeFunctionData({ abi: releaseGateAbi, functionName: 'approvePatch', args: [plan.gatePatchId, report.hash, codehashes, signatures] }) } : call))
    const { refused, facetsBefore } = await executeDoctored(plan, calls)
    expect(refused).toMatchObject({ code: 'BW_RELEASE_REVERTED' })
    expect((refused as Error).message).toContain(`ReleaseGateCodeNotApproved(${plan.deployments[0]!.address}, ${plan.deployments[0]!.codehash})`)
    expect(await getDiamondFacets(client, { address: kit.diamond })).toEqual(facetsBefore)
  }, 600_000)
})

function artifactHash(artifact: Artifact): Hex {
  return keccak256(artifact.deployedBytecode)
}
