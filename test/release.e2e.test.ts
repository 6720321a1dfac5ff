/**
 * Issue 6 end to end on anvil, real Safe 1.4.1, TimelockController, PrivateTimelock and ReleaseGate:
 * the demo's LendingPoolV2 goes from a passing report to verified on the private, standard and
 * emergency routes; the private route leaves no trace of the fix before its execute; and the
 * failures a release can meet are refused with their stable codes, leaving the chain unchanged.
 */
import { gunzipSync } from 'node:zlib'
import { concat, encodeFunctionData, encodePacked, hexToNumber, keccak256, pad, parseAbi, size, slice, stringToHex, toHex, type Address, type Hex } from 'viem'
import type { HDAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDevClient, createReadClient, createTestChainClient } from '../src/chain/clients.js'
import { demoAuditorAccountIndices, demoSecurityCouncilAccountIndices, deployDemoProtocol, type DemoProtocol } from '../src/chain/deployDemoProtocol.js'
import { devAccount, devRoles } from '../src/chain/devAccounts.js'
import { releaseGateAbi } from '../src/chain/releaseGateAbi.js'
import { signReleaseAttestation } from '../src/chain/signReleaseAttestation.js'
import { startAnvil, type Anvil } from '../src/chain/startAnvil.js'
import type { Artifact } from '../src/compile/artifacts.js'
import { bulwarkRoot } from '../src/compile/bulwarkRoot.js'
import { compileProject } from '../src/compile/compileProject.js'
import { getArtifact } from '../src/compile/getArtifact.js'
import { buildReleasePlan, type ReleaseReportInput, type ReleaseRouteConfig } from '../src/release/buildReleasePlan.js'
import { canonicalHash } from '../src/release/canonicalHash.js'
import { executeReleaseStep } from '../src/release/executeReleaseStep.js'
import type { SignedReleasePlan } from '../src/release/plan.js'
import { planSafeTransaction, signPlannedSafeTransaction } from '../src/release/safeTransactions.js'
import { verifyRelease } from '../src/release/verifyRelease.js'

let anvil: Anvil
let demo: DemoProtocol
let artifacts: Artifact[]
let v2: Artifact
const governanceOwners = devRoles.safeOwners.map((index) => devAccount(index))
const councilOwners = demoSecurityCouncilAccountIndices.map((index) => devAccount(index))
const submitter = devAccount(devRoles.deployer)

beforeAll(async () => {
  anvil = await startAnvil()
  const build = await compileProject({ root: bulwarkRoot() })
  artifacts = build.artifacts
  v2 = getArtifact(build, 'contracts/examples/LendingPoolV2.sol:LendingPoolV2')
  demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
}, 120_000)

afterAll(async () => {
  await anvil?.stop()
})

const reader = () => createReadClient({ rpcUrl: anvil.rpcUrl })
const client = () => createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: submitter })
const testClient = () => createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })

/** A passing validation report of V2 on the pool (the shape `bulwark validate` writes), hashed the same way. */
function v2Report(tag: string, runtime: Hex = v2.deployedBytecode): ReleaseReportInput & { document: { chain: { chainId: number; blockNumber: string } } } {
  const document = {
    reportVersion: 1,
    tag,
    verdict: 'pass' as const,
    chain: { chainId: anvil.chainId, blockNumber: String(demo.blockNumber) },
    targets: [
      {
        name: 'LendingPool',
        proxy: demo.lendingPool.proxy,
        implementation: { contract: 'contracts/examples/LendingPoolV2.sol:LendingPoolV2', runtimeCodeHash: keccak256(runtime) },
        initializerCalldata: '0x' as Hex,
      },
    ],
  }
  return { hash: canonicalHash(document), document }
}

function route(name: ReleaseRouteConfig['name']): ReleaseRouteConfig {
  if (name === 'standard') return { name, safe: demo.safe, timelock: demo.timelock }
  if (name === 'private') return { name, safe: demo.safe, timelock: demo.privateTimelock }
  return { name, safe: demo.securityCouncil.safe, multiSendCallOnly: demo.safeInfrastructure.multiSendCallOnly }
}

