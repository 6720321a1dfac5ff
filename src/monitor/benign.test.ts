import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeFunctionData, keccak256, maxUint256, parseEther, toHex, type Abi, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Artifact } from '../compile/artifacts.js'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'
import { createDevClient, createReadClient, type ReadClient } from '../chain/clients.js'
import { deployContract } from '../chain/deployContract.js'
import { deployDemoProtocol, demoAuditorAccountIndices, type DemoProtocol } from '../chain/deployDemoProtocol.js'
import { devAccount, devRoles } from '../chain/devAccounts.js'
import { encodeReleaseCalls } from '../chain/encodeReleaseCalls.js'
import { scheduleAndExecuteViaSafe } from '../chain/scheduleAndExecuteViaSafe.js'
import { signReleaseAttestation } from '../chain/signReleaseAttestation.js'
import { startAnvil, type Anvil } from '../chain/startAnvil.js'
import { openStore, type Store } from '../store/openStore.js'
import { listAlerts } from './alertStore.js'
import { createDetectors } from './detectors/createDetectors.js'
import { processNewBlocks } from './sources/processNewBlocks.js'
import { sendBulk, type BulkCall } from './sources/sendBulk.js'
import type { MonitorScope } from './types.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const implementationSlot = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc' as const
let anvil: Anvil
let build: { artifacts: Artifact[] }
let demo: DemoProtocol
let store: Store
let reader: ReadClient
const chain = { id: 31337, name: 'anvil' }

const abiOf = (name: string): Abi => getArtifact(build, name).abi
const call = (to: Address, abiName: string, functionName: string, args: readonly unknown[]) =>
  encodeFunctionData({ abi: abiOf(abiName), functionName, args } as Parameters<typeof encodeFunctionData>[0])
const setAutomine = (on: boolean) => reader.request({ method: 'evm_setAutomine', params: [on] } as never)

beforeAll(async () => {
  build = await compileProject({ root })
  // A high block gas limit so a few hundred transactions fit in one block.
  anvil = await startAnvil({ extraArgs: ['--gas-limit', '2000000000'] })
  reader = createReadClient({ rpcUrl: anvil.rpcUrl, timeoutMs: 60_000 })
  demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
  store = await openStore({ dataDir: 'memory://' })
}, 120_000)
afterAll(async () => {
  await store?.close()
  await anvil?.stop()
})

