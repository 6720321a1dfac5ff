import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  BaseError as ViemBaseError,
  ContractFunctionRevertedError,
  getAddress,
  keccak256,
  parseEther,
  sliceHex,
  toHex,
  zeroAddress,
  zeroHash,
  type Address,
  type Hex,
} from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Artifact } from '../compile/artifacts.js'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'
import { createDevClient, createTestChainClient, type TestChainClient } from './clients.js'
import { deployDemoProtocol, type DemoProtocol } from './deployDemoProtocol.js'
import { devAccount, devRoles } from './devAccounts.js'
import { safeArtifacts } from './safeArtifacts.js'
import { startAnvil, type Anvil } from './startAnvil.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

// ERC-1967 slots: bytes32(uint256(keccak256('eip1967.proxy.<name>')) - 1)
const implementationSlot = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc'
const adminSlot = '0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103'
const beaconSlot = '0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50'

const role = (name: string) => keccak256(toHex(name))

let anvil: Anvil
let client: TestChainClient
let build: { artifacts: Artifact[] }
let demo: DemoProtocol
const progress: string[] = []

beforeAll(async () => {
  build = await compileProject({ root })
  anvil = await startAnvil()
  client = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
  demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build, onProgress: (message) => progress.push(message) })
})
afterAll(async () => anvil?.stop())

const abiOf = (name: string) => getArtifact(build, name).abi
const read = (address: Address, name: string, functionName: string, args: readonly unknown[] = []) =>
  client.readContract({ address, abi: abiOf(name), functionName, args })
const slotAddress = async (address: Address, slot: Hex) =>
  getAddress(sliceHex((await client.getStorageAt({ address, slot })) ?? zeroHash, 12, 32))

/** The custom error a call reverts with, decoded against `abi`. */
async function revertOf(call: Promise<unknown>): Promise<{ errorName: string | undefined; args: readonly unknown[] | undefined }> {
  try {
    await call
  } catch (error) {
    const reverted = error instanceof ViemBaseError ? error.walk((cause) => cause instanceof ContractFunctionRevertedError) : undefined
    if (reverted instanceof ContractFunctionRevertedError) return { errorName: reverted.data?.errorName, args: reverted.data?.args ?? [] }
    throw error
  }
  throw new Error('the call did not revert')
}

