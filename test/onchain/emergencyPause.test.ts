/**
 * EmergencyPauseSeal (one use, bounded, expiring) on the demo's lending pool and on a second target,
 * and partial lockdown (one function, one asset) in LendingPool V1 and V2.
 */
import { encodeFunctionData, getContractAddress, parseEther, parseEventLogs, toFunctionSelector, zeroHash, type Abi, type Address, type Hex } from 'viem'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { createDevClient, createTestChainClient, type DevClient, type TestChainClient } from '../../src/chain/clients.js'
import { deployContract } from '../../src/chain/deployContract.js'
import { deployDemoProtocol, demoSealMaxPauseDuration, type DemoProtocol } from '../../src/chain/deployDemoProtocol.js'
import { deployPauseSeal } from '../../src/chain/deployPauseSeal.js'
import { devAccount, devRoles } from '../../src/chain/devAccounts.js'
import { emergencyPauseSealAbi } from '../../src/chain/emergencyPauseSealAbi.js'
import { partialPausableAbi } from '../../src/chain/partialPausableAbi.js'
import { startAnvil, type Anvil } from '../../src/chain/startAnvil.js'
import type { Artifact } from '../../src/compile/artifacts.js'
import { bulwarkRoot } from '../../src/compile/bulwarkRoot.js'
import { compileProject } from '../../src/compile/compileProject.js'
import { getArtifact } from '../../src/compile/getArtifact.js'
import { revertOf, sendAs } from './chainKit.js'

let anvil: Anvil
let client: TestChainClient
let build: { artifacts: Artifact[] }
let demo: DemoProtocol
let guardian: DevClient
let depositor: DevClient
let fresh: Hex

const withdrawSelector = toFunctionSelector('withdraw(uint256)')
const depositSelector = toFunctionSelector('deposit(uint256)')

beforeAll(async () => {
  build = await compileProject({ root: bulwarkRoot() })
  anvil = await startAnvil()
  client = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
  demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
  guardian = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.guardian) })
  depositor = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.depositors[3]) })
  fresh = await client.snapshot()
})
afterAll(async () => anvil?.stop())
beforeEach(async () => {
  await client.revert({ id: fresh })
  fresh = await client.snapshot()
})

const poolAbi = (name = 'LendingPool') => [...getArtifact(build, name).abi, ...partialPausableAbi, ...emergencyPauseSealAbi] as Abi
async function send(from: DevClient, address: Address, abi: Abi, functionName: string, args: readonly unknown[] = []) {
  const hash = await from.sendTransaction({ to: address, data: encodeFunctionData({ abi, functionName, args }) })
  const receipt = await from.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  expect(receipt.status).toBe('success')
  return receipt
}
const simulate = (from: DevClient | Address, address: Address, abi: Abi, functionName: string, args: readonly unknown[] = []) =>
  revertOf(
    typeof from === 'string'
      ? client.simulateContract({ account: from, address, abi, functionName, args })
      : from.simulateContract({ address, abi, functionName, args } as Parameters<DevClient['simulateContract']>[0]),
  )
const seal = (targets: readonly Address[], duration: number) => send(guardian, demo.pauseSeal.address, emergencyPauseSealAbi as Abi, 'seal', [targets, BigInt(duration)])
async function advance(seconds: number) {
  await client.increaseTime({ seconds })
  await client.mine({ blocks: 1 })
}