async function plan(patchId: string, name: ReleaseRouteConfig['name'], options: { report?: ReleaseReportInput; tamperCodehash?: boolean } = {}): Promise<SignedReleasePlan> {
  const built = await buildReleasePlan(reader(), {
    patchId,
    report: options.report ?? v2Report(patchId),
    artifacts,
    route: route(name),
    gate: demo.releaseGate,
    create2Deployer: demo.create2Deployer,
    attest: (request) => attest(request.codehashes, request),
  })
  if (!options.tamperCodehash) return built
  // A tampered emergency batch: auditors attest, and the gate approves, a codehash that is not the deployed code's.
  const codehashes = built.codehashes.map(() => keccak256(stringToHex('not the validated code')))
  const signatures = (await attest(codehashes, { gate: built.gate, chainId: built.chain.chainId, patchId: built.gatePatchId, reportHash: built.reportHash })).map((entry) => entry.signature)
  const calls = built.calls.map((call) =>
    call.description.startsWith('approve') ? { ...call, data: encodeFunctionData({ abi: releaseGateAbi, functionName: 'approvePatch', args: [built.gatePatchId, built.reportHash, codehashes, signatures] }) } : call,
  )
  const packed = concat(calls.map((call) => encodePacked(['uint8', 'address', 'uint256', 'uint256', 'bytes'], [0, call.target, 0n, BigInt(size(call.data)), call.data])))
  const transaction = planSafeTransaction({ ...built.safeTransactions[0]!, purpose: 'release', operation: 1, value: 0n, nonce: BigInt(built.safeTransactions[0]!.nonce), data: encodeFunctionData({ abi: parseAbi(['function multiSend(bytes)']), functionName: 'multiSend', args: [packed] }) })
  return { ...built, codehashes, calls, safeTransactions: [transaction] }
}

async function attest(codehashes: readonly Hex[], request: { gate: Address; chainId: number; patchId: Hex; reportHash: Hex }) {
  return Promise.all(demoAuditorAccountIndices.slice(0, 2).map(async (index) => ({ auditor: devAccount(index).address, signature: await signReleaseAttestation(devAccount(index), { ...request, codehashes }) })))
}

async function sign(plan: SignedReleasePlan, step: number, count = plan.route.threshold) {
  const owners = plan.route.name === 'emergency' ? councilOwners : governanceOwners
  return Promise.all(owners.slice(0, count).map((owner) => signPlannedSafeTransaction(owner, plan.safeTransactions[step]!)))
}

async function passDelay(seconds: number) {
  await testClient().increaseTime({ seconds: seconds + 1 })
  await testClient().mine({ blocks: 1 })
}

async function expectCode(promise: Promise<unknown>, code: string) {
  await expect(promise).rejects.toMatchObject({ code })
}

async function implementationOf(proxy: Address): Promise<Address> {
  const slot = await reader().getStorageAt({ address: proxy, slot: '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc' })
  return `0x${slot!.slice(26)}` as Address
}

