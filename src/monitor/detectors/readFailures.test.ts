import { createServer, type Server } from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseEther, type Abi, type Address } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createDevClient, createReadClient, type DevClient, type ReadClient } from '../../chain/clients.js'
import { deployContract } from '../../chain/deployContract.js'
import { devAccount, devRoles } from '../../chain/devAccounts.js'
import { startAnvil, type Anvil } from '../../chain/startAnvil.js'
import type { Artifact } from '../../compile/artifacts.js'
import { compileProject } from '../../compile/compileProject.js'
import { getArtifact } from '../../compile/getArtifact.js'
import { openStore, type Store } from '../../store/openStore.js'
import { processNewBlocks } from '../sources/processNewBlocks.js'
import type { DetectorsConfig } from './createDetectors.js'
import { createDetectors } from './createDetectors.js'

// A read that fails is not an answer: a token whose balanceOf reverts has no balance (never 0, a fake
// 100% drop), and an RPC that stops answering view calls is an error the monitor retries, never a finding.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const chain = { id: 31337, name: 'anvil' }
let anvil: Anvil
let build: { artifacts: Artifact[] }
let store: Store
let proxy: { url: string; down: Set<string>; server: Server }
let reader: ReadClient
const deployer = devAccount(devRoles.deployer)
const recipient = devAccount(devRoles.depositors[0]).address

const abiOf = (name: string): Abi => getArtifact(build, name).abi
let owner: DevClient
async function send(address: Address, name: string, functionName: string, args: readonly unknown[]) {
  const hash = await owner.writeContract({ address, abi: abiOf(name), functionName, args } as unknown as Parameters<DevClient['writeContract']>[0])
  const receipt = await owner.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  expect(receipt.status, `${name}.${functionName}`).toBe('success')
  return receipt
}
async function deployVault() {
  const token = (await deployContract(owner, { name: 'MutableBalanceToken', abi: abiOf('MutableBalanceToken'), bytecode: getArtifact(build, 'MutableBalanceToken').bytecode })).address
  const vault = (await deployContract(owner, { name: 'MutedVault', abi: abiOf('MutedVault'), bytecode: getArtifact(build, 'MutedVault').bytecode, args: [token] })).address
  await send(token, 'MutableBalanceToken', 'mint', [vault, parseEther('1000')])
  return { token, vault }
}

/** A monitor over the vault, reading the chain through the proxy; each pass judges the blocks mined since the last. */
function watch(vault: Address, config: DetectorsConfig = {}) {
  const detectors = createDetectors(config)
  const memory = new Map<string, unknown>()
  return () => processNewBlocks({ client: reader as never, store, chain, detectors, scope: { contracts: [vault], releaseGates: [], authorities: [deployer.address] }, memory })
}
/** Marks everything mined so far as history. */
const skipHistory = () => processNewBlocks({ client: reader as never, store, chain, detectors: [], scope: { contracts: [], releaseGates: [], authorities: [] }, memory: new Map() })

beforeAll(async () => {
  build = await compileProject({ root, sources: ['test/monitor/readFailures'] })
  anvil = await startAnvil()
  owner = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: deployer })
  store = await openStore({ dataDir: 'memory://' })
  // A node in front of anvil whose methods in `down` answer HTTP 503 (a node that went away for them).
  const down = new Set<string>()
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', async () => {
      const parsed = JSON.parse(body) as { method?: string } | { method?: string }[]
      if ((Array.isArray(parsed) ? parsed : [parsed]).some((call) => down.has(call.method ?? ''))) {
        response.writeHead(503, { 'content-type': 'text/plain' }).end('node unavailable')
        return
      }
      const upstream = await fetch(anvil.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      response.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  proxy = { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, down, server }
  reader = createReadClient({ rpcUrl: proxy.url, timeoutMs: 60_000, retryDelayMs: 20 })
  await skipHistory()
}, 180_000)

afterAll(async () => {
  await new Promise((resolve) => proxy?.server.close(resolve))
  await store?.close()
  await anvil?.stop()
})

test('a token whose balanceOf reverts has no balance: no TVL drop, no outflow; a real drop afterwards is still seen', async () => {
  const { token, vault } = await deployVault()
  await skipHistory()
  const pass = watch(vault)
  // 1% paid out, and balanceOf reverts from this block on: read as 0 it was a 100% TVL drop.
  await send(vault, 'MutedVault', 'payOut', [recipient, parseEther('10'), true])
  const muted = await pass()
  expect(muted.processed).toBe(1)
  expect(muted.alerts.map((alert) => alert.detector)).toEqual([])

  await send(token, 'MutableBalanceToken', 'setMuted', [false])
  await send(vault, 'MutedVault', 'payOut', [recipient, parseEther('900'), false])
  const drained = (await pass()).alerts.filter((alert) => alert.detector === 'tvl-drop')
  expect(drained).toHaveLength(1)
  expect(drained[0]!.evidence).toMatchObject({ token, holder: vault, peak: parseEther('1000').toString(), balance: parseEther('90').toString() })
}, 120_000)

