import { createServer, type Server } from 'node:http'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { keccak256, parseAbi, parseEther, toFunctionSelector, toHex, type Address, type Hex, type PublicClient } from 'viem'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { main } from '../../cli/main.js'
import { captureIo } from '../../cli/testIo.js'
import { createDevClient, createReadClient, createTestChainClient, type TestChainClient } from '../../chain/clients.js'
import { deployContract } from '../../chain/deployContract.js'
import { devAccount, devRoles } from '../../chain/devAccounts.js'
import { deploySafe, deploySafeInfrastructure } from '../../chain/deploySafe.js'
import { startAnvil, type Anvil } from '../../chain/startAnvil.js'
import type { Artifact } from '../../compile/artifacts.js'
import { compileSources } from '../../compile/compileSources.js'
import { getArtifact } from '../../compile/getArtifact.js'
import { openStore, type Store } from '../../store/openStore.js'
import { parsePolicy, type PolicyInput } from '../policy.js'
import { startMonitor } from '../runMonitor.js'
import type { Alert, DetectorFinding, DetectorInstance } from '../types.js'
import { checkResponses } from './checkResponses.js'
import { createResponsePipeline } from './createResponsePipeline.js'
import { listResponses } from './responseLedger.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const fixture = 'contracts/test/monitor/GuardianPausableVault.sol'
const vaultAbi = parseAbi([
  'function paused() view returns (bool)',
  'function pause()',
  'function unpause()',
  'function deposit() payable',
  'function withdraw(uint256 amount)',
  'function grantRole(bytes32 role, address account)',
  'error EnforcedPause()',
])
const pauserRole = keccak256(toHex('PAUSER_ROLE'))
const guardian = devAccount(devRoles.guardian)
const governance = devAccount(devRoles.deployer)
const outsider = devAccount(devRoles.attacker)
// a 2-of-3 guardian Safe: the responder holds two of the owner keys
const [safeOwnerB, safeOwnerC] = [devAccount(13), devAccount(14)]

let anvil: Anvil
let client: TestChainClient
let artifact: Artifact
let store: Store
let dir: string
let vault: Address
let safeVault: Address
let safe: Address
let fresh: Hex

async function deployVault(pauser: Address): Promise<Address> {
  const deployer = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: governance })
  return (await deployContract(deployer, { name: 'GuardianPausableVault', abi: artifact.abi, bytecode: artifact.bytecode, args: [governance.address, pauser] })).address
}

beforeAll(async () => {
  const build = await compileSources({ root, sources: { [fixture]: await readFile(path.join(root, fixture), 'utf8') } })
  artifact = getArtifact(build, 'GuardianPausableVault')
  anvil = await startAnvil({ accounts: 15 })
  client = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
  const deployer = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: governance })
  safe = await deploySafe(deployer, { infrastructure: await deploySafeInfrastructure(deployer), owners: [guardian.address, safeOwnerB.address, safeOwnerC.address], threshold: 2 })
  vault = await deployVault(guardian.address)
  safeVault = await deployVault(safe)
  dir = await mkdtemp(path.join(tmpdir(), 'bulwark-contract-call-'))
  store = await openStore({ dataDir: path.join(dir, 'db') })
  fresh = await client.snapshot()
}, 180_000)

beforeEach(async () => {
  await client.revert({ id: fresh })
  fresh = await client.snapshot()
})