describe('release routes, validated → verified', () => {
  test('private route: nothing of the fix is on chain before the execute, which deploys and releases it at once', async () => {
    const releasePlan = await plan('PATCH-PRIVATE', 'private')
    expect(releasePlan.route).toMatchObject({ name: 'private', threshold: 2, delay: demo.privateMinDelay })
    expect(releasePlan.deployments[0]!.deployer).toBe(demo.privateTimelock)
    const startBlock = await reader().getBlockNumber()
    await executeReleaseStep(client(), { plan: releasePlan, step: 0, signatures: await sign(releasePlan, 0) })
    // Execute before the delay: refused before anything is sent.
    await expectCode(executeReleaseStep(client(), { plan: releasePlan, step: 1, signatures: await sign(releasePlan, 1) }), 'BW_RELEASE_NOT_READY')
    await passDelay(releasePlan.route.delay)

    const needles = {
      'creation code': v2.bytecode,
      'runtime code': v2.deployedBytecode,
      'release calldata': releasePlan.calls.find((call) => call.description.startsWith('release'))!.data,
    }
    const beforeExecute = await reader().getBlockNumber()
    expect(await findOnChain(needles, startBlock, beforeExecute)).toEqual([])

    const executed = await executeReleaseStep(client(), { plan: releasePlan, step: 1, signatures: await sign(releasePlan, 1) })
    expect(await implementationOf(demo.lendingPool.proxy)).toBe(releasePlan.deployments[0]!.address.toLowerCase())
    // The scan sees what it looks for once the execute revealed it.
    expect((await findOnChain(needles, beforeExecute + 1n, executed.blockNumber)).length).toBeGreaterThan(0)

    const verification = await verifyRelease(reader(), { report: v2Report('PATCH-PRIVATE') })
    expect(verification.ok).toBe(true)
    expect(verification.targets[0]).toMatchObject({ implementation: releasePlan.deployments[0]!.address, codehash: releasePlan.codehashes[0], match: 'exact', immutables: 'located-by-value' })
    // A second execute is refused: the gate has released this patch.
    await expectCode(executeReleaseStep(client(), { plan: releasePlan, step: 1, signatures: await sign(releasePlan, 1) }), 'BW_RELEASE_ALREADY_EXECUTED')
  }, 180_000)

  test('standard route: Safe schedules the batch, executes after the delay; verified with build-info immutables', async () => {
    const releasePlan = await plan('PATCH-STANDARD', 'standard')
    expect(releasePlan.safeTransactions.map((transaction) => transaction.purpose)).toEqual(['schedule', 'execute'])
    // Below threshold: refused.
    await expectCode(executeReleaseStep(client(), { plan: releasePlan, step: 0, signatures: await sign(releasePlan, 0, 1) }), 'BW_RELEASE_SIGNATURES_MISSING')
    // The execute signed before the schedule ran is at a future nonce.
    await expectCode(executeReleaseStep(client(), { plan: releasePlan, step: 1, signatures: await sign(releasePlan, 1) }), 'BW_RELEASE_NONCE_CONFLICT')
    await executeReleaseStep(client(), { plan: releasePlan, step: 0, signatures: await sign(releasePlan, 0) })
    await expectCode(executeReleaseStep(client(), { plan: releasePlan, step: 1, signatures: await sign(releasePlan, 1) }), 'BW_RELEASE_NOT_READY')
    await passDelay(releasePlan.route.delay)
    await executeReleaseStep(client(), { plan: releasePlan, step: 1, signatures: await sign(releasePlan, 1) })
    expect(await implementationOf(demo.lendingPool.proxy)).toBe(releasePlan.upgrades[0]!.implementation.toLowerCase())

    const references = (await compileProject({ root: bulwarkRoot() })).buildInfo.output.contracts['contracts/examples/LendingPoolV2.sol']!.LendingPoolV2!.evm!.deployedBytecode!
    const verification = await verifyRelease(reader(), {
      report: v2Report('PATCH-STANDARD'),
      builds: { 'contracts/examples/LendingPoolV2.sol:LendingPoolV2': { deployedBytecode: v2.deployedBytecode, immutableReferences: references.immutableReferences as never } },
    })
    expect(verification.ok).toBe(true)
    expect(verification.targets[0]).toMatchObject({ match: 'exact', immutables: 'build-info' })
    await expectCode(executeReleaseStep(client(), { plan: releasePlan, step: 1, signatures: await sign(releasePlan, 1) }), 'BW_RELEASE_ALREADY_EXECUTED')
  }, 180_000)

  test('emergency route: the 3-of-4 council releases in one MultiSend transaction, no delay, with EIP-712, eth_sign and approved-hash signatures', async () => {
    const releasePlan = await plan('PATCH-EMERGENCY', 'emergency')
    expect(releasePlan.route).toMatchObject({ name: 'emergency', safe: demo.securityCouncil.safe, threshold: 3, delay: 0 })
    expect(releasePlan.safeTransactions).toHaveLength(1)
    expect(releasePlan.safeTransactions[0]).toMatchObject({ operation: 1, to: demo.safeInfrastructure.multiSendCallOnly })
    // Governance Safe owners are not council owners.
    await expectCode(executeReleaseStep(client(), { plan: releasePlan, step: 0, signatures: await Promise.all(governanceOwners.map((owner) => signPlannedSafeTransaction(owner, releasePlan.safeTransactions[0]!))) }), 'BW_RELEASE_SIGNATURES_MISSING')
    // The three signature types a Safe accepts, one each: EIP-712, eth_sign (v + 4), a hash approved on chain (v = 1).
    const planned = releasePlan.safeTransactions[0]!
    const [typed, signed, approving] = councilOwners as [HDAccount, HDAccount, HDAccount]
    const ethSign = await signed.signMessage({ message: { raw: planned.safeTxHash } })
    await testClient().setBalance({ address: approving.address, value: 10n ** 18n })
    const approver = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: approving })
    const approval = await approver.writeContract({ address: planned.safe, abi: parseAbi(['function approveHash(bytes32)']), functionName: 'approveHash', args: [planned.safeTxHash] })
    expect((await approver.waitForTransactionReceipt({ hash: approval, pollingInterval: 20 })).status).toBe('success')
    const mixed = [
      await signPlannedSafeTransaction(typed, planned),
      { signer: signed.address, signature: concat([slice(ethSign, 0, 64), toHex(hexToNumber(slice(ethSign, 64, 65)) + 4, { size: 1 })]) },
      { signer: approving.address, signature: concat([pad(approving.address, { size: 32 }), pad('0x00', { size: 32 }), '0x01']) },
    ]
    // Two of them are below the threshold of 3: refused before anything is sent.
    await expectCode(executeReleaseStep(client(), { plan: releasePlan, step: 0, signatures: mixed.slice(1) }), 'BW_RELEASE_SIGNATURES_MISSING')
    await executeReleaseStep(client(), { plan: releasePlan, step: 0, signatures: mixed })
    expect(await implementationOf(demo.lendingPool.proxy)).toBe(releasePlan.upgrades[0]!.implementation.toLowerCase())
    expect((await verifyRelease(reader(), { report: v2Report('PATCH-EMERGENCY'), gate: demo.releaseGate })).ok).toBe(true)
    await expectCode(executeReleaseStep(client(), { plan: releasePlan, step: 0, signatures: await sign(releasePlan, 0) }), 'BW_RELEASE_ALREADY_EXECUTED')
  }, 180_000)

  test('a codehash mismatch at release is refused with the gate\'s error and leaves the chain unchanged (retryable)', async () => {
    const before = await implementationOf(demo.lendingPool.proxy)
    const releasePlan = await plan('PATCH-MISMATCH', 'emergency', { tamperCodehash: true })
    const nonce = releasePlan.safeTransactions[0]!.nonce
    const simulatorRuntime = getArtifact({ artifacts }, 'contracts/release/ReleaseSimulator.sol:ReleaseSimulator').deployedBytecode
    const error = await executeReleaseStep(client(), { plan: releasePlan, step: 0, signatures: await sign(releasePlan, 0), simulatorRuntime }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'BW_RELEASE_REVERTED' })
    expect((error as Error).message).toContain('ReleaseGateCodehashMismatch')
    expect(await implementationOf(demo.lendingPool.proxy)).toBe(before)
    // Nothing was consumed: a correct plan at the same nonce goes through.
    const fixed = await plan('PATCH-MISMATCH', 'emergency')
    expect(fixed.safeTransactions[0]!.nonce).toBe(nonce)
    await executeReleaseStep(client(), { plan: fixed, step: 0, signatures: await sign(fixed, 0) })
  }, 180_000)

  test('a verification of code that is not the validated build fails, as data', async () => {
    // The report claims another runtime than the one released for this patch.
    const verification = await verifyRelease(reader(), { report: { ...v2Report('PATCH-EMERGENCY'), document: { ...v2Report('PATCH-EMERGENCY').document, targets: v2Report('X', getArtifact({ artifacts }, 'contracts/examples/LendingPool.sol:LendingPool').deployedBytecode).document.targets } } })
    expect(verification.ok).toBe(false)
    expect((await verifyRelease(reader(), { report: v2Report('never released') })).checks[0]).toMatchObject({ check: 'gate released the report', ok: false })
  }, 30_000)

  test('plans refuse a failing report', async () => {
    const failing = v2Report('PATCH-FAIL')
    await expectCode(plan('PATCH-FAIL', 'standard', { report: { ...failing, document: { ...failing.document, verdict: 'fail' } } }), 'BW_RELEASE_PLAN_INVALID')
  })
})

