import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeFunctionData, keccak256, parseEther, toFunctionSelector, toHex, type Address, type Hex, type PublicClient } from 'viem'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { createDevClient, createReadClient, createTestChainClient, type TestChainClient } from '../chain/clients.js'
import { circuitBreakerAbi } from '../chain/circuitBreakerAbi.js'
import { deployCircuitBreaker } from '../chain/deployCircuitBreaker.js'
import { deployContract } from '../chain/deployContract.js'
import { deployDemoProtocol, type DemoProtocol } from '../chain/deployDemoProtocol.js'
import { devAccount, devRoles } from '../chain/devAccounts.js'
import { emergencyPauseSealAbi } from '../chain/emergencyPauseSealAbi.js'
import { startAnvil, type Anvil } from '../chain/startAnvil.js'
import type { Artifact } from '../compile/artifacts.js'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'
import { openStore, type Store } from '../store/openStore.js'
import { reentrancy, reentrancyConfigSchema } from './detectors/reentrancy.js'
import { parsePolicy, responseKey, riskConfigOf } from './policy.js'
import { createRiskRollup } from './risk.js'
import { createResponsePipeline } from './responders/createResponsePipeline.js'
import { lockdownAbi } from './responders/responseCalls.js'
import { startMonitor } from './runMonitor.js'
import type { Alert, DetectorFinding } from './types.js'
import { claimResponse, listResponses, saveIncident, updateResponse } from './responders/responseLedger.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const seed = parseEther('25000')

let anvil: Anvil
let client: TestChainClient
let build: { artifacts: Artifact[] }
let demo: DemoProtocol
let store: Store
let dir: string
let attackerContract: Address
let fresh: Hex

beforeAll(async () => {
  build = await compileProject({ root })
  anvil = await startAnvil()
  client = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
  demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
  const attacker = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.attacker) })
  const artifact = getArtifact(build, 'LendingPoolAttacker')
  ;({ address: attackerContract } = await deployContract(attacker, { name: 'LendingPoolAttacker', abi: artifact.abi, bytecode: artifact.bytecode, args: [demo.lendingPool.proxy, demo.tokens.asset] }))
  const approve = await attacker.writeContract({ address: demo.tokens.asset, abi: getArtifact(build, 'DemoToken').abi, functionName: 'approve', args: [attackerContract, seed] })
  await attacker.waitForTransactionReceipt({ hash: approve, pollingInterval: 20 })
  dir = await mkdtemp(path.join(tmpdir(), 'bulwark-race-'))
  store = await openStore({ dataDir: path.join(dir, 'db') })
  fresh = await client.snapshot()
}, 180_000)

// Every test starts from the protocol as deployed (anvil consumes a snapshot on revert, so take a new one).
beforeEach(async () => {
  await client.revert({ id: fresh })
  fresh = await client.snapshot()
})

