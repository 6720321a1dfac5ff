/**
 * Monitor throughput: transactions per second through the block follower (`processNewBlocks`:
 * block + receipts + call traces in one JSON-RPC batch, every detector, alerts and checkpoint
 * committed per block in the store) over a pre-generated local chain. The chain: anvil with a
 * high block gas limit and automine off; token transfers, AMM swaps (a watched pair) and ETH
 * transfers signed locally, sent with `eth_sendRawTransaction` in JSON-RPC batches, and sealed
 * `PER_BLOCK` to a block with `anvil_mine`. Everything lives in temp dirs / memory.
 * Prints figures, never fails on a time. BENCH_MONITOR_TXS sets the chain size (default 50,000).
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeFunctionData, keccak256, maxUint256, parseEther, toHex, type Abi, type Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { createDevClient, createReadClient } from '../src/chain/clients.js'
import { deployContract } from '../src/chain/deployContract.js'
import { devAccount } from '../src/chain/devAccounts.js'
import { startAnvil } from '../src/chain/startAnvil.js'
import { compileProject } from '../src/compile/compileProject.js'
import { getArtifact } from '../src/compile/getArtifact.js'
import { createDetectors } from '../src/monitor/detectors/createDetectors.js'
import { processNewBlocks } from '../src/monitor/sources/processNewBlocks.js'
import { sendBulk, type BulkCall } from '../src/monitor/sources/sendBulk.js'
import { openStore } from '../src/store/openStore.js'

const total = Number(process.env['BENCH_MONITOR_TXS'] ?? 50_000)
const perBlock = Number(process.env['BENCH_MONITOR_PER_BLOCK'] ?? 250)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const build = await compileProject({ root })
const abiOf = (name: string): Abi => getArtifact(build, name).abi
const anvil = await startAnvil({ extraArgs: ['--gas-limit', '10000000000'] })
const store = await openStore({ dataDir: 'memory://' })
try {
  const reader = createReadClient({ rpcUrl: anvil.rpcUrl, timeoutMs: 120_000 })
  const owner = devAccount(0)
  const ownerClient = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: owner })
  const deploy = async (name: string, args: readonly unknown[] = []) => (await deployContract(ownerClient, { name, abi: abiOf(name), bytecode: getArtifact(build, name).bytecode, args })).address
  const call = (abiName: string, functionName: string, args: readonly unknown[]) => encodeFunctionData({ abi: abiOf(abiName), functionName, args } as Parameters<typeof encodeFunctionData>[0])
  const t0 = await deploy('AttackToken', ['COL'])
  const t1 = await deploy('AttackToken', ['USD'])
  const pair = await deploy('SpotPair', [t0, t1])
  const senders = Array.from({ length: 200 }, (_, i) => privateKeyToAccount(keccak256(toHex(`bench sender ${i}`))))
  await Promise.all(senders.map((s) => reader.request({ method: 'anvil_setBalance', params: [s.address, toHex(parseEther('100'))] } as never)))
  const startBlock = (await reader.getBlockNumber({ cacheTime: 0 })) + 1n
  await reader.request({ method: 'evm_setAutomine', params: [false] } as never)

  const generationStart = performance.now()
  const setup: BulkCall[] = [
    { from: owner, to: t0, data: call('AttackToken', 'mint', [owner.address, parseEther('10000000')]), gas: 100_000n },
    { from: owner, to: t1, data: call('AttackToken', 'mint', [owner.address, parseEther('10000000')]), gas: 100_000n },
    { from: owner, to: t0, data: call('AttackToken', 'approve', [pair, maxUint256]), gas: 100_000n },
    { from: owner, to: t1, data: call('AttackToken', 'approve', [pair, maxUint256]), gas: 100_000n },
    { from: owner, to: pair, data: call('SpotPair', 'addLiquidity', [parseEther('10000000'), parseEther('10000000')]), gas: 300_000n },
    ...senders.flatMap((s): BulkCall[] => [
      { from: owner, to: t0, data: call('AttackToken', 'mint', [s.address, parseEther('100000')]), gas: 100_000n },
      { from: owner, to: t1, data: call('AttackToken', 'mint', [s.address, parseEther('100000')]), gas: 100_000n },
      { from: s, to: t0, data: call('AttackToken', 'approve', [pair, maxUint256]), gas: 100_000n },
      { from: s, to: t1, data: call('AttackToken', 'approve', [pair, maxUint256]), gas: 100_000n },
    ]),
  ]
  const traffic: BulkCall[] = []
  for (let i = 0; traffic.length + setup.length < total; i++) {
    const from = senders[i % senders.length]!
    const to = senders[(i * 7 + 3) % senders.length]!.address
    const kind = i % 5
    if (kind === 0) traffic.push({ from, to: pair, data: call('SpotPair', 'swap', [i % 2 ? t0 : t1, parseEther('10')]), gas: 200_000n })
    else if (kind === 1 || kind === 2) traffic.push({ from, to: kind === 1 ? t0 : t1, data: call('AttackToken', 'transfer', [to, parseEther('1')]), gas: 100_000n })
    else traffic.push({ from, to, value: 1_000n, gas: 21_000n })
  }
  const nonces = new Map<string, number>()
  await sendBulk(reader as never, { chainId: anvil.chainId, calls: setup, perBlock, nonces })
  await sendBulk(reader as never, { chainId: anvil.chainId, calls: traffic, perBlock, nonces })
  const generationSeconds = (performance.now() - generationStart) / 1000
  const head = await reader.getBlockNumber({ cacheTime: 0 })

  const chain = { id: anvil.chainId, name: 'anvil' }
  const scope = { contracts: [pair, t0, t1] as Address[], releaseGates: [], authorities: [owner.address] }
  const detectors = createDetectors()
  const start = performance.now()
  const result = await processNewBlocks({ client: reader as never, store, chain, detectors, scope, memory: new Map(), startBlock, toBlock: head })
  const seconds = (performance.now() - start) / 1000
  const txs = setup.length + traffic.length
  const rate = txs / seconds
  console.log(`monitor throughput: ${txs} transactions in ${result.processed} blocks (${perBlock}/block), ${seconds.toFixed(2)} s → ${Math.round(rate)} tx/s (traces on, ${detectors.length} detectors, store commits per block; target 2000 tx/s, ratio ${(rate / 2000).toFixed(2)})`)
  console.log(`chain generation: ${generationSeconds.toFixed(1)} s (${Math.round(txs / generationSeconds)} tx/s signed, sent and mined); alerts on the benign chain: ${result.alerts.length}`)
} finally {
  await store.close()
  await anvil.stop()
}
