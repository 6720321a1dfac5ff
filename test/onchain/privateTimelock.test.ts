/**
 * PrivateTimelock on the demo protocol: the Safe schedules only a commitment; a day later it reveals
 * an operation that deploys LendingPoolV2 with CREATE2 and releases it through the gate in the same
 * transaction. Before that transaction no transaction input, log, storage slot or contract code on
 * the chain holds the fix's bytecode or the upgrade calldata.
 */
import { gunzipSync } from 'node:zlib'
import { encodeFunctionData, getAddress, getContractAddress, keccak256, parseEventLogs, sliceHex, toHex, type Address, type Hex } from 'viem'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { createDevClient, createTestChainClient, type TestChainClient } from '../../src/chain/clients.js'
import { demoAuditorAccountIndices, deployDemoProtocol, type DemoProtocol } from '../../src/chain/deployDemoProtocol.js'
import { deployPrivateTimelock } from '../../src/chain/deployPrivateTimelock.js'
import { devAccount, devRoles } from '../../src/chain/devAccounts.js'
import { encodePrivateDeploy } from '../../src/chain/encodePrivateDeploy.js'
import { encodeReleaseCalls } from '../../src/chain/encodeReleaseCalls.js'
import { TimelockOperationError } from '../../src/chain/errors.js'
import { execSafeTransaction } from '../../src/chain/execSafeTransaction.js'
import { executePrivate } from '../../src/chain/executePrivate.js'
import { hashPrivateOperation } from '../../src/chain/hashPrivateOperation.js'
import { privateTimelockAbi } from '../../src/chain/privateTimelockAbi.js'
import { releaseGateAbi } from '../../src/chain/releaseGateAbi.js'
import type { TimelockCall } from '../../src/chain/scheduleAndExecuteViaSafe.js'
import { schedulePrivate } from '../../src/chain/schedulePrivate.js'
import { signReleaseAttestation } from '../../src/chain/signReleaseAttestation.js'
import { startAnvil, type Anvil } from '../../src/chain/startAnvil.js'
import type { Artifact } from '../../src/compile/artifacts.js'
import { bulwarkRoot } from '../../src/compile/bulwarkRoot.js'
import { compileProject } from '../../src/compile/compileProject.js'
import { getArtifact } from '../../src/compile/getArtifact.js'
import { revertOf } from './chainKit.js'

const implementationSlot = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc'
const signers = [devAccount(devRoles.safeOwners[0]), devAccount(devRoles.safeOwners[2])]

let anvil: Anvil
let client: TestChainClient
let build: { artifacts: Artifact[] }
let demo: DemoProtocol
let fresh: Hex

beforeAll(async () => {
  build = await compileProject({ root: bulwarkRoot() })
  anvil = await startAnvil()
  client = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
  demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
  fresh = await client.snapshot()
})
afterAll(async () => anvil?.stop())
beforeEach(async () => {
  await client.revert({ id: fresh })
  fresh = await client.snapshot()
})

const safeClient = () => createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: signers[0]! })
const viaSafe = () => ({ address: demo.safe, signers })

/**
 * The runtime code `initCode` will have at `address`: created in an eth_call (nothing is sent), then
 * the simulated address is swapped for the real one (UUPS implementations embed their own address).
 */
async function runtimeCodeAt(initCode: Hex, address: Address): Promise<Hex> {
  const from = devAccount(devRoles.deployer).address
  const simulated = getContractAddress({ from, nonce: BigInt(await client.getTransactionCount({ address: from })) })
  const { data } = await client.call({ account: from, data: initCode })
  return data!.replaceAll(simulated.slice(2).toLowerCase(), address.slice(2).toLowerCase()) as Hex
}

/** The private release of LendingPoolV2: deploy with CREATE2, approve the patch, release it — one operation. */
async function privateRelease() {
  const initCode = getArtifact(build, 'LendingPoolV2').bytecode
  const salt = keccak256(toHex('private release salt'))
  const deploy = encodePrivateDeploy({ timelock: demo.privateTimelock, salt, initCode })
  const runtime = await runtimeCodeAt(initCode, deploy.address)
  const attestation = {
    gate: demo.releaseGate,
    chainId: anvil.chainId,
    patchId: keccak256(toHex('BW-PRIVATE-1')),
    reportHash: keccak256(toHex('private report')),
    codehashes: [keccak256(runtime)],
  }
  const signatures = await Promise.all(demoAuditorAccountIndices.slice(1).map((index) => signReleaseAttestation(devAccount(index), attestation)))
  const releaseCalls = encodeReleaseCalls({ ...attestation, upgrades: [{ kind: 'uups', proxy: demo.lendingPool.proxy, implementation: deploy.address }], signatures })
  const calls: TimelockCall[] = [deploy.call, ...releaseCalls]
  return { initCode, runtime, salt, calls, implementation: deploy.address, releaseCalls, attestation }
}