afterAll(async () => {
  await store?.close()
  await anvil?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('mempool race', () => {
  test('with interval mining, the pause is mined ahead of the pending attack in the same block and the attack reverts', async () => {
    // interval mining, like a real chain: transactions wait in the pool until the next block
    await client.setAutomine(false)
    await client.setIntervalMining({ interval: 2 })
    const alerts: Alert[] = []
    const monitor = await startMonitor({
      client: createReadClient({ rpcUrl: anvil.rpcUrl }) as unknown as PublicClient,
      store,
      chain: { id: anvil.chainId, name: 'anvil' },
      scope: { contracts: [demo.lendingPool.proxy], releaseGates: [demo.releaseGate], authorities: [demo.timelock, demo.safe] },
      detectors: [reentrancy.create(reentrancyConfigSchema.parse({}))],
      policy: parsePolicy({ rules: [{ name: 'stop reentrancy', minScore: 60, respond: [{ kind: 'pause', seal: demo.pauseSeal.address, targets: [demo.lendingPool.proxy], duration: 3600 }] }] }),
      account: devAccount(devRoles.guardian),
      sinks: [{ name: 'memory', send: async (alert) => void alerts.push(alert) }],
      pendingIntervalMs: 20,
      blockIntervalMs: 200,
    })
    try {
      // send right after a block so the attack waits in the pool for the next one
      const start = await client.getBlockNumber({ cacheTime: 0 })
      while ((await client.getBlockNumber({ cacheTime: 0 })) === start) await new Promise((resolve) => setTimeout(resolve, 20))
      const attacker = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.attacker) })
      const attack = await attacker.writeContract({ address: attackerContract, abi: getArtifact(build, 'LendingPoolAttacker').abi, functionName: 'attack', args: [seed], gas: 3_000_000n })
      const attackReceipt = await client.waitForTransactionReceipt({ hash: attack, pollingInterval: 50 })

      const responses = await listResponses(store, { chainId: anvil.chainId })
      expect(responses).toHaveLength(1)
      expect(responses[0]!.kind).toBe('pause')
      const pauseHash = responses[0]!.txHashes[0]!
      const pauseReceipt = await client.waitForTransactionReceipt({ hash: pauseHash, pollingInterval: 50 })
      expect(pauseReceipt.blockNumber).toBe(attackReceipt.blockNumber)
      expect(pauseReceipt.transactionIndex).toBeLessThan(attackReceipt.transactionIndex)
      expect(pauseReceipt.status).toBe('success')
      expect(attackReceipt.status).toBe('reverted')
      const usedAt = await client.readContract({ address: demo.pauseSeal.address, abi: emergencyPauseSealAbi, functionName: 'usedAt' })
      expect(usedAt).toBeGreaterThan(0n)
      const pendingAlert = alerts.find((alert) => alert.pending && alert.tx === attack)
      expect(pendingAlert?.detector).toBe('reentrancy')
      expect(pendingAlert?.response).toMatchObject({ kind: 'pause', tx: pauseHash })
    } finally {
      await monitor.stop()
      await client.setIntervalMining({ interval: 0 })
      await client.setAutomine(true)
    }
  }, 180_000)
})

const guardian = devAccount(devRoles.guardian)
const guardianKey = toHex(guardian.getHdKey().privateKey!)

function finding(detector: string, target: Address, tx: Hex): DetectorFinding {
  return { detector, severity: 'critical', chain: anvil.chainId, block: undefined, tx, addresses: [target], summary: `${detector} on ${target}`, evidence: {}, pending: false }
}