afterAll(async () => {
  await store?.close()
  await anvil?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

const reader = () => createReadClient({ rpcUrl: anvil.rpcUrl }) as unknown as PublicClient
const paused = (address: Address) => client.readContract({ address, abi: vaultAbi, functionName: 'paused' })

function pauseVia(target: Address, extra: Partial<Extract<PolicyInput['rules'][number]['respond'][number], { kind: 'contract-call' }>> = {}) {
  return { kind: 'contract-call' as const, name: `pause ${target}`, calls: [{ target, function: 'pause()', skipIf: { call: 'paused()', equals: true } }], ...extra }
}

let findingCounter = 0
function finding(detector: string, target: Address, severity: DetectorFinding['severity'] = 'critical'): DetectorFinding {
  findingCounter++
  return { detector, severity, chain: anvil.chainId, tx: `0x${findingCounter.toString(16).padStart(64, '0')}`, addresses: [target], summary: `${detector} on ${target}`, evidence: {}, pending: false }
}

async function until(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

// a detector of these tests: any withdrawal of 1 ether or more from the vault, mined or pending, is an attack
const largeWithdrawals: DetectorInstance = {
  id: 'test-large-withdrawal',
  kinds: ['transaction', 'pending'],
  detect(event) {
    if (event.kind === 'block') return []
    const tx = event.transaction
    if (tx.to?.toLowerCase() !== vault.toLowerCase() || !tx.input.startsWith(toFunctionSelector('withdraw(uint256)')) || tx.status !== 'success') return []
    if (BigInt(`0x${tx.input.slice(10)}`) < parseEther('1')) return []
    const block = event.kind === 'transaction' ? { number: event.block.number, hash: event.block.hash } : undefined
    return [{ detector: 'test-large-withdrawal', severity: 'critical', chain: event.chain.id, block, tx: tx.hash, addresses: [vault, tx.from], summary: 'large withdrawal', evidence: {}, pending: event.kind === 'pending' }]
  },
}

describe('protocol-native responses', () => {
  test("the monitor answers an attack with the protocol's own OpenZeppelin pause(), sent by the guardian key; the next withdrawal reverts EnforcedPause", async () => {
    const alerts: Alert[] = []
    const monitor = await startMonitor({
      client: reader(),
      store,
      chain: { id: anvil.chainId, name: 'anvil' },
      scope: { contracts: [vault], releaseGates: [], authorities: [] },
      detectors: [largeWithdrawals],
      policy: parsePolicy({ rules: [{ name: 'attack', minScore: 80, respond: [pauseVia(vault)] }] }),
      account: guardian,
      sinks: [{ name: 'memory', send: async (alert) => void alerts.push(alert) }],
      pendingIntervalMs: 0,
      blockIntervalMs: 100,
    })
    const attacker = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: outsider })
    try {
      const deposit = await attacker.writeContract({ address: vault, abi: vaultAbi, functionName: 'deposit', value: parseEther('10') })
      await attacker.waitForTransactionReceipt({ hash: deposit })
      const first = await attacker.writeContract({ address: vault, abi: vaultAbi, functionName: 'withdraw', args: [parseEther('5')] })
      expect((await attacker.waitForTransactionReceipt({ hash: first })).status).toBe('success')
      await until(() => paused(vault))
      await expect(attacker.writeContract({ address: vault, abi: vaultAbi, functionName: 'withdraw', args: [parseEther('5')] })).rejects.toThrow(/EnforcedPause/)
      await until(async () => alerts.some((alert) => alert.tx === first))
      expect(alerts.find((alert) => alert.tx === first)?.response).toMatchObject({ kind: 'pause', tx: expect.stringMatching(/^0x/), detail: `${vault}.pause()` })
    } finally {
      await monitor.stop()
    }
    const rows = (await listResponses(store, { chainId: anvil.chainId })).filter((row) => row.kind === 'contract-call')
    expect(rows.map((row) => row.status)).toContain('mined')
  }, 120_000)

  test('in mempool mode (interval mining) the pause() is priced ahead of the pending withdrawal: mined first in the same block, the withdrawal reverts', async () => {
    const attacker = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: outsider })
    const deposit = await attacker.writeContract({ address: vault, abi: vaultAbi, functionName: 'deposit', value: parseEther('10') })
    await attacker.waitForTransactionReceipt({ hash: deposit })
    await client.setAutomine(false)
    await client.setIntervalMining({ interval: 2 })
    const alerts: Alert[] = []
    const monitor = await startMonitor({
      client: reader(),
      store,
      chain: { id: anvil.chainId, name: 'anvil' },
      scope: { contracts: [vault], releaseGates: [], authorities: [] },
      detectors: [largeWithdrawals],
      policy: parsePolicy({ rules: [{ name: 'attack', minScore: 80, respond: [pauseVia(vault)] }] }),
      account: guardian,
      sinks: [{ name: 'memory', send: async (alert) => void alerts.push(alert) }],
      pendingIntervalMs: 20,
      blockIntervalMs: 200,
    })
    try {
      const start = await client.getBlockNumber({ cacheTime: 0 })
      while ((await client.getBlockNumber({ cacheTime: 0 })) === start) await new Promise((resolve) => setTimeout(resolve, 20))
      const withdrawal = await attacker.writeContract({ address: vault, abi: vaultAbi, functionName: 'withdraw', args: [parseEther('10')], gas: 200_000n })
      const attackReceipt = await client.waitForTransactionReceipt({ hash: withdrawal, pollingInterval: 50 })
      await until(async () => alerts.some((alert) => alert.tx === withdrawal && alert.pending))
      const pauseHash = alerts.find((alert) => alert.tx === withdrawal && alert.pending)!.response.tx!
      const pauseReceipt = await client.waitForTransactionReceipt({ hash: pauseHash, pollingInterval: 50 })
      expect(pauseReceipt.status).toBe('success')
      expect(pauseReceipt.blockNumber).toBe(attackReceipt.blockNumber)
      expect(pauseReceipt.transactionIndex).toBeLessThan(attackReceipt.transactionIndex)
      expect(attackReceipt.status).toBe('reverted')
      expect(await client.getBalance({ address: vault })).toBe(parseEther('10'))
    } finally {
      await monitor.stop()
      await client.setIntervalMining({ interval: 0 })
      await client.setAutomine(true)
    }
  }, 120_000)

  test('through a 2-of-3 guardian Safe 1.4.1: the responder key and a cosigner key sign, execTransaction lands the pause', async () => {
    const policy = parsePolicy({ rules: [{ minScore: 80, respond: [pauseVia(safeVault, { via: 'safe', safe })] }] })
    // one owner key is not enough for a threshold of two: not armed, and the message says why
    const alone = await checkResponses({ client: reader(), chainId: anvil.chainId, policy, account: guardian })
    expect(alone.ok).toBe(false)
    expect(alone.checks[0]).toMatchObject({ status: 'not-armed', reason: expect.stringContaining(`the responder key(s) hold 1 of the 2 owner signature(s) Safe ${safe} needs`) })
    // the guardian itself holds no role on the Safe's vault: sent directly, it would revert
    const direct = await checkResponses({ client: reader(), chainId: anvil.chainId, policy: parsePolicy({ rules: [{ minScore: 80, respond: [pauseVia(safeVault)] }] }), account: guardian })
    expect(direct.checks[0]?.reason).toContain(`AccessControlUnauthorizedAccount(account: ${guardian.address}, neededRole: ${pauserRole})`)

    const armed = await checkResponses({ client: reader(), chainId: anvil.chainId, policy, account: guardian, cosigners: [safeOwnerC] })
    expect(armed).toMatchObject({ ok: true, checks: [{ status: 'armed', calls: [{ target: safeVault, function: 'pause()', status: 'would succeed' }] }] })

    const pipeline = await createResponsePipeline({ store, client: reader(), chainId: anvil.chainId, policy, account: guardian, cosigners: [safeOwnerC], sinks: [] })
    const [alert] = await pipeline.handle({ findings: [finding('reentrancy', safeVault)], seenAt: new Date(), chainTime: 50_000 })
    await pipeline.drain()
    expect(alert?.response).toMatchObject({ kind: 'pause', detail: `Safe ${safe} → ${safeVault}.pause()` })
    expect(await paused(safeVault)).toBe(true)
    const receipt = await client.getTransactionReceipt({ hash: alert!.response.tx! })
    expect(receipt).toMatchObject({ status: 'success', to: safe.toLowerCase(), from: guardian.address.toLowerCase() })
    // already paused: the guard makes the response "in place", which counts as armed
    const again = await checkResponses({ client: reader(), chainId: anvil.chainId, policy, account: guardian, cosigners: [safeOwnerC] })
    expect(again).toMatchObject({ ok: true, checks: [{ status: 'in-place' }] })
  }, 120_000)
})