/** Every place on the chain (up to `toBlock`) where one of `needles` appears: transaction inputs, logs, storage words, contract code. */
async function findOnChain(needles: Record<string, Hex>, toBlock: bigint): Promise<string[]> {
  const found: string[] = []
  const search = (where: string, haystack: string) => {
    const text = haystack.toLowerCase()
    for (const [name, needle] of Object.entries(needles)) if (text.includes(needle.slice(2).toLowerCase())) found.push(`${name} in ${where}`)
  }
  for (let number = 0n; number <= toBlock; number += 1n) {
    const block = await client.getBlock({ blockNumber: number, includeTransactions: true })
    for (const transaction of block.transactions) search(`input of ${transaction.hash}`, transaction.input)
  }
  for (const log of await client.getLogs({ fromBlock: 0n, toBlock })) search(`log ${log.logIndex} of ${log.transactionHash}`, log.data + log.topics.join(''))

  // The whole state: every account's code and every storage word, the gate's and the private timelock's included.
  const dump = (await (client.request as unknown as (args: { method: string; params: unknown[] }) => Promise<Hex>)({ method: 'anvil_dumpState', params: [] }))
  const state = JSON.parse(gunzipSync(Buffer.from(dump.slice(2), 'hex')).toString('utf8')) as { accounts: Record<string, { code: Hex; storage: Record<string, Hex> }> }
  // A bytecode kept in storage would sit in 32-byte words: compare every aligned word of each needle too.
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
      search(`storage ${slot} of ${address}`, value)
      const word = words.get(BigInt(value).toString(16))
      if (word) found.push(`a word of ${word} in storage ${slot} of ${address}`)
    }
  }
  return found
}

