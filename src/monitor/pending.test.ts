import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseEther, type Abi, type Hash } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Artifact } from '../compile/artifacts.js'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'
import { createDevClient, createReadClient, createTestChainClient, type ReadClient } from '../chain/clients.js'
import { deployContract } from '../chain/deployContract.js'
import { deployDemoProtocol, type DemoProtocol } from '../chain/deployDemoProtocol.js'
import { devAccount, devRoles } from '../chain/devAccounts.js'
import { startAnvil, type Anvil } from '../chain/startAnvil.js'
import { createDetectors, runDetectors } from './detectors/createDetectors.js'
import { tracePending } from './sources/tracePending.js'
import type { DetectorFinding, MonitorScope } from './types.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
let anvil: Anvil
let build: { artifacts: Artifact[] }
let demo: DemoProtocol
let reader: ReadClient

beforeAll(async () => {
  build = await compileProject({ root })
  anvil = await startAnvil()
  reader = createReadClient({ rpcUrl: anvil.rpcUrl })
  demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
}, 120_000)
afterAll(async () => {
  await anvil?.stop()
})

describe('pending transactions', () => {
  test('the demo exploit sent to the mempool is simulated and flagged (pending: true) before it is mined', async () => {
    const abiOf = (name: string): Abi => getArtifact(build, name).abi
    const attacker = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.attacker) })
    const testClient = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
    const seed = parseEther('25000')
    const { address: contract } = await deployContract(attacker, {
      name: 'LendingPoolAttacker',
      abi: abiOf('LendingPoolAttacker'),
      bytecode: getArtifact(build, 'LendingPoolAttacker').bytecode,
      args: [demo.lendingPool.proxy, demo.tokens.asset],
    })
    const approve = await attacker.writeContract({ address: demo.tokens.asset, abi: abiOf('DemoToken'), functionName: 'approve', args: [contract, seed] } as never)
    await attacker.waitForTransactionReceipt({ hash: approve, pollingInterval: 20 })
    await testClient.increaseTime({ seconds: demo.circuitBreaker.window })
    await testClient.mine({ blocks: 1 })

    // From here blocks are mined only on request: the exploit waits in the mempool.
    await testClient.setAutomine(false)
    const head = await reader.getBlockNumber({ cacheTime: 0 })
    const hash: Hash = await attacker.writeContract({ address: contract, abi: abiOf('LendingPoolAttacker'), functionName: 'attack', args: [seed], gas: 5_000_000n } as never)
    const chain = { id: anvil.chainId, name: 'anvil' }
    const seen = new Set<string>()
    const events = await tracePending(reader as never, { chain, seen })
    const exploit = events.find((event) => event.kind === 'pending' && event.transaction.hash === hash)
    expect(exploit).toBeDefined()
    if (exploit?.kind !== 'pending') throw new Error('unreachable')
    expect(exploit.simulatedOn.number).toBe(head)
    expect(exploit.transaction.status).toBe('success')

    const scope: MonitorScope = {
      contracts: [demo.lendingPool.proxy, demo.interestRateModel.proxy, demo.rewardsVaults.assetStaking, demo.rewardsVaults.rewardStaking],
      releaseGates: [demo.releaseGate],
      authorities: [demo.timelock, demo.safe, demo.privateTimelock],
    }
    const findings: DetectorFinding[] = await runDetectors(createDetectors(), exploit, { client: reader as never, scope, memory: new Map() })
    const reentry = findings.find((finding) => finding.detector === 'reentrancy')
    expect(reentry).toMatchObject({ severity: 'critical', pending: true, tx: hash })
    expect(reentry!.block).toBeUndefined()
    expect(reentry!.addresses[0]).toBe(demo.lendingPool.proxy)
    expect(findings.every((finding) => finding.pending)).toBe(true)

    // Still not mined when flagged; each pending transaction is simulated once.
    expect(await reader.getBlockNumber({ cacheTime: 0 })).toBe(head)
    await expect(reader.getTransactionReceipt({ hash })).rejects.toThrow()
    expect(await tracePending(reader as never, { chain, seen })).toEqual([])

    await testClient.mine({ blocks: 1 })
    expect((await reader.getTransactionReceipt({ hash })).status).toBe('success')
    await testClient.setAutomine(true)
  }, 180_000)
})