describe('armed means checked', () => {
  test('a wrong role stops startMonitor with BW_RESPONSE_NOT_ARMED naming target, function and AccessControlUnauthorizedAccount', async () => {
    const start = startMonitor({
      client: reader(),
      store,
      chain: { id: anvil.chainId, name: 'anvil' },
      scope: { contracts: [vault], releaseGates: [], authorities: [] },
      detectors: [],
      policy: parsePolicy({ rules: [{ name: 'attack', minScore: 80, respond: [{ kind: 'notify' }, pauseVia(vault)] }] }),
      account: outsider,
      sinks: [],
      pendingIntervalMs: 0,
    })
    await expect(start).rejects.toMatchObject({
      code: 'BW_RESPONSE_NOT_ARMED',
      shortMessage: expect.stringContaining(
        `Response "pause ${vault}" of rule "attack" is not armed: ${vault}.pause() would revert when sent by responder ${outsider.address}: AccessControlUnauthorizedAccount(account: ${outsider.address}, neededRole: ${pauserRole})`,
      ),
    })
  })

  test('a wrong signature stops `bulwark monitor` at start (exit 4): the function does not exist on the target', async () => {
    const work = await mkdtemp(path.join(tmpdir(), 'bulwark-monitor-armed-'))
    try {
      await writeFile(path.join(work, 'policy.json'), JSON.stringify({ rules: [{ name: 'attack', minScore: 80, respond: [{ kind: 'contract-call', calls: [{ target: vault, function: 'setPaused(bool)', args: [true] }] }] }] }))
      const io = captureIo(work, { RESPONDER: toHex(guardian.getHdKey().privateKey!), DATABASE_URL: '' })
      expect(await main(['monitor', '--rpc', anvil.rpcUrl, '--address', vault, '--key', 'env:RESPONDER', '--policy', 'policy.json', '--no-pending', '--json'], io.io)).toBe(4)
      expect(io.json().error).toMatchObject({
        code: 'BW_RESPONSE_NOT_ARMED',
        message: expect.stringContaining(`${vault}.setPaused(bool) would revert when sent by responder ${guardian.address}: the function setPaused(bool) (selector ${toFunctionSelector('setPaused(bool)')}) does not exist on the target`),
      })

      // with --dry-run nothing would be sent: the monitor starts and says what is not armed
      const dry = captureIo(work, { RESPONDER: toHex(guardian.getHdKey().privateKey!), DATABASE_URL: '' })
      expect(await main(['monitor', '--rpc', anvil.rpcUrl, '--address', vault, '--key', 'env:RESPONDER', '--policy', 'policy.json', '--no-pending', '--dry-run'], dry.io)).toBe(0)
      expect(dry.stderr()).toContain(`monitor: dry run: response "${vault}.setPaused(bool)" of rule "attack" is not armed: the function setPaused(bool)`)
      expect(dry.stderr()).toContain('(--dry-run: nothing is sent)')

      // `monitor check` reports every response; the good one armed, the bad one not
      await writeFile(
        path.join(work, 'policy.json'),
        JSON.stringify({ rules: [{ name: 'good', minScore: 90, respond: [pauseVia(vault)] }, { name: 'bad', minScore: 80, respond: [{ kind: 'contract-call', calls: [{ target: vault, function: 'setPaused(bool)', args: [true] }] }] }] }),
      )
      const check = captureIo(work, { RESPONDER: toHex(guardian.getHdKey().privateKey!) })
      expect(await main(['monitor', 'check', '--rpc', anvil.rpcUrl, '--key', 'env:RESPONDER', '--policy', 'policy.json', '--json'], check.io)).toBe(4)
      const report = check.json()
      expect(report.ok).toBe(false)
      expect(report.checks.map((item: { rule: string; status: string }) => [item.rule, item.status])).toEqual([
        ['good', 'armed'],
        ['bad', 'not-armed'],
      ])
      expect(report.error.code).toBe('BW_RESPONSE_NOT_ARMED')
      expect(check.stdout()).not.toContain(toHex(guardian.getHdKey().privateKey!).slice(2))
    } finally {
      await rm(work, { recursive: true, force: true })
    }
  }, 60_000)

  test("Bulwark's own pauser response on a contract that only has the protocol's pause is not armed, with the way out named", async () => {
    const result = await checkResponses({ client: reader(), chainId: anvil.chainId, policy: parsePolicy({ rules: [{ name: 'old style', minScore: 70, respond: [{ kind: 'pause', via: 'pauser', targets: [vault], duration: 600 }] }] }), account: guardian })
    expect(result).toMatchObject({ ok: false, checks: [{ rule: 'old style', status: 'not-armed', reason: expect.stringContaining("the targets do not implement Bulwark's pauseFor/pausedUntil: use a contract-call response with the protocol's own pause") }] })
  })

  test('--dry-run decides and says what would be sent, and sends nothing', async () => {
    const policy = parsePolicy({ rules: [{ minScore: 80, respond: [pauseVia(vault)] }] })
    const nonce = await client.getTransactionCount({ address: guardian.address })
    const pipeline = await createResponsePipeline({ store, client: reader(), chainId: anvil.chainId, policy, account: guardian, dryRun: true, sinks: [] })
    const [alert] = await pipeline.handle({ findings: [finding('reentrancy', vault)], seenAt: new Date(), chainTime: 60_000 })
    await pipeline.drain()
    expect(alert?.response).toEqual({ kind: 'notify', detail: `dry run: would pause: ${vault}.pause()` })
    expect(await paused(vault)).toBe(false)
    expect(await client.getTransactionCount({ address: guardian.address })).toBe(nonce)
  })
})

