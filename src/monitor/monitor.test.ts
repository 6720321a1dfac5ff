import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeFunctionData, getAddress, maxUint256, parseEther, type Abi, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Artifact } from '../compile/artifacts.js'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'
import { createDevClient, createReadClient, createTestChainClient, type DevClient, type TestChainClient } from '../chain/clients.js'
import { revertOf } from '../../test/onchain/chainKit.js'
import { circuitBreakerAbi } from '../chain/circuitBreakerAbi.js'
import { deployContract } from '../chain/deployContract.js'
import { deployDemoProtocol, type DemoProtocol } from '../chain/deployDemoProtocol.js'
import { devAccount, devRoles } from '../chain/devAccounts.js'
import { startAnvil, type Anvil } from '../chain/startAnvil.js'
import { openStore, type Store } from '../store/openStore.js'
import { listAlerts } from './alertStore.js'
import { createDetectors, runDetectors } from './detectors/createDetectors.js'
import { indexTransaction } from './detectors/traceIndex.js'
import { processNewBlocks } from './sources/processNewBlocks.js'
import { readCheckpoint } from './sources/checkpoint.js'
import { fetchBlock, logsOfTrace } from './sources/fetchBlock.js'
import type { Alert, CallFrame, DetectorFinding, MonitorScope } from './types.js'
import { parsePolicy, type Policy } from './policy.js'
import { createResponsePipeline } from './responders/createResponsePipeline.js'
import { lockdownAbi } from './responders/responseCalls.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
let anvil: Anvil
let chainClient: TestChainClient
let build: { artifacts: Artifact[] }
let demo: DemoProtocol
let store: Store
const memory = new Map<string, unknown>()
const chain = { id: 31337, name: 'anvil' }
const scope: { contracts: Address[]; releaseGates: Address[]; authorities: Address[] } = { contracts: [], releaseGates: [], authorities: [] }
let detectors: ReturnType<typeof createDetectors>
const deployer = devAccount(devRoles.deployer)
const attackerAccount = devAccount(devRoles.attacker)
/** Holds the fixtures' owner keys: the "compromised" key of the owner-drain attacks. */
const admin = devAccount(devRoles.safeOwners[2])
/** The responder: the demo's pause-seal committee, pauser and breaker guardian, and the fixtures' guardian. */
const responder = devAccount(devRoles.guardian)

const abiOf = (name: string) => getArtifact(build, name).abi
const dev = (index: number): DevClient => createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(index) })
async function send(from: DevClient, address: Address, abi: Abi, functionName: string, args: readonly unknown[] = []) {
  const hash = await from.writeContract({ address, abi, functionName, args } as Parameters<DevClient['writeContract']>[0])
  const receipt = await from.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  if (receipt.status !== 'success') {
    // name the revert: replay the call on the state it ran against
    const replay = await from.call({ account: from.account, to: address, data: encodeFunctionData({ abi, functionName, args } as never), blockNumber: receipt.blockNumber - 1n, gas: receipt.gasUsed }).then(
      () => 'no revert on replay',
      (error: unknown) => (error instanceof Error ? error.message.split('\n').slice(0, 3).join(' ') : String(error)),
    )
    const sent = await from.getTransaction({ hash })
    expect.fail(`${functionName} reverted in block ${receipt.blockNumber} (gas used ${receipt.gasUsed} of ${sent.gas}): ${replay}`)
  }
  return receipt
}
const deploy = async (from: DevClient, name: string, args: readonly unknown[] = []) =>
  (await deployContract(from, { name, abi: abiOf(name), bytecode: getArtifact(build, name).bytecode, args })).address

/**
 * Runs the follower over every new block and returns the alerts it stored in this pass. With a
 * policy, findings go through the response pipeline (risk, policy, responder signing with the
 * responder key) and the pass waits for the responses to be mined.
 */