describe('benign traffic', () => {
  test('thousands of deposits, withdrawals, swaps and transfers plus a governance release through the gate raise no alert with every detector on', async () => {
    const owner = devAccount(devRoles.deployer)
    const ownerClient = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: owner })
    const deploy = async (name: string, args: readonly unknown[] = []) => (await deployContract(ownerClient, { name, abi: abiOf(name), bytecode: getArtifact(build, name).bytecode, args })).address
    // An AMM pair with deep liquidity, watched as part of the protocol (price-deviation, large-outflow see it).
    const t0 = await deploy('AttackToken', ['COL'])
    const t1 = await deploy('AttackToken', ['USD'])
    const pair = await deploy('SpotPair', [t0, t1])
    const head = await reader.getBlockNumber()
    const scope: MonitorScope = {
      contracts: [demo.lendingPool.proxy, demo.interestRateModel.proxy, demo.rewardsVaults.assetStaking, demo.rewardsVaults.rewardStaking, pair],
      releaseGates: [demo.releaseGate],
      authorities: [demo.timelock, demo.safe, demo.privateTimelock],
    }
    const traders = Array.from({ length: 40 }, (_, i) => privateKeyToAccount(keccak256(toHex(`benign trader ${i}`))))
    for (const trader of traders) await reader.request({ method: 'anvil_setBalance', params: [trader.address, toHex(parseEther('10'))] } as never)
    const depositors = devRoles.depositors.map((index) => devAccount(index))

    await setAutomine(false)
    // Setup: liquidity and traders' balances and approvals (ordinary owner work: mints to users).
    const setup: BulkCall[] = [
      { from: owner, to: t0, data: call(t0, 'AttackToken', 'mint', [owner.address, parseEther('1000000')]), gas: 100_000n },
      { from: owner, to: t1, data: call(t1, 'AttackToken', 'mint', [owner.address, parseEther('1000000')]), gas: 100_000n },
      { from: owner, to: t0, data: call(t0, 'AttackToken', 'approve', [pair, maxUint256]), gas: 100_000n },
      { from: owner, to: t1, data: call(t1, 'AttackToken', 'approve', [pair, maxUint256]), gas: 100_000n },
      { from: owner, to: pair, data: call(pair, 'SpotPair', 'addLiquidity', [parseEther('1000000'), parseEther('1000000')]), gas: 300_000n },
      ...traders.flatMap((trader): BulkCall[] => [
        { from: owner, to: t0, data: call(t0, 'AttackToken', 'mint', [trader.address, parseEther('10000')]), gas: 100_000n },
        { from: owner, to: t1, data: call(t1, 'AttackToken', 'mint', [trader.address, parseEther('10000')]), gas: 100_000n },
        { from: trader, to: t0, data: call(t0, 'AttackToken', 'approve', [pair, maxUint256]), gas: 100_000n },
        { from: trader, to: t1, data: call(t1, 'AttackToken', 'approve', [pair, maxUint256]), gas: 100_000n },
      ]),
    ]
    const hashes = await sendBulk(reader as never, { chainId: anvil.chainId, calls: setup, perBlock: 200 })

    // Ordinary traffic: each round, every trader swaps a small amount (alternating direction) or
    // sends tokens/ETH to another trader, and every depositor deposits and withdraws a little.
    const traffic = (rounds: number): BulkCall[] => {
      const calls: BulkCall[] = []
      for (let round = 0; round < rounds; round++) {
        traders.forEach((trader, i) => {
          const other = traders[(i + round + 1) % traders.length]!
          const kind = (i + round) % 4
          if (kind === 0) calls.push({ from: trader, to: pair, data: call(pair, 'SpotPair', 'swap', [t0, parseEther(String(50 + i))]), gas: 200_000n })
          else if (kind === 1) calls.push({ from: trader, to: pair, data: call(pair, 'SpotPair', 'swap', [t1, parseEther(String(50 + i))]), gas: 200_000n })
          else if (kind === 2) calls.push({ from: trader, to: t1, data: call(t1, 'AttackToken', 'transfer', [other.address, parseEther('1')]), gas: 100_000n })
          else calls.push({ from: trader, to: other.address, value: 1_000_000_000n, gas: 21_000n })
        })
        for (const depositor of depositors) {
          // Net inflow, small amounts: far below the breaker's 100,000 dUSD an hour.
          calls.push({ from: depositor, to: demo.lendingPool.proxy, data: call(demo.lendingPool.proxy, 'LendingPool', 'deposit', [parseEther('50')]), gas: 400_000n })
          calls.push({ from: depositor, to: demo.lendingPool.proxy, data: call(demo.lendingPool.proxy, 'LendingPool', 'withdraw', [parseEther('20')]), gas: 400_000n })
        }
      }
      return calls
    }
    hashes.push(...(await sendBulk(reader as never, { chainId: anvil.chainId, calls: traffic(30), perBlock: 48 })))

    // Ordinary admin work through the release path: the V2 fix, attested by two auditors,
    // approved and released by the gate in one timelock batch scheduled and executed by the Safe.
    await setAutomine(true)
    const implementation = await deploy('LendingPoolV2')
    const codehash = keccak256((await reader.getCode({ address: implementation }))!)
    const patchId = keccak256(toHex('BW-DEMO-1 reentrancy in withdraw'))
    const reportHash = keccak256(toHex('validation report of BW-DEMO-1'))
    const attestation = { gate: demo.releaseGate, chainId: anvil.chainId, patchId, reportHash, codehashes: [codehash] }
    const signatures = await Promise.all(demoAuditorAccountIndices.slice(0, 2).map((index) => signReleaseAttestation(devAccount(index), attestation)))
    await scheduleAndExecuteViaSafe({
      rpcUrl: anvil.rpcUrl,
      chainId: anvil.chainId,
      safe: demo.safe,
      timelock: demo.timelock,
      calls: encodeReleaseCalls({ ...attestation, upgrades: [{ kind: 'uups', proxy: demo.lendingPool.proxy, implementation }], signatures }),
      signers: [devAccount(devRoles.safeOwners[0]), devAccount(devRoles.safeOwners[2])],
    })
    const slot = (await reader.getStorageAt({ address: demo.lendingPool.proxy, slot: implementationSlot })) as Hex
    expect(`0x${slot.slice(-40)}`.toLowerCase()).toBe(implementation.toLowerCase())

    // More traffic on the upgraded pool.
    await setAutomine(false)
    hashes.push(...(await sendBulk(reader as never, { chainId: anvil.chainId, calls: traffic(30), perBlock: 48 })))
    await setAutomine(true)

    // Every benign transaction was mined and succeeded (a revert would make the test prove nothing).
    const receipts = await Promise.all(hashes.map((hash) => reader.request({ method: 'eth_getTransactionReceipt', params: [hash] })))
    expect(receipts.filter((r) => r?.status !== '0x1').map((r) => r?.transactionHash ?? 'missing')).toEqual([])
    expect(hashes.length).toBeGreaterThanOrEqual(3_000)

    const result = await processNewBlocks({ client: reader as never, store, chain, detectors: createDetectors(), scope, memory: new Map(), startBlock: head + 1n })
    expect(result.processed).toBeGreaterThan(60)
    expect(result.alerts.map((a) => `${a.detector}: ${a.summary}`)).toEqual([])
    expect(await listAlerts(store, { chainId: chain.id })).toEqual([])
  }, 240_000)
})