describe('deployDemoProtocol', () => {
  test('the lending pool is a UUPS proxy upgradeable only through the release gate, paused by the guardian and the seal', async () => {
    const pool = demo.lendingPool.proxy
    expect(await slotAddress(pool, implementationSlot)).toBe(demo.lendingPool.implementation)
    expect(await slotAddress(pool, adminSlot)).toBe(zeroAddress)
    expect(await slotAddress(pool, beaconSlot)).toBe(zeroAddress)
    expect(await read(demo.lendingPool.implementation, 'LendingPool', 'proxiableUUID')).toBe(implementationSlot)
    expect(await read(pool, 'LendingPool', 'version')).toBe('1')

    const hasRole = (name: string, account: Address) => read(pool, 'LendingPool', 'hasRole', [name === 'DEFAULT_ADMIN_ROLE' ? zeroHash : role(name), account])
    expect(await hasRole('DEFAULT_ADMIN_ROLE', demo.timelock)).toBe(true)
    expect(await hasRole('UPGRADER_ROLE', demo.timelock)).toBe(false)
    expect(await hasRole('UPGRADER_ROLE', demo.releaseGate)).toBe(true)
    expect(await hasRole('PAUSER_ROLE', demo.guardian)).toBe(true)
    expect(await hasRole('PAUSER_ROLE', demo.pauseSeal.address)).toBe(true)
    expect(await read(pool, 'LendingPool', 'circuitBreaker')).toBe(demo.circuitBreaker.address)
    for (const name of ['DEFAULT_ADMIN_ROLE', 'UPGRADER_ROLE', 'PAUSER_ROLE']) {
      expect(await hasRole(name, demo.deployer)).toBe(false)
      expect(await hasRole(name, demo.safe)).toBe(false)
    }
  })

  test('the interest rate model is a Transparent proxy whose ProxyAdmin is owned by the release gate', async () => {
    const { proxy, implementation, proxyAdmin } = demo.interestRateModel
    expect(await slotAddress(proxy, implementationSlot)).toBe(implementation)
    expect(await slotAddress(proxy, adminSlot)).toBe(proxyAdmin)
    expect(await slotAddress(proxy, beaconSlot)).toBe(zeroAddress)
    expect(await read(proxyAdmin, 'ProxyAdmin', 'owner')).toBe(demo.releaseGate)
    expect(await read(proxy, 'InterestRateModel', 'owner')).toBe(demo.timelock)
    expect(await read(proxy, 'InterestRateModel', 'parameters')).toEqual([
      parseEther('0.02') / 31_536_000n * 31_536_000n,
      parseEther('0.1') / 31_536_000n * 31_536_000n,
      parseEther('3') / 31_536_000n * 31_536_000n,
      parseEther('0.8'),
    ])
  })

  test('the rewards vaults are beacon proxies of one beacon owned by the release gate', async () => {
    const { beacon, implementation, assetStaking, rewardStaking } = demo.rewardsVaults
    expect(await read(beacon, 'UpgradeableBeacon', 'implementation')).toBe(implementation)
    expect(await read(beacon, 'UpgradeableBeacon', 'owner')).toBe(demo.releaseGate)
    for (const vault of [assetStaking, rewardStaking]) {
      expect(await slotAddress(vault, beaconSlot)).toBe(beacon)
      expect(await slotAddress(vault, implementationSlot)).toBe(zeroAddress)
      expect(await read(vault, 'RewardsVault', 'owner')).toBe(demo.timelock)
      expect(await read(vault, 'RewardsVault', 'guardian')).toBe(demo.guardian)
    }
    expect(await read(assetStaking, 'RewardsVault', 'stakingToken')).toBe(demo.tokens.asset)
    expect(await read(rewardStaking, 'RewardsVault', 'stakingToken')).toBe(demo.tokens.reward)
  })

  test('implementations cannot be initialized directly (the UUPS takeover class)', async () => {
    const attacker = devAccount(devRoles.attacker).address
    const tryInitialize = (address: Address, name: string, args: readonly unknown[]) =>
      revertOf(client.simulateContract({ account: attacker, address, abi: abiOf(name), functionName: 'initialize', args }))
    const expected = { errorName: 'InvalidInitialization', args: [] }
    expect(
      await tryInitialize(demo.lendingPool.implementation, 'LendingPool', [demo.tokens.asset, demo.interestRateModel.proxy, 0n, 0n, attacker, attacker, [attacker], zeroAddress]),
    ).toEqual(expected)
    expect(await tryInitialize(demo.interestRateModel.implementation, 'InterestRateModel', [attacker, 0n, 0n, 0n, 1n])).toEqual(expected)
    expect(await tryInitialize(demo.rewardsVaults.implementation, 'RewardsVault', [demo.tokens.asset, demo.tokens.reward, attacker, attacker, 0n])).toEqual(expected)
  })

  test('the Safe is a real Safe 1.4.1, 2-of-3, owned by dev accounts 1, 2 and 3', async () => {
    const readSafe = (functionName: 'getOwners' | 'getThreshold' | 'VERSION') =>
      client.readContract({ address: demo.safe, abi: safeArtifacts.SafeL2.abi, functionName })
    const owners = devRoles.safeOwners.map((index) => devAccount(index).address)
    expect(await readSafe('VERSION')).toBe('1.4.1')
    expect(await readSafe('getThreshold')).toBe(2n)
    expect(await readSafe('getOwners')).toEqual(owners)
    expect(demo.safeOwners).toEqual(owners)
    expect(demo.threshold).toBe(2)
  })

  test('the timelock waits two days, the Safe proposes and executes, and nobody but the timelock administers it', async () => {
    const timelockRole = (name: string, account: Address) =>
      read(demo.timelock, 'TimelockController', 'hasRole', [name === 'DEFAULT_ADMIN_ROLE' ? zeroHash : role(name), account])
    expect(await read(demo.timelock, 'TimelockController', 'getMinDelay')).toBe(172_800n)
    expect(demo.minDelay).toBe(172_800)
    for (const name of ['PROPOSER_ROLE', 'EXECUTOR_ROLE', 'CANCELLER_ROLE']) expect(await timelockRole(name, demo.safe)).toBe(true)
    expect(await timelockRole('DEFAULT_ADMIN_ROLE', demo.timelock)).toBe(true)
    expect(await timelockRole('DEFAULT_ADMIN_ROLE', demo.deployer)).toBe(false)
    expect(await timelockRole('DEFAULT_ADMIN_ROLE', demo.safe)).toBe(false)
    // Executor is not open to anyone (the zero-address holder would make execution permissionless).
    expect(await timelockRole('EXECUTOR_ROLE', zeroAddress)).toBe(false)

    // The renounced deployer can no longer go around the Safe.
    const deployer = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.deployer) })
    expect(
      await revertOf(
        deployer.simulateContract({
          address: demo.timelock,
          abi: abiOf('TimelockController'),
          functionName: 'grantRole',
          args: [role('PROPOSER_ROLE'), demo.deployer],
        }),
      ),
    ).toEqual({ errorName: 'AccessControlUnauthorizedAccount', args: [demo.deployer, zeroHash] })
  })

  test('only the release gate can upgrade: deployer, Safe and timelock are refused by each proxy kind', async () => {
    for (const account of [demo.deployer, demo.safe, demo.guardian, demo.timelock]) {
      expect(
        await revertOf(
          client.simulateContract({
            account,
            address: demo.lendingPool.proxy,
            abi: abiOf('LendingPool'),
            functionName: 'upgradeToAndCall',
            args: [demo.rewardsVaults.implementation, '0x'],
          }),
        ),
      ).toEqual({ errorName: 'AccessControlUnauthorizedAccount', args: [account, role('UPGRADER_ROLE')] })
      expect(
        await revertOf(
          client.simulateContract({
            account,
            address: demo.rewardsVaults.beacon,
            abi: abiOf('UpgradeableBeacon'),
            functionName: 'upgradeTo',
            args: [demo.lendingPool.implementation],
          }),
        ),
      ).toEqual({ errorName: 'OwnableUnauthorizedAccount', args: [account] })
      expect(
        await revertOf(
          client.simulateContract({
            account,
            address: demo.interestRateModel.proxyAdmin,
            abi: abiOf('ProxyAdmin'),
            functionName: 'upgradeAndCall',
            args: [demo.interestRateModel.proxy, demo.lendingPool.implementation, '0x'],
          }),
        ),
      ).toEqual({ errorName: 'OwnableUnauthorizedAccount', args: [account] })
    }
  })

  test('the guardian can pause the pool but only the timelock can unpause it', async () => {
    const snapshot = await client.snapshot()
    try {
      const guardian = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.guardian) })
      const abi = abiOf('LendingPool')
      const hash = await guardian.writeContract({ address: demo.lendingPool.proxy, abi, functionName: 'pause' })
      expect((await guardian.waitForTransactionReceipt({ hash })).status).toBe('success')
      expect(await read(demo.lendingPool.proxy, 'LendingPool', 'paused')).toBe(true)
      expect(await revertOf(guardian.simulateContract({ address: demo.lendingPool.proxy, abi, functionName: 'unpause' }))).toEqual({
        errorName: 'AccessControlUnauthorizedAccount',
        args: [demo.guardian, zeroHash],
      })
      const depositor = demo.depositors[0]!
      expect(
        await revertOf(client.simulateContract({ account: depositor, address: demo.lendingPool.proxy, abi, functionName: 'withdraw', args: [1n] })),
      ).toEqual({ errorName: 'EnforcedPause', args: [] })
    } finally {
      await client.revert({ id: snapshot })
    }
  })

  test('seeds depositors, borrows, accrued interest and staking history', async () => {
    const pool = demo.lendingPool.proxy
    const poolRead = (functionName: string, args: readonly unknown[] = []) => read(pool, 'LendingPool', functionName, args) as Promise<bigint>
    const [alice, bob, carol, dave] = demo.depositors as [Address, Address, Address, Address]

    // Deposits net of withdrawals, plus the lenders' share of interest (hence "at least").
    const expectedDeposits: [Address, bigint][] = [
      [alice, parseEther('205000')],
      [bob, parseEther('90000')],
      [carol, parseEther('60000')],
      [dave, parseEther('50000')],
    ]
    for (const [account, principal] of expectedDeposits) {
      const balance = await poolRead('depositBalanceOf', [account])
      expect(balance).toBeGreaterThanOrEqual(principal)
      expect(balance).toBeLessThan(principal + parseEther('100'))
    }
    expect(await poolRead('borrowBalanceOf', [alice])).toBeGreaterThan(parseEther('40000'))
    expect(await poolRead('borrowBalanceOf', [bob])).toBeGreaterThanOrEqual(parseEther('15000'))
    expect(await poolRead('borrowBalanceOf', [carol])).toBe(0n)
    expect(await poolRead('supplyIndex')).toBeGreaterThan(parseEther('1'))
    expect(await poolRead('borrowIndex')).toBeGreaterThan(parseEther('1'))
    expect(await poolRead('totalReserves')).toBeGreaterThan(0n)

    // Books balance: the pool's cash is what lenders and the protocol are owed minus what is lent out.
    const cash = (await read(demo.tokens.asset, 'DemoToken', 'balanceOf', [pool])) as bigint
    const [deposits, borrows, reserves] = await Promise.all([poolRead('totalDeposits'), poolRead('totalBorrows'), poolRead('totalReserves')])
    expect(cash).toBeGreaterThan(parseEther('300000'))
    expect(cash - (deposits - borrows + reserves)).toBeGreaterThanOrEqual(0n)
    expect(cash - (deposits - borrows + reserves)).toBeLessThan(parseEther('0.001'))

    expect(await read(demo.rewardsVaults.assetStaking, 'RewardsVault', 'totalStaked')).toBe(parseEther('35000'))
    expect(await read(demo.rewardsVaults.rewardStaking, 'RewardsVault', 'totalStaked')).toBe(parseEther('8000'))
    expect(await read(demo.tokens.asset, 'DemoToken', 'balanceOf', [demo.attacker])).toBe(parseEther('25000'))
    expect(demo.seedTransactionCount).toBeGreaterThanOrEqual(30)
  })

  test('the release gate, private timelock, pause seal and circuit breaker are wired to the timelock, Safe and guardian', async () => {
    const gate = demo.releaseGate
    expect(await read(gate, 'ReleaseGate', 'hasRole', [zeroHash, demo.timelock])).toBe(true)
    for (const releaser of [demo.timelock, demo.privateTimelock]) expect(await read(gate, 'ReleaseGate', 'hasRole', [role('RELEASER_ROLE'), releaser])).toBe(true)
    for (const outsider of [demo.safe, demo.deployer]) {
      expect(await read(gate, 'ReleaseGate', 'hasRole', [zeroHash, outsider])).toBe(false)
      expect(await read(gate, 'ReleaseGate', 'hasRole', [role('RELEASER_ROLE'), outsider])).toBe(false)
    }
    expect(await read(gate, 'ReleaseGate', 'auditors')).toEqual([10, 11, 12].map((index) => devAccount(index).address))
    expect(demo.auditors).toEqual([10, 11, 12].map((index) => devAccount(index).address))
    expect(await read(gate, 'ReleaseGate', 'threshold')).toBe(2n)
    expect(demo.auditorThreshold).toBe(2)

    const timelockRole = (name: string, account: Address) => read(demo.privateTimelock, 'PrivateTimelock', 'hasRole', [name === 'DEFAULT_ADMIN_ROLE' ? zeroHash : role(name), account])
    for (const name of ['PROPOSER_ROLE', 'EXECUTOR_ROLE', 'CANCELLER_ROLE']) expect(await timelockRole(name, demo.safe)).toBe(true)
    expect(await timelockRole('DEFAULT_ADMIN_ROLE', demo.privateTimelock)).toBe(true)
    expect(await timelockRole('DEFAULT_ADMIN_ROLE', demo.deployer)).toBe(false)
    expect(await read(demo.privateTimelock, 'PrivateTimelock', 'getMinDelay')).toBe(86_400n)
    expect(demo.privateMinDelay).toBe(86_400)

    const seal = demo.pauseSeal
    expect(await read(seal.address, 'EmergencyPauseSeal', 'committee')).toBe(demo.guardian)
    expect(await read(seal.address, 'EmergencyPauseSeal', 'targets')).toEqual([demo.lendingPool.proxy])
    expect(await read(seal.address, 'EmergencyPauseSeal', 'maxPauseDuration')).toBe(604_800n)
    expect(await read(seal.address, 'EmergencyPauseSeal', 'expiresAt')).toBe(BigInt(seal.expiresAt))
    expect(await read(seal.address, 'EmergencyPauseSeal', 'isUsable')).toBe(true)
    expect(seal).toMatchObject({ committee: demo.guardian, targets: [demo.lendingPool.proxy], maxPauseDuration: 604_800 })

    const breaker = demo.circuitBreaker
    expect(await read(breaker.address, 'CircuitBreaker', 'owner')).toBe(demo.timelock)
    const [limit, window, , tripped] = (await read(breaker.address, 'CircuitBreaker', 'ruleOf', [demo.lendingPool.proxy, demo.tokens.asset])) as [bigint, bigint, bigint, boolean]
    expect({ limit, window, tripped }).toEqual({ limit: parseEther('100000'), window: 3600n, tripped: false })
    expect(breaker).toEqual({ address: breaker.address, asset: demo.tokens.asset, limit: parseEther('100000').toString(), window: 3600 })
  })

  test('returns plain JSON with checksummed addresses and reports its progress', () => {
    expect(JSON.parse(JSON.stringify(demo))).toEqual(demo)
    const addresses = JSON.stringify(demo).match(/0x[0-9a-fA-F]{40}/g) ?? []
    expect(addresses.length).toBeGreaterThan(20)
    for (const address of addresses) expect(address).toBe(getAddress(address))
    expect(demo.fromBlock).toBe(0)
    expect(demo.blockNumber).toBeGreaterThan(40)
    expect(progress.at(-1)).toBe(`demo protocol deployed at block ${demo.blockNumber}`)
  })

  test('a second deployment on the same chain gets its own Safe and contracts', async () => {
    const snapshot = await client.snapshot()
    try {
      const second = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
      expect(second.safe).not.toBe(demo.safe)
      expect(second.lendingPool.proxy).not.toBe(demo.lendingPool.proxy)
      expect(second.fromBlock).toBeGreaterThanOrEqual(demo.blockNumber)
      expect(await read(second.lendingPool.proxy, 'LendingPool', 'hasRole', [role('UPGRADER_ROLE'), second.releaseGate])).toBe(true)
      expect(second.releaseGate).not.toBe(demo.releaseGate)
    } finally {
      await client.revert({ id: snapshot })
    }
  })

  test('a build without the demo contracts is refused with BW_ARTIFACT_NOT_FOUND', async () => {
    const withoutDemo = { artifacts: build.artifacts.filter((artifact) => !artifact.sourceName.startsWith('contracts/examples/')) }
    await expect(deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build: withoutDemo })).rejects.toMatchObject({
      code: 'BW_ARTIFACT_NOT_FOUND',
    })
  })
})
