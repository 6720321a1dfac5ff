/**
 * ReleaseGate on the demo protocol: a release of its three proxies (UUPS, Transparent, Beacon)
 * through Safe → timelock → gate, and every way the gate fails closed, with its exact custom error.
 */
import { encodeFunctionData, getAddress, hashTypedData, keccak256, parseEventLogs, recoverTypedDataAddress, sliceHex, toHex, zeroAddress, type Address, type Hex } from 'viem'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { createDevClient, createTestChainClient, type TestChainClient } from '../../src/chain/clients.js'
import { deployContract } from '../../src/chain/deployContract.js'
import { demoAuditorAccountIndices, deployDemoProtocol, type DemoProtocol } from '../../src/chain/deployDemoProtocol.js'
import { deployReleaseGate } from '../../src/chain/deployReleaseGate.js'
import { devAccount, devRoles } from '../../src/chain/devAccounts.js'
import { encodeReleaseCalls, type ReleaseUpgrade } from '../../src/chain/encodeReleaseCalls.js'
import { releaseGateAbi } from '../../src/chain/releaseGateAbi.js'
import { scheduleAndExecuteViaSafe } from '../../src/chain/scheduleAndExecuteViaSafe.js'
import { releaseAttestationTypedData, signReleaseAttestation, type ReleaseAttestation } from '../../src/chain/signReleaseAttestation.js'
import { startAnvil, type Anvil } from '../../src/chain/startAnvil.js'
import type { Artifact } from '../../src/compile/artifacts.js'
import { bulwarkRoot } from '../../src/compile/bulwarkRoot.js'
import { compileProject } from '../../src/compile/compileProject.js'
import { getArtifact } from '../../src/compile/getArtifact.js'
import { revertOf, sendAs } from './chainKit.js'

const implementationSlot = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc'
const [auditorA, auditorB, auditorC] = demoAuditorAccountIndices.map((index) => devAccount(index))
const outsider = devAccount(13)

let anvil: Anvil
let client: TestChainClient
let build: { artifacts: Artifact[] }
let demo: DemoProtocol
let fresh: Hex
let implementations: { pool: Address; model: Address; vault: Address }
let codehashes: Hex[]
let upgrades: ReleaseUpgrade[]

beforeAll(async () => {
  build = await compileProject({ root: bulwarkRoot() })
  anvil = await startAnvil()
  client = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
  demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
  // The fix's three implementations, deployed by anyone: only their codehashes matter to the gate.
  const deployer = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.deployer) })
  const deploy = async (name: string) => {
    const artifact = getArtifact(build, name)
    return (await deployContract(deployer, { name, abi: artifact.abi, bytecode: artifact.bytecode })).address
  }
  implementations = { pool: await deploy('LendingPoolV2'), model: await deploy('InterestRateModel'), vault: await deploy('RewardsVault') }
  codehashes = await Promise.all(Object.values(implementations).map(async (address) => keccak256((await client.getCode({ address }))!)))
  upgrades = [
    { kind: 'uups', proxy: demo.lendingPool.proxy, implementation: implementations.pool },
    { kind: 'transparent', proxy: demo.interestRateModel.proxy, admin: demo.interestRateModel.proxyAdmin, implementation: implementations.model },
    { kind: 'beacon', proxy: demo.rewardsVaults.beacon, implementation: implementations.vault },
  ]
  fresh = await client.snapshot()
})
afterAll(async () => anvil?.stop())
beforeEach(async () => {
  await client.revert({ id: fresh })
  fresh = await client.snapshot()
})

const patchId = keccak256(toHex('BW-2025-001'))
const reportHash = keccak256(toHex('{"report":"BW-2025-001"}'))
const attestation = (overrides: Partial<ReleaseAttestation> = {}): ReleaseAttestation => ({
  gate: demo.releaseGate,
  chainId: anvil.chainId,
  patchId,
  reportHash,
  codehashes,
  ...overrides,
})
const sign = (signers: { signTypedData: unknown }[], overrides: Partial<ReleaseAttestation> = {}) =>
  Promise.all(signers.map((signer) => signReleaseAttestation(signer as typeof auditorA & object, attestation(overrides))))

/** Simulates a gate call as `account` (the timelock by default) and returns its custom error. */
const gateRevert = (functionName: 'approvePatch' | 'release', args: readonly unknown[], account: Address = demo.timelock) =>
  revertOf(client.simulateContract({ account, address: demo.releaseGate, abi: releaseGateAbi, functionName, args } as never))