async function monitorPass(policy?: Policy): Promise<Alert[]> {
  const reader = createReadClient({ rpcUrl: anvil.rpcUrl })
  const pipeline = policy ? await createResponsePipeline({ store, client: reader as never, chainId: chain.id, policy, account: responder, sinks: [] }) : undefined
  const decide = pipeline ? async (findings: readonly DetectorFinding[], alerts: readonly Alert[]) => pipeline.decide({ findings, alerts, seenAt: new Date(), chainTime: Math.floor(Date.now() / 1000) }) : undefined
  const result = await processNewBlocks({ client: reader as never, store, chain, detectors, scope: scope as MonitorScope, memory, decide })
  await pipeline?.drain()
  return result.alerts
}
/** A policy answering any finding on a watched contract with `respond`. */
const answer = (...respond: unknown[]) => parsePolicy({ rules: [{ name: 'contain', minScore: 0, respond }] })
/** Whether `target` is paused now (the `pauseFor`/`pausedUntil` shape the pause response drives). */
async function pausedNow(target: Address): Promise<boolean> {
  const [until, block] = await Promise.all([chainClient.readContract({ address: target, abi: lockdownAbi, functionName: 'pausedUntil' }), chainClient.getBlock()])
  return until > block.timestamp
}
/** The name of the custom error a call that must fail reverts with, decoded with `abi`. */
const revertNameOf = async (from: DevClient, address: Address, abi: Abi, functionName: string, args: readonly unknown[]) =>
  (await revertOf(from.simulateContract({ address, abi, functionName, args } as never))).errorName
const detectorsOf = (alerts: readonly Alert[]) => [...new Set(alerts.map((a) => a.detector))].sort()

beforeAll(async () => {
  build = await compileProject({ root })
  anvil = await startAnvil()
  chainClient = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
  demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
  store = await openStore({ dataDir: 'memory://' })
  scope.contracts.push(demo.lendingPool.proxy, demo.interestRateModel.proxy, demo.rewardsVaults.assetStaking, demo.rewardsVaults.rewardStaking)
  scope.releaseGates.push(demo.releaseGate)
  scope.authorities.push(demo.timelock, demo.safe, demo.privateTimelock, deployer.address)
  detectors = createDetectors({
    'large-outflow': { thresholdBps: 2_000, windowBlocks: 20 },
    'tvl-drop': { dropBps: 3_000 },
  })
  // The monitor starts at the current head: the deployment itself is history.
  await processNewBlocks({ client: createReadClient({ rpcUrl: anvil.rpcUrl }) as never, store, chain, detectors, scope, memory })
}, 120_000)
afterAll(async () => {
  await store?.close()
  await anvil?.stop()
})