/**
 * An RPC endpoint in front of anvil that fails the first `count` eth_sendRawTransaction requests:
 * `error` answers a JSON-RPC error (a node that refused, a load balancer hiccup), `swallow` answers
 * the transaction's hash without forwarding it (the node accepted it and then lost it).
 */
async function flakyRpc(upstream: string, { count, mode }: { count: number; mode: 'error' | 'swallow' }): Promise<{ url: string; sends: () => number; close: () => Promise<void> }> {
  let left = count
  let sends = 0
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      void (async () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as unknown
        const items = (Array.isArray(body) ? body : [body]) as { id: number; method: string; params: unknown[] }[]
        const answers = await Promise.all(
          items.map(async (item) => {
            if (item.method === 'eth_sendRawTransaction') {
              sends++
              if (left > 0) {
                left--
                return mode === 'error' ? { jsonrpc: '2.0', id: item.id, error: { code: -32000, message: 'upstream unavailable, try again' } } : { jsonrpc: '2.0', id: item.id, result: keccak256(item.params[0] as Hex) }
              }
            }
            const forwarded = await fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(item) })
            return (await forwarded.json()) as unknown
          }),
        )
        response.writeHead(200, { 'content-type': 'application/json' })
        response.end(JSON.stringify(Array.isArray(body) ? answers : answers[0]))
      })()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { url: `http://127.0.0.1:${port}`, sends: () => sends, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

describe('responses that land', () => {
  test.each([
    ['refused by the node once (a JSON-RPC error on eth_sendRawTransaction)', 'error' as const],
    ['accepted and then lost (never mined)', 'swallow' as const],
  ])('a response %s is retried with a fresh signature and lands', async (_, mode) => {
    const proxy = await flakyRpc(anvil.rpcUrl, { count: 1, mode })
    try {
      const lines: string[] = []
      const pipeline = await createResponsePipeline({
        store,
        client: createReadClient({ rpcUrl: proxy.url }) as unknown as PublicClient,
        chainId: anvil.chainId,
        policy: parsePolicy({ rules: [{ minScore: 80, respond: [pauseVia(vault)] }] }),
        account: guardian,
        sinks: [],
        log: (line) => lines.push(line),
        receiptTimeoutMs: 1_500,
        retry: { attempts: 4, backoffMs: 100, totalMs: 30_000 },
      })
      const [alert] = await pipeline.handle({ findings: [finding('reentrancy', vault)], seenAt: new Date(), chainTime: 70_000 + (mode === 'error' ? 0 : 10_000) })
      await pipeline.drain()
      if (mode === 'error') expect(alert?.response.detail).toMatch(/^failed: .*upstream unavailable, try again.*; retrying \(attempt 1 of 4\)$/)
      else expect(alert?.response.tx).toMatch(/^0x/)
      expect(await paused(vault)).toBe(true)
      expect(proxy.sends()).toBe(2)
      const row = (await listResponses(store, { chainId: anvil.chainId })).find((item) => item.incidentKey === alert!.evidence['incident'])
      expect(row).toMatchObject({ status: 'mined', detail: expect.objectContaining({ attempts: 2 }) })
      expect(lines.join('\n')).toMatch(/attempt 2 broadcast/)
    } finally {
      await proxy.close()
    }
  }, 60_000)

  test('escalation: an incident that got notify gets the pause when an attack finding joins it; a failed pause never blocks a later one', async () => {
    const policy = parsePolicy({
      rules: [
        { name: 'outflow: tell someone', minScore: 20, detectors: ['large-outflow'], respond: [{ kind: 'notify' }] },
        { name: 'attack', minScore: 80, respond: [pauseVia(vault)] },
      ],
    })
    // the responder lost its role: the first pause fails (every attempt), and is recorded failed
    const admin = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: governance })
    const revoke = await admin.writeContract({ address: vault, abi: parseAbi(['function revokeRole(bytes32 role, address account)']), functionName: 'revokeRole', args: [pauserRole, guardian.address] })
    await admin.waitForTransactionReceipt({ hash: revoke })
    const pipeline = await createResponsePipeline({ store, client: reader(), chainId: anvil.chainId, policy, account: guardian, sinks: [], retry: { attempts: 2, backoffMs: 50 } })
    const [benign] = await pipeline.handle({ findings: [finding('large-outflow', vault, 'low')], seenAt: new Date(), chainTime: 90_000 })
    expect(benign).toMatchObject({ riskScore: 20, response: { kind: 'notify' } })
    const [attack] = await pipeline.handle({ findings: [finding('reentrancy', vault)], seenAt: new Date(), chainTime: 90_030 })
    expect(attack?.evidence['incident']).toBe(benign?.evidence['incident'])
    expect(attack).toMatchObject({ riskScore: 100, evidence: { rule: 'attack' }, response: { kind: 'pause', detail: expect.stringMatching(/^failed: .*AccessControlUnauthorizedAccount|^failed: .*revert/) } })
    await pipeline.drain()
    expect(await paused(vault)).toBe(false)
    const incident = benign!.evidence['incident'] as string
    const failed = (await listResponses(store, { incidentKey: incident })).find((row) => row.kind === 'contract-call')
    expect(failed).toMatchObject({ status: 'failed', detail: expect.objectContaining({ attempts: 2 }) })

    // governance gives the role back; the attack's next transaction is decided again and the pause lands
    const grant = await admin.writeContract({ address: vault, abi: vaultAbi, functionName: 'grantRole', args: [pauserRole, guardian.address] })
    await admin.waitForTransactionReceipt({ hash: grant })
    const [next] = await pipeline.handle({ findings: [finding('reentrancy', vault)], seenAt: new Date(), chainTime: 90_060 })
    await pipeline.drain()
    expect(next?.evidence['incident']).toBe(incident)
    expect(next?.response).toMatchObject({ kind: 'pause', tx: expect.stringMatching(/^0x/) })
    expect(await paused(vault)).toBe(true)
    const rows = await listResponses(store, { incidentKey: incident })
    expect(rows.map((row) => [row.kind, row.status]).sort()).toEqual([
      ['contract-call', 'mined'],
      ['notify', 'skipped'],
    ])
    expect(rows.find((row) => row.kind === 'contract-call')?.detail).toMatchObject({ reclaims: 1 })
  }, 60_000)
})