describe('EmergencyPauseSeal', () => {
  test('the committee pauses the pool for the maximum duration; repayments still work; the pool resumes by itself', async () => {
    const receipt = await seal([demo.lendingPool.proxy], demoSealMaxPauseDuration)
    const { timestamp } = await client.getBlock({ blockNumber: receipt.blockNumber })
    const until = timestamp + BigInt(demoSealMaxPauseDuration)
    expect(parseEventLogs({ abi: emergencyPauseSealAbi, logs: receipt.logs, eventName: 'EmergencyPauseSealUsed' })[0]?.args).toEqual({
      committee: demo.guardian,
      targets: [demo.lendingPool.proxy],
      duration: BigInt(demoSealMaxPauseDuration),
      pausedUntil: until,
    })
    expect(await client.readContract({ address: demo.lendingPool.proxy, abi: partialPausableAbi, functionName: 'pausedUntil' })).toBe(until)
    expect(await simulate(depositor, demo.lendingPool.proxy, poolAbi(), 'withdraw', [parseEther('1')])).toEqual({ errorName: 'PartialPausableTimedPause', args: [until] })
    expect(await simulate(depositor, demo.lendingPool.proxy, poolAbi(), 'deposit', [parseEther('1')])).toEqual({ errorName: 'PartialPausableTimedPause', args: [until] })
    // Repaying lowers the pool's risk and stays open during any pause.
    const alice = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.depositors[0]) })
    await send(alice, demo.lendingPool.proxy, poolAbi(), 'repay', [demo.depositors[0], parseEther('1')])

    // Pause past its maximum duration: not possible — at `until` the pool runs again without anyone acting.
    await advance(demoSealMaxPauseDuration - 2)
    expect(await simulate(depositor, demo.lendingPool.proxy, poolAbi(), 'withdraw', [parseEther('1')])).toEqual({ errorName: 'PartialPausableTimedPause', args: [until] })
    await advance(2)
    await send(depositor, demo.lendingPool.proxy, poolAbi(), 'withdraw', [parseEther('1')])
    expect(await client.readContract({ address: demo.lendingPool.proxy, abi: partialPausableAbi, functionName: 'pausedUntil' })).toBe(0n)
  })

  test('a pause longer than the maximum is refused: EmergencyPauseSealInvalidDuration(requested, maximum)', async () => {
    expect(await simulate(guardian, demo.pauseSeal.address, emergencyPauseSealAbi as Abi, 'seal', [[demo.lendingPool.proxy], BigInt(demoSealMaxPauseDuration + 1)])).toEqual({
      errorName: 'EmergencyPauseSealInvalidDuration',
      args: [BigInt(demoSealMaxPauseDuration + 1), BigInt(demoSealMaxPauseDuration)],
    })
    expect(await simulate(guardian, demo.pauseSeal.address, emergencyPauseSealAbi as Abi, 'seal', [[demo.lendingPool.proxy], 0n])).toEqual({
      errorName: 'EmergencyPauseSealInvalidDuration',
      args: [0n, BigInt(demoSealMaxPauseDuration)],
    })
  })

  test('the seal works once: a second use is refused with EmergencyPauseSealAlreadyUsed(usedAt), even after the pause ended', async () => {
    const receipt = await seal([demo.lendingPool.proxy], 60)
    const { timestamp } = await client.getBlock({ blockNumber: receipt.blockNumber })
    await advance(120)
    expect(await simulate(guardian, demo.pauseSeal.address, emergencyPauseSealAbi as Abi, 'seal', [[demo.lendingPool.proxy], 60n])).toEqual({
      errorName: 'EmergencyPauseSealAlreadyUsed',
      args: [timestamp],
    })
    expect(await client.readContract({ address: demo.pauseSeal.address, abi: emergencyPauseSealAbi, functionName: 'isUsable' })).toBe(false)
  })

  test('an unused seal expires: EmergencyPauseSealExpired(expiresAt)', async () => {
    const { timestamp } = await client.getBlock()
    await advance(demo.pauseSeal.expiresAt - Number(timestamp) + 1)
    expect(await simulate(guardian, demo.pauseSeal.address, emergencyPauseSealAbi as Abi, 'seal', [[demo.lendingPool.proxy], 60n])).toEqual({
      errorName: 'EmergencyPauseSealExpired',
      args: [BigInt(demo.pauseSeal.expiresAt)],
    })
  })

  test('only the committee, only its targets: EmergencyPauseSealUnauthorized, EmergencyPauseSealInvalidTarget', async () => {
    expect(await simulate(depositor, demo.pauseSeal.address, emergencyPauseSealAbi as Abi, 'seal', [[demo.lendingPool.proxy], 60n])).toEqual({
      errorName: 'EmergencyPauseSealUnauthorized',
      args: [demo.depositors[3]],
    })
    expect(await simulate(guardian, demo.pauseSeal.address, emergencyPauseSealAbi as Abi, 'seal', [[demo.tokens.asset], 60n])).toEqual({
      errorName: 'EmergencyPauseSealInvalidTarget',
      args: [demo.tokens.asset],
    })
    expect(await simulate(guardian, demo.pauseSeal.address, emergencyPauseSealAbi as Abi, 'seal', [[], 60n])).toEqual({ errorName: 'EmergencyPauseSealNoTargets', args: [] })
  })

  test('a seal over two targets (a Safe-style committee pausing a subset): each target is paused for the same duration', async () => {
    const committee = devAccount(devRoles.safeOwners[0])
    const committeeClient = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: committee })
    const harnessArtifact = getArtifact(build, 'PausableTargetHarness')
    const { timestamp } = await client.getBlock()
    // The seal's address is known before it exists: the harnesses name it as their pauser.
    const nonce = await client.getTransactionCount({ address: committee.address })
    const sealAddress = getContractAddress({ from: committee.address, nonce: BigInt(nonce + 2) })
    const targets: Address[] = []
    for (let index = 0; index < 2; index += 1) {
      targets.push((await deployContract(committeeClient, { name: 'PausableTargetHarness', abi: harnessArtifact.abi, bytecode: harnessArtifact.bytecode, args: [sealAddress] })).address)
    }
    const sealed = await deployPauseSeal(committeeClient, { build, committee: committee.address, targets, maxPauseDuration: 3600, expiresAt: Number(timestamp) + 86_400 })
    expect(sealed).toBe(sealAddress)
    expect(await client.readContract({ address: sealed, abi: emergencyPauseSealAbi, functionName: 'targets' })).toEqual(targets)

    await send(committeeClient, sealed, emergencyPauseSealAbi as Abi, 'seal', [[targets[1]], 600n])
    expect(await simulate(committeeClient, targets[1]!, harnessArtifact.abi, 'act', [demo.tokens.asset])).toMatchObject({ errorName: 'PartialPausableTimedPause' })
    // The other target was not named, and the seal is spent: it stays unpaused.
    await send(committeeClient, targets[0]!, harnessArtifact.abi, 'act', [demo.tokens.asset])
    expect(await simulate(committeeClient, sealed, emergencyPauseSealAbi as Abi, 'seal', [[targets[0]], 600n])).toMatchObject({ errorName: 'EmergencyPauseSealAlreadyUsed' })

    await expect(deployPauseSeal(committeeClient, { build, committee: committee.address, targets: [targets[0]!, targets[0]!], maxPauseDuration: 1, expiresAt: Number(timestamp) + 86_400 })).rejects.toMatchObject({
      code: 'BW_DEPLOY_FAILED',
    })
  })
})