describe('monitor on anvil', () => {
  test('benign use of the demo (deposits and withdrawals) raises no alert', async () => {
    const token = abiOf('DemoToken')
    const pool = abiOf('LendingPool')
    for (const index of devRoles.depositors) {
      const user = dev(index)
      await send(user, demo.tokens.asset, token, 'approve', [demo.lendingPool.proxy, maxUint256])
      for (let i = 0; i < 5; i++) {
        await send(user, demo.lendingPool.proxy, pool, 'deposit', [parseEther('100')])
        await send(user, demo.lendingPool.proxy, pool, 'withdraw', [parseEther('60')])
      }
    }
    expect(await monitorPass()).toEqual([])
  }, 180_000)

  test('the demo exploit (reentrancy drain through the token hook) is detected, with the fresh attack contract, and answered by the pause seal', async () => {
    const attacker = dev(devRoles.attacker)
    const seed = parseEther('25000')
    const contract = await deploy(attacker, 'LendingPoolAttacker', [demo.lendingPool.proxy, demo.tokens.asset])
    await send(attacker, demo.tokens.asset, abiOf('DemoToken'), 'approve', [contract, seed])
    await chainClient.increaseTime({ seconds: demo.circuitBreaker.window })
    await chainClient.mine({ blocks: 1 })
    await send(attacker, contract, abiOf('LendingPoolAttacker'), 'attack', [seed])
    const alerts = await monitorPass(answer({ kind: 'pause', via: 'seal', seal: demo.pauseSeal.address, targets: [demo.lendingPool.proxy], duration: demo.pauseSeal.maxPauseDuration }))
    expect(detectorsOf(alerts)).toEqual(expect.arrayContaining(['reentrancy', 'suspicious-creation']))
    const reentry = alerts.find((a) => a.detector === 'reentrancy')!
    expect(reentry.severity).toBe('critical')
    expect(reentry.addresses[0]).toBe(demo.lendingPool.proxy)
    expect(reentry.block).not.toBeNull()
    // one incident, one pause: whichever of its findings came first carries the transaction
    expect(alerts.filter((a) => a.response.kind === 'pause' && a.response.tx)).toHaveLength(1)
    expect(reentry.response.kind).toBe('pause')
    // the first transaction seen is the chance to stop the rest: the next attempt reverts
    expect(await pausedNow(demo.lendingPool.proxy)).toBe(true)
    await send(attacker, demo.tokens.asset, abiOf('DemoToken'), 'approve', [contract, seed])
    expect(await revertNameOf(attacker, contract, [...abiOf('LendingPoolAttacker'), ...abiOf('LendingPool')] as Abi, 'attack', [seed])).toMatch(/Pause/)
  }, 180_000)

  test('a flash-loan price manipulation is detected as a flash loan and an in-block price deviation, and the lender is paused', async () => {
    const owner = dev(devRoles.deployer)
    const t0 = await deploy(owner, 'AttackToken', ['COL'])
    const t1 = await deploy(owner, 'AttackToken', ['USD'])
    const pair = await deploy(owner, 'SpotPair', [t0, t1])
    const victim = await deploy(owner, 'SpotPriceLender', [pair, responder.address])
    const lender = await deploy(owner, 'FlashLender')
    const tokenAbi = abiOf('AttackToken')
    for (const [token, to, amount] of [[t0, deployer.address, '1000'], [t1, deployer.address, '1000'], [t1, victim, '5000'], [t1, lender, '100000'], [t0, attackerAccount.address, '10']] as const) {
      await send(owner, token, tokenAbi, 'mint', [to, parseEther(amount)])
    }
    await send(owner, t0, tokenAbi, 'approve', [pair, maxUint256])
    await send(owner, t1, tokenAbi, 'approve', [pair, maxUint256])
    await send(owner, pair, abiOf('SpotPair'), 'addLiquidity', [parseEther('1000'), parseEther('1000')])
    scope.contracts.push(victim)
    const attacker = dev(devRoles.attacker)
    const manipulator = await deploy(attacker, 'PriceManipulator', [lender, pair, victim])
    await send(attacker, t0, tokenAbi, 'approve', [manipulator, maxUint256])
    // the manipulator is judged when it is deployed: a fresh account's contract naming the victim
    const deployment = await monitorPass()
    expect(detectorsOf(deployment)).toEqual(['suspicious-creation'])
    expect(deployment[0]!.evidence).toMatchObject({ contract: manipulator, namesProtocol: [victim], atDeployment: true })
    // 10 COL are worth ~10 USD; after pumping with a 50,000 USD loan they count for far more.
    await send(attacker, manipulator, abiOf('PriceManipulator'), 'attack', [parseEther('10'), parseEther('50000'), parseEther('400')])
    const alerts = await monitorPass(answer({ kind: 'pause', via: 'pauser', targets: [victim], duration: 3600 }))
    expect(detectorsOf(alerts)).toEqual(expect.arrayContaining(['flash-loan', 'price-deviation']))
    expect(alerts.find((a) => a.detector === 'flash-loan')!.evidence).toMatchObject({ lender, borrower: manipulator, token: t1 })
    expect(alerts.find((a) => a.detector === 'flash-loan')!.response.kind).toBe('pause')
    expect(await pausedNow(victim)).toBe(true)
    await send(owner, t0, tokenAbi, 'mint', [attackerAccount.address, parseEther('10')])
    expect(await revertNameOf(attacker, manipulator, [...abiOf('PriceManipulator'), ...abiOf('SpotPriceLender')] as Abi, 'attack', [parseEther('10'), parseEther('50000'), parseEther('400')])).toBe('GuardianPausablePaused')
  }, 180_000)

  // The owner is governance (its ownership came through the approved path, read from the chain):
  // its sweep is not a privileged call outside governance, but the drain itself is an outflow.
  test('a compromised owner sweeping a vault is a large outflow and a TVL drop; the vault is paused before the rest goes', async () => {
    const owner = dev(devRoles.deployer)
    const token = await deploy(owner, 'AttackToken', ['VLT'])
    const vault = await deploy(owner, 'OwnedVault', [token, admin.address, responder.address])
    await send(owner, token, abiOf('AttackToken'), 'mint', [vault, parseEther('1000')])
    scope.contracts.push(vault)
    expect(await monitorPass()).toEqual([])
    await send(dev(devRoles.safeOwners[2]), vault, abiOf('OwnedVault'), 'sweep', [attackerAccount.address, parseEther('900')])
    const alerts = await monitorPass(answer({ kind: 'pause', via: 'pauser', targets: [vault], duration: 3600 }))
    expect(detectorsOf(alerts)).toEqual(['large-outflow', 'tvl-drop'])
    expect(alerts.find((a) => a.detector === 'large-outflow')!.evidence).toMatchObject({ outflow: parseEther('900').toString(), balanceBefore: parseEther('1000').toString() })
    expect(alerts.map((a) => a.response.kind)).toContain('pause')
    expect(await revertNameOf(dev(devRoles.safeOwners[2]), vault, abiOf('OwnedVault'), 'sweep', [attackerAccount.address, parseEther('100')])).toBe('GuardianPausablePaused')
  }, 180_000)

  test('an unprotected-initializer takeover and the unauthorized upgrade that follows are detected; the takeover trips the protocol\'s circuit breaker', async () => {
    const owner = dev(devRoles.deployer)
    const implementation = await deploy(owner, 'UpgradeableVault')
    // Deployed without initializer data: the proxy waits for anyone's initialize.
    const proxy = await deploy(owner, 'ERC1967Proxy', [implementation, '0x'])
    expect(await monitorPass()).toEqual([])
    scope.contracts.push(proxy)
    const attacker = dev(devRoles.attacker)
    await send(attacker, proxy, abiOf('UpgradeableVault'), 'initialize', [attackerAccount.address])
    const breaker = { kind: 'circuit-breaker', breaker: demo.circuitBreaker.address, protectedContract: demo.lendingPool.proxy, asset: demo.circuitBreaker.asset }
    const takeover = await monitorPass(answer(breaker))
    expect(detectorsOf(takeover)).toEqual(['privileged-change'])
    expect(takeover.map((a) => a.response.kind)).toContain('circuit-breaker')
    const rule = (await chainClient.readContract({ address: demo.circuitBreaker.address, abi: circuitBreakerAbi, functionName: 'ruleOf', args: [demo.lendingPool.proxy, demo.circuitBreaker.asset] })) as unknown as readonly [bigint, bigint, bigint, boolean]
    expect(rule[3]).toBe(true)
    expect(takeover.map((a) => a.evidence['event'] ?? a.evidence['function']).sort()).toEqual(['Initialized', 'OwnershipTransferred', 'initialize(address)'])
    const malicious = await deploy(attacker, 'MaliciousVault')
    await send(attacker, proxy, abiOf('UpgradeableVault'), 'upgradeToAndCall', [malicious, '0x'])
    const upgrade = await monitorPass(answer(breaker))
    expect(detectorsOf(upgrade)).toEqual(['privileged-change', 'unapproved-upgrade'])
    // the same incident (same proxy, within the window): answered once, not again
    expect(upgrade.every((a) => a.response.kind === 'none' || /already/.test(a.response.detail ?? ''))).toBe(true)
    expect(upgrade.find((a) => a.detector === 'unapproved-upgrade')!.evidence).toMatchObject({ proxy, newValue: malicious, event: 'Upgraded' })
  }, 180_000)

  test('an infinite mint (missing access check) breaks the supply invariant and is a privileged call; minting is paused', async () => {
    const owner = dev(devRoles.deployer)
    const token = await deploy(owner, 'BuggyMintToken', [responder.address])
    scope.contracts.push(token)
    const instances = createDetectors({
      invariant: { invariants: [{ name: 'supply cap', left: { address: token, function: 'function totalSupply() view returns (uint256)' }, op: 'lte', right: parseEther('1000000').toString() }] },
    })
    await send(owner, token, abiOf('BuggyMintToken'), 'mint', [deployer.address, parseEther('1000')])
    const reader = createReadClient({ rpcUrl: anvil.rpcUrl })
    const benign = await processNewBlocks({ client: reader as never, store, chain, detectors: instances, scope, memory })
    expect(benign.alerts).toEqual([])
    await send(dev(devRoles.attacker), token, abiOf('BuggyMintToken'), 'mint', [deployer.address, parseEther('1000000000')])
    const pipeline = await createResponsePipeline({ store, client: reader as never, chainId: chain.id, policy: answer({ kind: 'pause', via: 'pauser', targets: [token], duration: 3600 }), account: responder, sinks: [] })
    const { alerts } = await processNewBlocks({
      client: reader as never, store, chain, detectors: instances, scope, memory,
      decide: async (findings, drafts) => pipeline.decide({ findings, alerts: drafts, seenAt: new Date(), chainTime: Math.floor(Date.now() / 1000) }),
    })
    await pipeline.drain()
    expect(detectorsOf(alerts)).toEqual(['invariant', 'privileged-change'])
    expect(alerts.find((a) => a.detector === 'invariant')!.evidence).toMatchObject({ invariant: 'supply cap', left: parseEther('1000001000').toString() })
    expect(alerts.map((a) => a.response.kind)).toContain('pause')
    expect(await revertNameOf(dev(devRoles.attacker), token, abiOf('BuggyMintToken'), 'mint', [deployer.address, parseEther('1000000000')])).toBe('GuardianPausablePaused')
  }, 180_000)

  test('a reorg retracts the alerts of the dropped block and processes its replacement; the checkpoint follows the new chain', async () => {
    const owner = dev(devRoles.deployer)
    const token = await deploy(owner, 'AttackToken', ['RRG'])
    const vault = await deploy(owner, 'OwnedVault', [token, admin.address, responder.address])
    await send(owner, token, abiOf('AttackToken'), 'mint', [vault, parseEther('1000')])
    scope.contracts.push(vault)
    expect(await monitorPass()).toEqual([])
    const receipt = await send(dev(devRoles.safeOwners[2]), vault, abiOf('OwnedVault'), 'sweep', [attackerAccount.address, parseEther('900')])
    const raised = await monitorPass()
    expect(raised.length).toBeGreaterThan(0)
    await chainClient.request({ method: 'anvil_reorg', params: [1, []] } as never)
    const reader = createReadClient({ rpcUrl: anvil.rpcUrl })
    const result = await processNewBlocks({ client: reader as never, store, chain, detectors, scope, memory })
    expect(result.retracted.sort()).toEqual(raised.map((a) => a.id).sort())
    const live = await listAlerts(store, { chainId: chain.id })
    expect(live.some((a) => a.tx === receipt.transactionHash && a.block?.hash === receipt.blockHash)).toBe(false)
    const all = await listAlerts(store, { chainId: chain.id, includeRetracted: true })
    expect(all.filter((a) => a.retracted).map((a) => a.id).sort()).toEqual(raised.map((a) => a.id).sort())
    const head = await reader.getBlock({ blockTag: 'latest' })
    expect(await readCheckpoint(store, chain.id)).toEqual({ blockNumber: head.number, blockHash: head.hash })
  }, 180_000)

  test('a monitor that dies mid-block resumes at the first uncommitted block: no block missed, no alert stored twice', async () => {
    const owner = dev(devRoles.deployer)
    const token = await deploy(owner, 'AttackToken', ['CRS'])
    const vault = await deploy(owner, 'OwnedVault', [token, admin.address, responder.address])
    await send(owner, token, abiOf('AttackToken'), 'mint', [vault, parseEther('1000')])
    scope.contracts.push(vault)
    expect(await monitorPass()).toEqual([])
    const before = await readCheckpoint(store, chain.id)
    const sweep = await send(dev(devRoles.safeOwners[2]), vault, abiOf('OwnedVault'), 'sweep', [attackerAccount.address, parseEther('500')])
    await send(dev(devRoles.safeOwners[2]), vault, abiOf('OwnedVault'), 'sweep', [attackerAccount.address, parseEther('400')])
    const reader = createReadClient({ rpcUrl: anvil.rpcUrl })
    // The process dies while deciding on the first block's alerts (before its commit).
    await expect(
      processNewBlocks({ client: reader as never, store, chain, detectors, scope, memory: new Map(), decide: async () => { throw new Error('killed') } }),
    ).rejects.toThrow('killed')
    expect(await readCheckpoint(store, chain.id)).toEqual(before)
    // A fresh process (empty memory) picks up from the checkpoint.
    const resumed = await processNewBlocks({ client: reader as never, store, chain, detectors, scope, memory: new Map() })
    expect(resumed.processed).toBe(2)
    expect(resumed.alerts.some((a) => a.tx === sweep.transactionHash)).toBe(true)
    const again = await processNewBlocks({ client: reader as never, store, chain, detectors, scope, memory: new Map(), startBlock: sweep.blockNumber })
    expect(again.processed).toBe(0)
    const ids = (await listAlerts(store, { chainId: chain.id })).map((a) => a.id)
    expect(new Set(ids).size).toBe(ids.length)
  }, 180_000)

  test('trace_block and the call tracer give the detectors the same view of every transaction of this chain (demo history and every attack above)', async () => {
    const reader = createReadClient({ rpcUrl: anvil.rpcUrl, timeoutMs: 60_000 })
    const head = await reader.getBlockNumber({ cacheTime: 0 })
    const views = { fast: new Map<string, unknown>(), exact: new Map<string, unknown>() }
    let transactions = 0
    let logs = 0
    let findings = 0
    for (let number = 1n; number <= head; number++) {
      const [fast, exact] = await Promise.all([
        fetchBlock(reader as never, { chain, block: number, traceMethod: 'trace_block' }),
        fetchBlock(reader as never, { chain, block: number, traceMethod: 'debug_traceBlockByNumber' }),
      ])
      expect(fast.events.length).toBe(exact.events.length)
      for (let index = 1; index < exact.events.length; index++) {
        const a = fast.events[index]!
        const b = exact.events[index]!
        if (a.kind !== 'transaction' || b.kind !== 'transaction') throw new Error('expected transaction events')
        const label = `tx ${b.transaction.hash}`
        // trace_block's read takes each transaction from its trace's root and its logs from eth_getLogs,
        // the call tracer's from the block's bodies and receipts: the same transaction either way
        const seen = ({ hash, from, to, value, input, status, contractAddress, logs }: typeof a.transaction) => ({ hash, from, to, value, input, status, contractAddress, logs })
        expect(seen(a.transaction), label).toEqual(seen(b.transaction))
        // the nonce is read where a contract is created (the creation checks judge by it), and is then the same
        expect(a.transaction.nonce ?? b.transaction.nonce, label).toBe(b.transaction.nonce)
        if (JSON.stringify(a.transaction.trace ?? {}).includes('"CREATE')) expect(a.transaction.nonce, label).toBe(b.transaction.nonce)
        expect(shapeOf(a.transaction.trace), label).toEqual(shapeOf(b.transaction.trace))
        // Walking the rebuilt tree gives the receipt's logs in the receipt's order, on the same call paths.
        const receiptLogs = a.transaction.logs.map(({ address, topics, data }) => ({ address, topics, data }))
        expect(logsOfTrace(a.transaction.trace), label).toEqual(receiptLogs)
        expect(logsOfTrace(b.transaction.trace), label).toEqual(receiptLogs)
        const ctx = { client: reader as never, scope: scope as MonitorScope, memory: new Map<string, unknown>() }
        // the same logs on the same paths (a rebuilt tree may give a log to another frame of the same contract)
        const pathsOf = (logs: ReturnType<typeof indexTransaction>['logs']) => logs.map(({ frame: _frame, ...log }) => log)
        expect(pathsOf(indexTransaction(a.transaction, ctx).logs), label).toEqual(pathsOf(indexTransaction(b.transaction, ctx).logs))
        transactions++
        logs += receiptLogs.length
      }
      // Every detector finds the same things in both.
      const found = { fast: [] as unknown[], exact: [] as unknown[] }
      for (const [name, events] of [['fast', fast.events], ['exact', exact.events]] as const) {
        for (const event of [...events.slice(1), events[0]!]) {
          found[name].push(...(await runDetectors(detectors, event, { client: reader as never, scope: scope as MonitorScope, memory: views[name] })))
        }
      }
      expect(found.fast, `block ${number}`).toEqual(found.exact)
      findings += found.exact.length
    }
    expect(transactions).toBeGreaterThan(100)
    expect(logs).toBeGreaterThan(100)
    expect(findings).toBeGreaterThan(5)
  }, 180_000)
})