test('an RPC that stops answering view calls is BW_MONITOR_SOURCE_FAILED: no alert, no checkpoint; the block is judged once it answers', async () => {
  const { token, vault } = await deployVault()
  await skipHistory()
  const pass = watch(vault, {
    invariant: { invariants: [{ name: 'vault holds tokens', left: { address: token, function: 'function balanceOf(address) view returns (uint256)', args: [vault] }, op: 'gte', right: '1' }] },
  })
  const checkpoint = async () => (await store.query<{ block_number: string }>('SELECT block_number::text FROM monitor_checkpoints WHERE chain_id = $1', [chain.id]))[0]?.block_number
  const alertCount = async () => (await store.query<{ n: string }>('SELECT count(*)::text AS n FROM monitor_alerts'))[0]?.n
  const [before, alertsBefore] = [await checkpoint(), await alertCount()]
  // Half the vault leaves: a real TVL drop and a real outflow, judged only from balances the node gives.
  const { blockNumber } = await send(vault, 'MutedVault', 'payOut', [recipient, parseEther('500'), false])
  proxy.down.add('eth_call')
  await expect(pass()).rejects.toMatchObject({ code: 'BW_MONITOR_SOURCE_FAILED', shortMessage: `The monitor could not read ${token}.balanceOf of ${vault} at block ${blockNumber - 1n}.` })
  expect(await checkpoint()).toBe(before)
  expect(await alertCount()).toBe(alertsBefore)

  // The node answers again: the same block is judged once, from what the chain holds.
  proxy.down.delete('eth_call')
  const judged = await pass()
  expect(judged.processed).toBe(1)
  // (the deployer is an authority here, so its pay-out is not an outflow: the TVL drop alone)
  expect(judged.alerts.map((alert) => alert.detector)).toEqual(['tvl-drop'])
  expect(judged.alerts.find((alert) => alert.detector === 'tvl-drop')!.evidence).toMatchObject({ peak: parseEther('1000').toString(), balance: parseEther('500').toString() })

  // A view that reverts is the contract's answer: the invariant is broken (not an error).
  await send(token, 'MutableBalanceToken', 'setMuted', [true])
  const broken = (await pass()).alerts.filter((alert) => alert.detector === 'invariant')
  expect(broken).toHaveLength(1)
  expect(broken[0]!.evidence).toMatchObject({ invariant: 'vault holds tokens', left: null, error: 'function balanceOf(address) view returns (uint256) reverted (the contract no longer answers)' })

  // The invariant's own read going away is an error too, never a broken invariant.
  await send(token, 'MutableBalanceToken', 'setMuted', [false])
  await pass()
  proxy.down.add('eth_call')
  await send(token, 'MutableBalanceToken', 'setMuted', [false])
  await expect(pass()).rejects.toMatchObject({ code: 'BW_MONITOR_SOURCE_FAILED', shortMessage: expect.stringContaining('for invariant checks') })
  proxy.down.delete('eth_call')
  expect((await pass()).alerts.filter((alert) => alert.detector === 'invariant')).toEqual([])
}, 180_000)

test('a price view the node cannot read is unknown, not 0: the block is read again and a later move is still seen', async () => {
  const { token, vault } = await deployVault()
  await skipHistory()
  // The vault's balance as a price source (any view returning one integer), read at the end of every block.
  const pass = watch(vault, { 'price-deviation': { sources: [{ kind: 'view', address: token, function: 'function balanceOf(address) view returns (uint256)', args: [vault] }] } })
  await send(token, 'MutableBalanceToken', 'setMuted', [false])
  proxy.down.add('eth_call')
  // Read as 0 it became the next block's opening price, and the move below was never judged.
  await expect(pass()).rejects.toMatchObject({ code: 'BW_MONITOR_SOURCE_FAILED', shortMessage: expect.stringContaining(`read the price function balanceOf(address) view returns (uint256) on ${token}`) })
  proxy.down.delete('eth_call')
  expect((await pass()).alerts).toEqual([])
  await send(vault, 'MutedVault', 'payOut', [recipient, parseEther('500'), false])
  const moved = (await pass()).alerts.filter((alert) => alert.detector === 'price-deviation')
  expect(moved).toHaveLength(1)
  expect(moved[0]!.evidence).toMatchObject({ source: 'view', deviationBps: 5000 })
}, 120_000)