describe('partial lockdown', () => {
  test('V1: the guardian stops withdrawals only; deposits go on; only the timelock resumes them', async () => {
    const receipt = await send(guardian, demo.lendingPool.proxy, poolAbi(), 'pauseSelector', [withdrawSelector])
    expect(parseEventLogs({ abi: partialPausableAbi, logs: receipt.logs, eventName: 'SelectorPauseChanged' })[0]?.args).toEqual({
      selector: withdrawSelector,
      paused: true,
      account: demo.guardian,
    })
    expect(await simulate(depositor, demo.lendingPool.proxy, poolAbi(), 'withdraw', [parseEther('1')])).toEqual({ errorName: 'PartialPausableSelectorPaused', args: [withdrawSelector] })
    await send(depositor, demo.lendingPool.proxy, poolAbi(), 'deposit', [parseEther('1')])
    expect(await simulate(guardian, demo.lendingPool.proxy, poolAbi(), 'unpauseSelector', [withdrawSelector])).toEqual({
      errorName: 'AccessControlUnauthorizedAccount',
      args: [demo.guardian, zeroHash],
    })
    await sendAs(client, { from: demo.timelock, to: demo.lendingPool.proxy, data: encodeFunctionData({ abi: poolAbi(), functionName: 'unpauseSelector', args: [withdrawSelector] }) })
    await send(depositor, demo.lendingPool.proxy, poolAbi(), 'withdraw', [parseEther('1')])
  })

  test('V1: pausing the asset stops deposits, withdrawals and borrows of it, not repayments', async () => {
    await send(guardian, demo.lendingPool.proxy, poolAbi(), 'pauseAsset', [demo.tokens.asset])
    expect(await client.readContract({ address: demo.lendingPool.proxy, abi: partialPausableAbi, functionName: 'isAssetPaused', args: [demo.tokens.asset] })).toBe(true)
    for (const functionName of ['deposit', 'withdraw', 'borrow']) {
      expect(await simulate(depositor, demo.lendingPool.proxy, poolAbi(), functionName, [parseEther('1')])).toEqual({ errorName: 'PartialPausableAssetPaused', args: [demo.tokens.asset] })
    }
    const alice = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.depositors[0]) })
    await send(alice, demo.lendingPool.proxy, poolAbi(), 'repay', [demo.depositors[0], parseEther('1')])
    expect(await simulate(depositor, demo.lendingPool.proxy, poolAbi(), 'pauseAsset', [demo.tokens.asset])).toEqual({
      errorName: 'AccessControlUnauthorizedAccount',
      args: [demo.depositors[3], await client.readContract({ address: demo.lendingPool.proxy, abi: poolAbi(), functionName: 'PAUSER_ROLE' })],
    })
  })

  test('V2 carries the same module: a fresh V2 pool pauses deposits alone, and its timed pause is lifted early by the admin', async () => {
    const v2 = getArtifact(build, 'LendingPoolV2')
    const proxyArtifact = getArtifact(build, 'ERC1967Proxy')
    const deployer = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.deployer) })
    const admin = devAccount(devRoles.deployer).address
    const { address: implementation } = await deployContract(deployer, { name: 'LendingPoolV2', abi: v2.abi, bytecode: v2.bytecode })
    const initialize = encodeFunctionData({
      abi: v2.abi,
      functionName: 'initialize',
      args: [demo.tokens.asset, demo.interestRateModel.proxy, parseEther('0.5'), parseEther('0.1'), admin, admin, [demo.guardian], demo.circuitBreaker.address],
    })
    const { address: pool } = await deployContract(deployer, { name: 'ERC1967Proxy', abi: proxyArtifact.abi, bytecode: proxyArtifact.bytecode, args: [implementation, initialize] })
    await send(guardian, pool, poolAbi('LendingPoolV2'), 'pauseSelector', [depositSelector])
    expect(await simulate(depositor, pool, poolAbi('LendingPoolV2'), 'deposit', [parseEther('1')])).toEqual({ errorName: 'PartialPausableSelectorPaused', args: [depositSelector] })
    expect(await simulate(guardian, pool, poolAbi('LendingPoolV2'), 'pauseFor', [0n])).toEqual({ errorName: 'PartialPausableInvalidDuration', args: [0n] })
    await send(guardian, pool, poolAbi('LendingPoolV2'), 'pauseFor', [3600n])
    expect(await simulate(depositor, pool, poolAbi('LendingPoolV2'), 'withdraw', [parseEther('1')])).toMatchObject({ errorName: 'PartialPausableTimedPause' })
    await send(deployer, pool, poolAbi('LendingPoolV2'), 'liftTimedPause')
    expect(await client.readContract({ address: pool, abi: partialPausableAbi, functionName: 'pausedUntil' })).toBe(0n)
    // No deposit yet, so withdraw now fails on the books, not on a pause.
    expect(await simulate(depositor, pool, poolAbi('LendingPoolV2'), 'withdraw', [parseEther('1')])).toMatchObject({ errorName: 'LendingPoolInsufficientDeposit' })
  })
})