describe('PrivateTimelock', () => {
  test('schedule publishes a commitment only; execute deploys the fix with CREATE2 and releases it through the gate in one transaction', async () => {
    const release = await privateRelease()
    const commitment = hashPrivateOperation({ calls: release.calls, salt: release.salt })
    expect(await client.readContract({ address: demo.privateTimelock, abi: privateTimelockAbi, functionName: 'hashOperation', args: [release.calls.map((call) => call.target), release.calls.map(() => 0n), release.calls.map((call) => call.data), release.salt] })).toBe(commitment)

    const scheduled = await schedulePrivate(safeClient(), { timelock: demo.privateTimelock, commitment, safe: viaSafe() })
    const scheduleReceipt = await client.getTransactionReceipt({ hash: scheduled.transactionHash })
    const { timestamp } = await client.getBlock({ blockNumber: scheduleReceipt.blockNumber })
    expect(scheduled.readyAt).toBe(timestamp + BigInt(demo.privateMinDelay))
    expect(parseEventLogs({ abi: privateTimelockAbi, logs: scheduleReceipt.logs }).map((log) => log.eventName)).toEqual(['PrivateCallScheduled'])

    // Before execute, the chain holds neither the fix nor the upgrade: not in any input, log, storage word or code.
    const needles = {
      'fix runtime bytecode': release.runtime,
      'fix creation bytecode': release.initCode,
      'approvePatch calldata': release.releaseCalls[0].data,
      'release calldata': release.releaseCalls[1].data,
      'upgradeToAndCall calldata': encodeFunctionData({ abi: getArtifact(build, 'LendingPoolV2').abi, functionName: 'upgradeToAndCall', args: [release.implementation, '0x'] }),
    }
    expect(await findOnChain(needles, scheduleReceipt.blockNumber)).toEqual([])
    expect(await client.getCode({ address: release.implementation })).toBeUndefined()

    await client.increaseTime({ seconds: demo.privateMinDelay })
    await client.mine({ blocks: 1 })
    const executed = await executePrivate(safeClient(), { timelock: demo.privateTimelock, calls: release.calls, salt: release.salt, safe: viaSafe() })
    expect(executed.commitment).toBe(commitment)

    const implementation = getAddress(sliceHex((await client.getStorageAt({ address: demo.lendingPool.proxy, slot: implementationSlot }))!, 12, 32))
    expect(implementation).toBe(release.implementation)
    expect(await client.getCode({ address: implementation })).toBe(release.runtime)
    expect(await client.readContract({ address: demo.lendingPool.proxy, abi: getArtifact(build, 'LendingPoolV2').abi, functionName: 'version' })).toBe('2')
    const receipt = await client.getTransactionReceipt({ hash: executed.transactionHash })
    expect(parseEventLogs({ abi: privateTimelockAbi, logs: receipt.logs }).map((log) => [log.eventName, log.args])).toEqual([
      ['PrivateContractDeployed', { deployed: implementation, salt: release.salt, codehash: keccak256(release.runtime) }],
      ['PrivateCallExecuted', { commitment, callCount: 3n }],
    ])
    expect(parseEventLogs({ abi: releaseGateAbi, logs: receipt.logs, eventName: 'PatchReleased' })[0]?.args.patchId).toBe(release.attestation.patchId)

    // The scan finds what it looks for: the executing transaction carries the fix and the calldata.
    const after = await findOnChain(needles, receipt.blockNumber)
    expect(after).toEqual(expect.arrayContaining([`fix creation bytecode in input of ${executed.transactionHash}`, `release calldata in input of ${executed.transactionHash}`, expect.stringMatching(/^fix runtime bytecode in code of /)]))

    // Double execute: PrivateTimelockAlreadyExecuted(commitment).
    expect(await revertOf(client.simulateContract({ account: demo.safe, address: demo.privateTimelock, abi: privateTimelockAbi, functionName: 'execute', args: [release.calls.map((call) => call.target), release.calls.map(() => 0n), release.calls.map((call) => call.data), release.salt] }))).toEqual({
      errorName: 'PrivateTimelockAlreadyExecuted',
      args: [commitment],
    })
  })

  test('execute before the delay: PrivateTimelockNotReady(commitment, readyAt); revealed calls that differ: PrivateTimelockUnknownCommitment(hash)', async () => {
    const release = await privateRelease()
    const commitment = hashPrivateOperation({ calls: release.calls, salt: release.salt })
    const { readyAt } = await schedulePrivate(safeClient(), { timelock: demo.privateTimelock, commitment, safe: viaSafe() })
    const executeAsSafe = (calls: readonly TimelockCall[], salt: Hex) =>
      revertOf(client.simulateContract({ account: demo.safe, address: demo.privateTimelock, abi: privateTimelockAbi, functionName: 'execute', args: [calls.map((call) => call.target), calls.map(() => 0n), calls.map((call) => call.data), salt] }))

    expect(await executeAsSafe(release.calls, release.salt)).toEqual({ errorName: 'PrivateTimelockNotReady', args: [commitment, readyAt] })
    await client.increaseTime({ seconds: demo.privateMinDelay - 10 })
    await client.mine({ blocks: 1 })
    expect(await executeAsSafe(release.calls, release.salt)).toEqual({ errorName: 'PrivateTimelockNotReady', args: [commitment, readyAt] })
    await client.increaseTime({ seconds: 10 })
    await client.mine({ blocks: 1 })

    // Commitment mismatch: one call swapped, or another salt.
    const tampered = [release.calls[0]!, release.calls[1]!, { ...release.calls[2]!, data: `${release.calls[2]!.data}00` as Hex }]
    expect(await executeAsSafe(tampered, release.salt)).toEqual({ errorName: 'PrivateTimelockUnknownCommitment', args: [hashPrivateOperation({ calls: tampered, salt: release.salt })] })
    const otherSalt = keccak256(toHex('another salt'))
    expect(await executeAsSafe(release.calls, otherSalt)).toEqual({ errorName: 'PrivateTimelockUnknownCommitment', args: [hashPrivateOperation({ calls: release.calls, salt: otherSalt })] })

    // The TypeScript side reports the same revert as BW_GOVERNANCE_FAILED at the execute stage, naming the error.
    const error = await executePrivate(safeClient(), { timelock: demo.privateTimelock, calls: release.calls, salt: otherSalt, safe: viaSafe() }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(TimelockOperationError)
    expect(error).toMatchObject({ code: 'BW_GOVERNANCE_FAILED', stage: 'execute', operationId: hashPrivateOperation({ calls: release.calls, salt: otherSalt }) })
    expect((error as TimelockOperationError).shortMessage).toContain('PrivateTimelockUnknownCommitment')
  })

  test('roles and delay like TimelockController: cancel, proposer-only schedule, minimum delay, self-only deploy and updateDelay', async () => {
    const commitment = keccak256(toHex('some operation'))
    const stranger = devAccount(devRoles.attacker).address
    const asAccount = (account: Address, functionName: 'schedule' | 'cancel' | 'deploy' | 'updateDelay', args: readonly unknown[]) =>
      revertOf(client.simulateContract({ account, address: demo.privateTimelock, abi: privateTimelockAbi, functionName, args } as never))

    expect(await asAccount(stranger, 'schedule', [commitment, 86_400n])).toEqual({ errorName: 'AccessControlUnauthorizedAccount', args: [stranger, keccak256(toHex('PROPOSER_ROLE'))] })
    expect(await asAccount(demo.safe, 'schedule', [commitment, 86_399n])).toEqual({ errorName: 'PrivateTimelockInsufficientDelay', args: [86_399n, 86_400n] })
    expect(await asAccount(demo.safe, 'deploy', [commitment, '0x00'])).toEqual({ errorName: 'PrivateTimelockUnauthorizedCaller', args: [demo.safe] })
    expect(await asAccount(demo.safe, 'updateDelay', [0n])).toEqual({ errorName: 'PrivateTimelockUnauthorizedCaller', args: [demo.safe] })
    expect(await asAccount(demo.safe, 'cancel', [commitment])).toEqual({ errorName: 'PrivateTimelockUnknownCommitment', args: [commitment] })

    await schedulePrivate(safeClient(), { timelock: demo.privateTimelock, commitment, delay: 90_000, safe: viaSafe() })
    expect(await asAccount(demo.safe, 'schedule', [commitment, 86_400n])).toEqual({ errorName: 'PrivateTimelockOperationExists', args: [commitment] })
    expect(await asAccount(stranger, 'cancel', [commitment])).toEqual({ errorName: 'AccessControlUnauthorizedAccount', args: [stranger, keccak256(toHex('CANCELLER_ROLE'))] })
    const cancel = encodeFunctionData({ abi: privateTimelockAbi, functionName: 'cancel', args: [commitment] })
    const { status } = await execSafeTransaction(safeClient(), { safe: demo.safe, to: demo.privateTimelock, data: cancel, value: 0n, signers })
    expect(status).toBe('success')
    expect(await client.readContract({ address: demo.privateTimelock, abi: privateTimelockAbi, functionName: 'isOperationPending', args: [commitment] })).toBe(false)

    // schedulePrivate names the failure: a stranger's schedule is BW_GOVERNANCE_FAILED at the schedule stage.
    const strangerClient = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.attacker) })
    await expect(schedulePrivate(strangerClient, { timelock: demo.privateTimelock, commitment })).rejects.toMatchObject({ code: 'BW_GOVERNANCE_FAILED', stage: 'schedule' })
  })

  test('deployPrivateTimelock: an EOA proposer and open execution (the zero address as executor)', async () => {
    const proposer = devAccount(devRoles.deployer)
    const proposerClient = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: proposer })
    const timelock = await deployPrivateTimelock(proposerClient, { build, minDelay: 60, proposers: [proposer.address], executors: ['0x0000000000000000000000000000000000000000'] })
    const calls: TimelockCall[] = [{ target: timelock, data: encodeFunctionData({ abi: privateTimelockAbi, functionName: 'updateDelay', args: [120n] }) }]
    const salt = keccak256(toHex('delay change'))
    await schedulePrivate(proposerClient, { timelock, commitment: hashPrivateOperation({ calls, salt }) })
    await client.increaseTime({ seconds: 60 })
    await client.mine({ blocks: 1 })
    const anyone = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.attacker) })
    await executePrivate(anyone, { timelock, calls, salt })
    expect(await client.readContract({ address: timelock, abi: privateTimelockAbi, functionName: 'getMinDelay' })).toBe(120n)
  })
})