describe('responders', () => {
  test('each configured response lands once per incident; repeated findings and a restarted pipeline send nothing more', async () => {
    // The breaker's owner (governance) names the responder key a guardian: it may trip, never reset.
    const governance = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.deployer) })
    const breaker = await deployCircuitBreaker(governance, { build, owner: governance.account.address })
    const pool = demo.lendingPool.proxy
    for (const [functionName, args] of [['setRule', [pool, demo.tokens.asset, parseEther('100000'), 3600n]], ['setGuardian', [guardian.address, true]]] as const) {
      const hash = await governance.writeContract({ address: breaker, abi: circuitBreakerAbi, functionName, args } as never)
      expect((await governance.waitForTransactionReceipt({ hash, pollingInterval: 20 })).status).toBe('success')
    }
    const withdraw = toFunctionSelector('withdraw(uint256)')
    const policy = parsePolicy({
      rules: [
        { name: 'flash loan → lockdown', minScore: 50, detectors: ['flash-loan'], respond: [{ kind: 'partial-lockdown', contract: pool, selectors: ['withdraw(uint256)'], assets: [demo.tokens.asset] }] },
        { name: 'outflow → breaker', minScore: 50, detectors: ['large-outflow'], respond: [{ kind: 'circuit-breaker', breaker, protectedContract: pool, asset: demo.tokens.asset }] },
        { name: 'upgrade → pause', minScore: 50, detectors: ['unapproved-upgrade'], respond: [{ kind: 'pause', via: 'pauser', targets: [pool], duration: 600 }, { kind: 'notify' }] },
      ],
    })
    const reader = createReadClient({ rpcUrl: anvil.rpcUrl }) as unknown as PublicClient
    {
      const findings = [
        finding('flash-loan', pool, `0x${'01'.repeat(32)}`),
        finding('large-outflow', demo.tokens.asset, `0x${'02'.repeat(32)}`),
        finding('unapproved-upgrade', demo.interestRateModel.proxy, `0x${'03'.repeat(32)}`),
      ]
      const pipeline = await createResponsePipeline({ store, client: reader, chainId: anvil.chainId, policy, account: guardian, sinks: [] })
      const alerts = await pipeline.handle({ findings, seenAt: new Date(), chainTime: 1_000 })
      await pipeline.drain()
      expect(alerts.map((alert) => alert.response.kind)).toEqual(['partial-lockdown', 'circuit-breaker', 'pause'])
      expect(alerts.every((alert) => alert.riskScore === 90)).toBe(true)
      expect(await client.readContract({ address: pool, abi: lockdownAbi, functionName: 'isSelectorPaused', args: [withdraw] })).toBe(true)
      expect(await client.readContract({ address: pool, abi: lockdownAbi, functionName: 'isAssetPaused', args: [demo.tokens.asset] })).toBe(true)
      const [, , , tripped] = (await client.readContract({ address: breaker, abi: circuitBreakerAbi, functionName: 'ruleOf', args: [pool, demo.tokens.asset] })) as unknown as [bigint, bigint, bigint, boolean]
      expect(tripped).toBe(true)
      expect(await client.readContract({ address: pool, abi: lockdownAbi, functionName: 'pausedUntil' })).toBeGreaterThan(0n)
      const nonce = await client.getTransactionCount({ address: guardian.address })

      // the same attack seen again (next transaction, same window), then a restart from the store: no second response
      await pipeline.handle({ findings, seenAt: new Date(), chainTime: 1_030 })
      const restarted = await createResponsePipeline({ store, client: reader, chainId: anvil.chainId, policy, account: guardian, sinks: [] })
      const again = await restarted.handle({ findings, seenAt: new Date(), chainTime: 1_060 })
      await restarted.drain()
      expect(again.map((alert) => alert.response.detail)).toEqual(findings.map(() => expect.stringMatching(/^already taken for incident /)))
      expect(await client.getTransactionCount({ address: guardian.address })).toBe(nonce)
      // this test's incidents began at chain time 1000
      const responses = (await listResponses(store, { chainId: anvil.chainId })).filter((response) => response.incidentKey.endsWith(':1000'))
      expect(responses.map((response) => [response.kind, response.status]).sort()).toEqual([
        ['circuit-breaker', 'mined'],
        ['notify', 'skipped'],
        ['partial-lockdown', 'mined'],
        ['pause', 'mined'],
      ])
      expect(responses.find((response) => response.kind === 'partial-lockdown')?.txHashes).toHaveLength(2)
    }
  }, 180_000)

  test('a response that would revert is recorded as failed with its reason, and the alert still goes out', async () => {
    const pipeline = await createResponsePipeline({
      store,
      client: createReadClient({ rpcUrl: anvil.rpcUrl }) as unknown as PublicClient,
      chainId: anvil.chainId,
      // the attacker's key holds no PAUSER_ROLE
      policy: parsePolicy({ rules: [{ minScore: 0, respond: [{ kind: 'pause', via: 'pauser', targets: [demo.lendingPool.proxy], duration: 600 }] }] }),
      account: devAccount(devRoles.attacker),
      sinks: [],
    })
    const [alert] = await pipeline.handle({ findings: [finding('reentrancy', demo.rewardsVaults.assetStaking, `0x${'04'.repeat(32)}`)], seenAt: new Date(), chainTime: 5_000 })
    expect(alert?.response.kind).toBe('pause')
    expect(alert?.response.detail).toMatch(/^failed: Response pause:pauser:.* failed: the transaction would revert/)
  })
})