/** The call tree's frames: kinds, parties, inputs, values and failures. */
function shapeOf(frame: CallFrame | undefined): unknown {
  if (!frame) return undefined
  return {
    type: frame.type,
    from: frame.from.toLowerCase(),
    to: frame.to?.toLowerCase(),
    input: frame.input,
    value: frame.type === 'DELEGATECALL' || frame.type === 'STATICCALL' ? undefined : BigInt(frame.value ?? 0),
    failed: frame.error !== undefined,
    calls: (frame.calls ?? []).map(shapeOf),
  }
}

describe('detector config', () => {
  test('a bad threshold or an unknown detector is refused with BW_DETECTOR_CONFIG_INVALID naming the field', () => {
    expect(() => createDetectors({ 'large-outflow': { thresholdBps: 0 } })).toThrow(expect.objectContaining({ code: 'BW_DETECTOR_CONFIG_INVALID', message: expect.stringContaining('large-outflow') as string }))
    expect(() => createDetectors({ 'large-outflow': { thresholdBps: 0 } })).toThrow(/at thresholdBps/)
    expect(() => createDetectors({ 'no-such-detector': {} })).toThrow(expect.objectContaining({ code: 'BW_DETECTOR_CONFIG_INVALID' }))
    expect(() => createDetectors({ invariant: { invariants: [{ name: 'x', left: { address: getAddress(deployer.address), function: 'function (' }, op: 'lte', right: '1' }] } })).toThrow(
      expect.objectContaining({ code: 'BW_DETECTOR_CONFIG_INVALID' }),
    )
    expect(createDetectors({ reentrancy: false }).map((d) => d.id)).not.toContain('reentrancy')
  })
})