/** Every place in blocks `fromBlock..toBlock` and in the state where one of `needles` appears: transaction inputs, logs, storage words, code. */
async function findOnChain(needles: Record<string, Hex>, fromBlock: bigint, toBlock: bigint): Promise<string[]> {
  const client = reader()
  const found: string[] = []
  const search = (where: string, haystack: string) => {
    const text = haystack.toLowerCase()
    for (const [name, needle] of Object.entries(needles)) if (text.includes(needle.slice(2).toLowerCase())) found.push(`${name} in ${where}`)
  }
  for (let number = fromBlock; number <= toBlock; number += 1n) {
    const block = await client.getBlock({ blockNumber: number, includeTransactions: true })
    for (const transaction of block.transactions) search(`input of ${transaction.hash}`, transaction.input)
  }
  for (const log of await client.getLogs({ fromBlock, toBlock })) search(`log ${log.logIndex} of ${log.transactionHash}`, log.data + log.topics.join(''))
  const dump = await (client.request as unknown as (args: { method: string; params: unknown[] }) => Promise<Hex>)({ method: 'anvil_dumpState', params: [] })
  const state = JSON.parse(gunzipSync(Buffer.from(dump.slice(2), 'hex')).toString('utf8')) as { accounts: Record<string, { code: Hex; storage: Record<string, Hex> }> }
  const words = new Map<string, string>()
  for (const [name, needle] of Object.entries(needles)) {
    for (let offset = 2; offset + 64 <= needle.length; offset += 64) {
      const word = needle.slice(offset, offset + 64).toLowerCase()
      if (!/^0*$/.test(word)) words.set(BigInt(`0x${word}`).toString(16), name)
    }
  }
  for (const [address, account] of Object.entries(state.accounts)) {
    search(`code of ${address}`, account.code)
    for (const [slot, value] of Object.entries(account.storage)) {
      const word = words.get(BigInt(value).toString(16))
      if (word) found.push(`a word of ${word} in storage ${slot} of ${address}`)
    }
  }
  return found
}