describe('responders across a crash', () => {
  test('killed after claiming (nothing signed) or after signing (nothing sent), a restarted pipeline finishes the response exactly once', async () => {
    const governance = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.deployer) })
    const breaker = await deployCircuitBreaker(governance, { build, owner: governance.account.address })
    const pool = demo.lendingPool.proxy
    const [assetClaimed, assetSigned] = [devAccount(11).address, devAccount(12).address]
    for (const [functionName, args] of [
      ['setRule', [pool, assetClaimed, parseEther('1'), 3600n]],
      ['setRule', [pool, assetSigned, parseEther('1'), 3600n]],
      ['setGuardian', [guardian.address, true]],
    ] as const) {
      const hash = await governance.writeContract({ address: breaker, abi: circuitBreakerAbi, functionName, args } as never)
      expect((await governance.waitForTransactionReceipt({ hash, pollingInterval: 20 })).status).toBe('success')
    }
    const responses = [
      { kind: 'circuit-breaker' as const, breaker, protectedContract: pool, asset: assetClaimed },
      { kind: 'circuit-breaker' as const, breaker, protectedContract: pool, asset: assetSigned },
    ]
    const policy = parsePolicy({ rules: [{ minScore: 0, detectors: ['large-outflow'], respond: responses }] })
    const reader = createReadClient({ rpcUrl: anvil.rpcUrl }) as unknown as PublicClient
    // What the dead process left: the incident, one response claimed, the other signed but never sent.
    const rollup = createRiskRollup(riskConfigOf(policy))
    const incident = rollup.add(finding('large-outflow', pool, `0x${'07'.repeat(32)}`), 'alert-crash', 7_000)
    await saveIncident(store, incident)
    const decidedAt = new Date(Date.now() - 2_000)
    const claim = (response: (typeof responses)[number]) =>
      claimResponse(store, { incidentKey: incident.key, response: responseKey(response), kind: response.kind, chainId: anvil.chainId, score: incident.score, seenAt: decidedAt, decidedAt, detail: {} })
    expect(await claim(responses[0]!)).toBe(true)
    expect(await claim(responses[1]!)).toBe(true)
    const nonce = await client.getTransactionCount({ address: guardian.address, blockTag: 'pending' })
    const fees = await client.estimateFeesPerGas()
    const raw = await guardian.signTransaction({
      type: 'eip1559', chainId: anvil.chainId, nonce, to: breaker, gas: 200_000n, ...fees,
      data: encodeFunctionData({ abi: circuitBreakerAbi, functionName: 'trip', args: [pool, assetSigned] }),
    })
    await updateResponse(store, { incidentKey: incident.key, response: responseKey(responses[1]!) }, { status: 'signed', txHashes: [keccak256(raw)], detail: { raw: [raw] } })

    const tripped = async (asset: Address) => ((await client.readContract({ address: breaker, abi: circuitBreakerAbi, functionName: 'ruleOf', args: [pool, asset] })) as unknown as [bigint, bigint, bigint, boolean])[3]
    for (let restart = 0; restart < 2; restart++) {
      const pipeline = await createResponsePipeline({ store, client: reader, chainId: anvil.chainId, policy, account: guardian, sinks: [] })
      await pipeline.drain()
    }
    expect(await tripped(assetClaimed)).toBe(true)
    expect(await tripped(assetSigned)).toBe(true)
    // one transaction each, across two restarts: the stored one, then the one signed after the take-over
    expect(await client.getTransactionCount({ address: guardian.address })).toBe(nonce + 2)
    const rows = (await listResponses(store, { chainId: anvil.chainId })).filter((row) => row.incidentKey === incident.key)
    expect(rows.map((row) => row.status)).toEqual(['mined', 'mined'])
    expect(rows.find((row) => row.response === responseKey(responses[1]!))?.txHashes).toEqual([keccak256(raw)])
    expect(rows.find((row) => row.response === responseKey(responses[0]!))?.detail['resumedBy']).toEqual(expect.any(String))
  }, 180_000)
})