/** `release`'s Upgrade[] argument, as encodeReleaseCalls builds it. */
const releaseArgs = (list: readonly ReleaseUpgrade[] = upgrades) =>
  list.map((upgrade) => ({
    kind: { uups: 0, transparent: 1, beacon: 2 }[upgrade.kind],
    proxy: upgrade.proxy,
    admin: upgrade.admin ?? zeroAddress,
    implementation: upgrade.implementation,
    data: upgrade.data ?? '0x',
  }))

/** The timelock approves `patchId` directly (impersonated), so release-time checks can be tried one by one. */
async function approveAsTimelock(hashes: Hex[] = codehashes) {
  const signatures = await sign([auditorA!, auditorB!], { codehashes: hashes })
  await sendAs(client, { from: demo.timelock, to: demo.releaseGate, data: encodeFunctionData({ abi: releaseGateAbi, functionName: 'approvePatch', args: [patchId, reportHash, hashes, signatures] }) })
}

describe('ReleaseGate: a release of the demo\'s three proxies', () => {
  test('Safe → timelock → gate upgrades UUPS, Transparent and Beacon atomically, and the events prove what was released', async () => {
    const signatures = await sign([auditorC!, auditorA!])
    const result = await scheduleAndExecuteViaSafe({
      rpcUrl: anvil.rpcUrl,
      chainId: anvil.chainId,
      safe: demo.safe,
      timelock: demo.timelock,
      calls: encodeReleaseCalls({ ...attestation(), upgrades, signatures }),
      signers: [devAccount(devRoles.safeOwners[0]), devAccount(devRoles.safeOwners[1])],
    })

    const slot = async (address: Address) => getAddress(sliceHex((await client.getStorageAt({ address, slot: implementationSlot }))!, 12, 32))
    expect(await slot(demo.lendingPool.proxy)).toBe(implementations.pool)
    expect(await slot(demo.interestRateModel.proxy)).toBe(implementations.model)
    expect(await client.readContract({ address: demo.rewardsVaults.beacon, abi: getArtifact(build, 'UpgradeableBeacon').abi, functionName: 'implementation' })).toBe(implementations.vault)

    // Anyone can rebuild the release from the execute transaction's logs.
    const receipt = await client.getTransactionReceipt({ hash: result.executeTransactionHash })
    const logs = parseEventLogs({ abi: releaseGateAbi, logs: receipt.logs })
    const approved = logs.find((log) => log.eventName === 'PatchApproved')!
    expect(approved.args).toEqual({ patchId, reportHash, codehashes, auditors: [auditorC!.address, auditorA!.address], signatures })
    // Each signature recovers to the auditor the gate recorded, over (patch id, report hash, codehashes, chain id).
    for (const [index, signature] of signatures.entries()) {
      expect(await recoverTypedDataAddress({ ...releaseAttestationTypedData(attestation()), signature })).toBe([auditorC!.address, auditorA!.address][index])
    }
    expect(logs.filter((log) => log.eventName === 'UpgradeReleased').map((log) => log.args)).toEqual(
      upgrades.map((upgrade, index) => ({
        patchId,
        proxy: upgrade.proxy,
        kind: index,
        implementation: upgrade.implementation,
        codehash: codehashes[index],
        dataHash: keccak256('0x'),
      })),
    )
    expect(logs.at(-1)).toMatchObject({ eventName: 'PatchReleased', args: { patchId, reportHash, upgradeCount: 3n } })

    const recorded = await client.readContract({ address: demo.releaseGate, abi: releaseGateAbi, functionName: 'patchOf', args: [patchId] })
    expect(recorded).toMatchObject({ reportHash, codehashes, auditors: [auditorC!.address, auditorA!.address] })
    expect(recorded.releasedAt).toBeGreaterThan(0n)
    expect(recorded.approvedAt).toBe(recorded.releasedAt)
    // The on-chain digest is the one the TypeScript side signs.
    expect(await client.readContract({ address: demo.releaseGate, abi: releaseGateAbi, functionName: 'attestationDigest', args: [patchId, reportHash, codehashes] })).toBe(
      hashTypedData(releaseAttestationTypedData(attestation())),
    )

    // Replayed patch: the same id can be neither approved nor released again.
    expect(await gateRevert('approvePatch', [patchId, reportHash, codehashes, signatures])).toEqual({ errorName: 'ReleaseGatePatchReplayed', args: [patchId] })
    expect(await gateRevert('release', [patchId, releaseArgs()])).toEqual({ errorName: 'ReleaseGatePatchReplayed', args: [patchId] })
  })
})

