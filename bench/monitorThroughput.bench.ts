/**
 * Monitor throughput: transactions per second through fetchBlock (blocks, receipts, call traces in
 * one batch) and every detector, over a pre-generated local chain. Chain generation: anvil with
 * automine off, transfers signed locally and sent in bulk, `anvil_mine` per block. Prints figures,
 * never fails on a time. BENCH_MONITOR_TXS sets the chain size (default 50,000).
 */
import { encodeFunctionData, erc20Abi, parseEther, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { createReadClient, createTestChainClient, chainFor } from '../src/chain/clients.js'
import { startAnvil } from '../src/chain/startAnvil.js'
import { createDetectors, runDetectors } from '../src/monitor/detectors/createDetectors.js'
import { fetchBlock } from '../src/monitor/sources/fetchBlock.js'
import { createWalletClient, http } from 'viem'

const total = Number(process.env['BENCH_MONITOR_TXS'] ?? 50_000)
const perBlock = 500
const anvil = await startAnvil({ extraArgs: ['--no-mining'] })
try {
  const testClient = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
  const senders = Array.from({ length: 100 }, (_, i) => privateKeyToAccount(`0x${(i + 1).toString(16).padStart(64, '0')}` as Hex))
  for (const s of senders) await testClient.setBalance({ address: s.address, value: parseEther('1000') })
  const chain = chainFor({ chainId: anvil.chainId, rpcUrl: anvil.rpcUrl })
  const generationStart = performance.now()
  const nonces = new Map<string, number>()
  for (let sent = 0; sent < total; ) {
    const batch: Promise<unknown>[] = []
    for (let i = 0; i < perBlock && sent < total; i++, sent++) {
      const account = senders[sent % senders.length]!
      const nonce = nonces.get(account.address) ?? 0
      nonces.set(account.address, nonce + 1)
      const wallet = createWalletClient({ account, chain, transport: http(anvil.rpcUrl, { batch: { batchSize: 500 } }) })
      const data = sent % 3 === 0 ? encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [senders[(sent + 1) % 100]!.address, 1n] }) : '0x'
      batch.push(
        wallet.signTransaction({ to: senders[(sent + 7) % 100]!.address, value: 1n, data, nonce, gas: 60_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n }).then((tx) => wallet.sendRawTransaction({ serializedTransaction: tx })),
      )
    }
    await Promise.all(batch)
    await testClient.mine({ blocks: 1 })
  }
  const generationSeconds = (performance.now() - generationStart) / 1000
  const reader = createReadClient({ rpcUrl: anvil.rpcUrl, timeoutMs: 120_000 })
  const head = await reader.getBlockNumber()
  const detectors = createDetectors()
  const ctx = { client: reader as never, scope: { contracts: [senders[0]!.address], releaseGates: [], authorities: [] }, memory: new Map<string, unknown>() }
  const monitorChain = { id: anvil.chainId, name: 'anvil' }
  let txs = 0
  let findings = 0
  const start = performance.now()
  for (let n = 1n; n <= head; n++) {
    const { events } = await fetchBlock(reader as never, { chain: monitorChain, block: n })
    for (const event of [...events.slice(1), events[0]!]) {
      if (event.kind === 'transaction') txs++
      findings += (await runDetectors(detectors, event, ctx)).length
    }
  }
  const seconds = (performance.now() - start) / 1000
  console.log(`monitor throughput: ${txs} transactions in ${head} blocks, ${seconds.toFixed(2)} s → ${Math.round(txs / seconds)} tx/s (traces on, ${detectors.length} detectors; target 2000 tx/s, ratio ${(txs / seconds / 2000).toFixed(2)})`)
  console.log(`chain generation: ${generationSeconds.toFixed(1)} s; findings on the benign chain: ${findings}`)
} finally {
  await anvil.stop()
}