describe('bulwark monitor', () => {
  const children = new Set<ChildProcess>()
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL')
  })

  function runMonitorCli(cwd: string, args: string[]) {
    const child = spawn(
      process.execPath,
      ['--import', path.join(root, 'node_modules/tsx/dist/loader.mjs'), '-e', `const { main } = await import(${JSON.stringify(path.join(root, 'src/cli/main.ts'))}); process.exitCode = await main(process.argv.slice(1))`, 'monitor', ...args],
      { cwd, env: { ...process.env, RESPONDER_KEY: guardianKey, DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    children.add(child)
    let out = ''
    let err = ''
    child.stdout!.on('data', (chunk: Buffer) => void (out += chunk.toString()))
    child.stderr!.on('data', (chunk: Buffer) => void (err += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    const waitFor = async (pattern: RegExp) => {
      while (!pattern.test(out + err)) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`monitor exited early:\n${err}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
    return { child, exited, waitFor, stdout: () => out, output: () => out + err }
  }

  test('killed with SIGKILL and restarted before its last block was committed, it repeats no response; the key is never printed', async () => {
    const work = await mkdtemp(path.join(tmpdir(), 'bulwark-monitor-cli-'))
    try {
      await writeFile(path.join(work, 'policy.json'), JSON.stringify({ rules: [{ minScore: 60, respond: [{ kind: 'pause', seal: demo.pauseSeal.address, targets: [demo.lendingPool.proxy], duration: 3600 }] }] }))
      const args = ['--rpc', anvil.rpcUrl, '--address', demo.lendingPool.proxy, '--release-gate', demo.releaseGate, '--authority', demo.timelock, '--key', 'env:RESPONDER_KEY', '--policy', 'policy.json', '--no-pending', '--interval-ms', '100', '--json']
      const first = runMonitorCli(work, args)
      await first.waitFor(/watching 1 contract/)

      // the attack is mined at once (auto-mining); the block follower sees the re-entrant trace and pauses
      const attacker = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.attacker) })
      const attack = await attacker.writeContract({ address: attackerContract, abi: getArtifact(build, 'LendingPoolAttacker').abi, functionName: 'attack', args: [seed], gas: 3_000_000n })
      const attackBlock = (await client.waitForTransactionReceipt({ hash: attack, pollingInterval: 50 })).blockNumber
      await first.waitFor(/pause for incident .* mined in block/)
      const alertLine = first.stdout().split('\n').find((line) => line.includes(attack) && line.includes('"reentrancy"'))
      expect(JSON.parse(alertLine!)).toMatchObject({ detector: 'reentrancy', tx: attack, pending: false, response: { kind: 'pause' } })
      first.child.kill('SIGKILL')
      await first.exited
      const nonceAfterPause = await client.getTransactionCount({ address: guardian.address })
      expect(await client.readContract({ address: demo.pauseSeal.address, abi: emergencyPauseSealAbi, functionName: 'usedAt' })).toBeGreaterThan(0n)

      // as if the kill came between the response and the block's commit: the checkpoint goes back before the attack
      const db = await openStore({ dataDir: path.join(work, '.bulwark', 'db') })
      try {
        await db.query('DELETE FROM monitor_checkpoints')
        await db.query('DELETE FROM monitor_alerts')
      } finally {
        await db.close()
      }
      await client.mine({ blocks: 2 })
      const second = runMonitorCli(work, [...args, '--from-block', String(attackBlock)])
      await second.waitFor(/caught up \d+ blocks/)
      expect(second.output()).toMatch(/pause already taken for incident .*: not repeated/)
      second.child.kill('SIGTERM')
      expect(await second.exited).toBe(0)

      expect(await client.getTransactionCount({ address: guardian.address })).toBe(nonceAfterPause)
      const after = await openStore({ dataDir: path.join(work, '.bulwark', 'db') })
      try {
        const responses = await listResponses(after, { chainId: anvil.chainId })
        expect(responses.map((response) => [response.kind, response.status])).toEqual([['pause', 'mined']])
        const advisories = await after.query<{ id: string; containment: string; reporter: string }>('SELECT id, containment, reporter FROM advisories')
        expect(advisories).toEqual([{ id: 'ADV-1', containment: 'contained', reporter: expect.stringContaining('bulwark monitor') }])
      } finally {
        await after.close()
      }
      for (const run of [first, second]) {
        expect(run.output()).not.toContain(guardianKey.slice(2))
        expect(run.output()).toContain(guardian.address)
      }
    } finally {
      await rm(work, { recursive: true, force: true })
    }
  }, 90_000)
})