describe('ReleaseGate fails closed', () => {
  test('an attestation from a key outside the registry: ReleaseGateUnknownAuditor(signer)', async () => {
    const signatures = await sign([auditorA!, outsider])
    expect(await gateRevert('approvePatch', [patchId, reportHash, codehashes, signatures])).toEqual({ errorName: 'ReleaseGateUnknownAuditor', args: [outsider.address] })
  })

  test('an attestation signed for another chain recovers to a stranger: ReleaseGateUnknownAuditor', async () => {
    const [otherChain] = await sign([auditorB!], { chainId: 1 })
    const [good] = await sign([auditorA!])
    const { errorName, args } = await gateRevert('approvePatch', [patchId, reportHash, codehashes, [good, otherChain]])
    expect(errorName).toBe('ReleaseGateUnknownAuditor')
    expect(args[0]).not.toBe(auditorB!.address)
  })

  test('the same auditor twice: ReleaseGateDuplicateAttestation(auditor)', async () => {
    const [signature] = await sign([auditorB!])
    expect(await gateRevert('approvePatch', [patchId, reportHash, codehashes, [signature, signature]])).toEqual({
      errorName: 'ReleaseGateDuplicateAttestation',
      args: [auditorB!.address],
    })
  })

  test('fewer attestations than the threshold: ReleaseGateInsufficientAttestations(count, threshold)', async () => {
    expect(await gateRevert('approvePatch', [patchId, reportHash, codehashes, await sign([auditorA!])])).toEqual({
      errorName: 'ReleaseGateInsufficientAttestations',
      args: [1n, 2n],
    })
    expect(await gateRevert('approvePatch', [patchId, reportHash, codehashes, []])).toEqual({ errorName: 'ReleaseGateInsufficientAttestations', args: [0n, 2n] })
  })

  test('a malformed signature: ReleaseGateInvalidSignature(index); no codehashes: ReleaseGateEmptyPatch', async () => {
    const [good] = await sign([auditorA!])
    expect(await gateRevert('approvePatch', [patchId, reportHash, codehashes, [good, '0x1234']])).toEqual({ errorName: 'ReleaseGateInvalidSignature', args: [1n] })
    expect(await gateRevert('approvePatch', [patchId, reportHash, [], []])).toEqual({ errorName: 'ReleaseGateEmptyPatch', args: [] })
  })

  test('approving or releasing without RELEASER_ROLE: the Safe itself is refused', async () => {
    const signatures = await sign([auditorA!, auditorB!])
    const releaserRole = keccak256(toHex('RELEASER_ROLE'))
    expect(await gateRevert('approvePatch', [patchId, reportHash, codehashes, signatures], demo.safe)).toEqual({
      errorName: 'AccessControlUnauthorizedAccount',
      args: [demo.safe, releaserRole],
    })
    expect(await gateRevert('release', [patchId, releaseArgs()], demo.safe)).toEqual({ errorName: 'AccessControlUnauthorizedAccount', args: [demo.safe, releaserRole] })
  })

  test('releasing a patch never approved: ReleaseGateUnknownPatch(patchId)', async () => {
    expect(await gateRevert('release', [patchId, releaseArgs()])).toEqual({ errorName: 'ReleaseGateUnknownPatch', args: [patchId] })
  })

  test('an implementation whose code differs from the approved codehash: ReleaseGateCodehashMismatch(proxy, expected, actual), nothing upgraded', async () => {
    await approveAsTimelock()
    // The Transparent step points at V1's pool implementation instead of the approved model.
    const swapped = upgrades.map((upgrade, index) => (index === 1 ? { ...upgrade, implementation: demo.lendingPool.implementation } : upgrade))
    const actual = keccak256((await client.getCode({ address: demo.lendingPool.implementation }))!)
    expect(await gateRevert('release', [patchId, releaseArgs(swapped)])).toEqual({
      errorName: 'ReleaseGateCodehashMismatch',
      args: [demo.interestRateModel.proxy, codehashes[1], actual],
    })
    // An address without code has the empty codehash (zero for a never-touched account).
    const empty = upgrades.map((upgrade, index) => (index === 2 ? { ...upgrade, implementation: outsider.address } : upgrade))
    expect(await gateRevert('release', [patchId, releaseArgs(empty)])).toEqual({
      errorName: 'ReleaseGateCodehashMismatch',
      args: [demo.rewardsVaults.beacon, codehashes[2], '0x0000000000000000000000000000000000000000000000000000000000000000'],
    })
  })

  test('a release with another number of upgrades than approved codehashes: ReleaseGateUpgradeCountMismatch', async () => {
    await approveAsTimelock()
    expect(await gateRevert('release', [patchId, releaseArgs(upgrades.slice(0, 2))])).toEqual({ errorName: 'ReleaseGateUpgradeCountMismatch', args: [patchId, 3n, 2n] })
  })

  test('initializer calldata on a beacon upgrade: ReleaseGateBeaconCallUnsupported(beacon)', async () => {
    await approveAsTimelock()
    const withData = upgrades.map((upgrade, index) => (index === 2 ? { ...upgrade, data: '0x1234' as Hex } : upgrade))
    expect(await gateRevert('release', [patchId, releaseArgs(withData)])).toEqual({ errorName: 'ReleaseGateBeaconCallUnsupported', args: [demo.rewardsVaults.beacon] })
  })

  test('the registry is the admin\'s: auditors and threshold change only through the timelock, never below reach', async () => {
    const asTimelock = (functionName: 'addAuditor' | 'removeAuditor' | 'setThreshold' | 'handOver', args: readonly unknown[]) =>
      sendAs(client, { from: demo.timelock, to: demo.releaseGate, data: encodeFunctionData({ abi: releaseGateAbi, functionName, args } as never) })
    const read = <T>(functionName: 'auditors' | 'threshold') => client.readContract({ address: demo.releaseGate, abi: releaseGateAbi, functionName }) as Promise<T>
    expect(await gateRevert('approvePatch', [patchId, reportHash, codehashes, []], demo.safe)).toMatchObject({ errorName: 'AccessControlUnauthorizedAccount' })
    const adminOnly = await revertOf(client.simulateContract({ account: demo.safe, address: demo.releaseGate, abi: releaseGateAbi, functionName: 'addAuditor', args: [outsider.address] }))
    expect(adminOnly).toEqual({ errorName: 'AccessControlUnauthorizedAccount', args: [demo.safe, '0x0000000000000000000000000000000000000000000000000000000000000000'] })

    await asTimelock('addAuditor', [outsider.address])
    await asTimelock('setThreshold', [4n])
    expect(await read<bigint>('threshold')).toBe(4n)
    const removeOne = () => revertOf(client.simulateContract({ account: demo.timelock, address: demo.releaseGate, abi: releaseGateAbi, functionName: 'removeAuditor', args: [auditorA!.address] }))
    expect(await removeOne()).toEqual({ errorName: 'ReleaseGateInvalidThreshold', args: [4n, 3n] })
    await asTimelock('setThreshold', [2n])
    await asTimelock('removeAuditor', [auditorA!.address])
    // The last auditor took the removed one's place; the outsider's attestations now count, A's no longer do.
    expect(await read<Address[]>('auditors')).toEqual([outsider.address, auditorB!.address, auditorC!.address])
    expect(await gateRevert('approvePatch', [patchId, reportHash, codehashes, await sign([auditorA!, auditorB!])])).toEqual({ errorName: 'ReleaseGateUnknownAuditor', args: [auditorA!.address] })
    expect(
      await revertOf(client.simulateContract({ account: demo.timelock, address: demo.releaseGate, abi: releaseGateAbi, functionName: 'addAuditor', args: [auditorB!.address] })),
    ).toEqual({ errorName: 'ReleaseGateInvalidAuditor', args: [auditorB!.address] })

    // Retiring the gate: it hands the beacon back to the timelock.
    await asTimelock('handOver', [demo.rewardsVaults.beacon, demo.timelock])
    expect(await client.readContract({ address: demo.rewardsVaults.beacon, abi: getArtifact(build, 'UpgradeableBeacon').abi, functionName: 'owner' })).toBe(demo.timelock)
  })

  test('deployReleaseGate: a threshold above the auditor count is refused at construction (BW_DEPLOY_FAILED)', async () => {
    const deployer = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.deployer) })
    const gate = await deployReleaseGate(deployer, { build, admin: demo.timelock, releasers: [demo.timelock], auditors: [auditorA!.address], threshold: 1 })
    expect(await client.readContract({ address: gate, abi: releaseGateAbi, functionName: 'threshold' })).toBe(1n)
    await expect(deployReleaseGate(deployer, { build, admin: demo.timelock, releasers: [], auditors: [auditorA!.address], threshold: 2 })).rejects.toMatchObject({
      code: 'BW_DEPLOY_FAILED',
    })
  })
})
