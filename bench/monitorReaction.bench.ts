/**
 * Reaction time of `bulwark monitor` on the demo protocol (local anvil), and how often its pause
 * beats a mempool attack.
 *
 * - Mined path: the demo's re-entrancy exploit is mined (auto-mining); the block follower sees the
 *   re-entrant trace and the seal's pause is broadcast. Reaction = block's findings ready → pause broadcast.
 * - Mempool path: interval mining (1 s blocks); the attack is sent at a random moment of the block
 *   interval and waits in the pool; the monitor simulates it (debug_traceCall), pauses with a higher
 *   tip, and either the pause lands first in the same block (the attack reverts) or it does not.
 *   Reaction = txpool poll that found the attack → pause broadcast.
 *
 * Figures, not gates: the share depends on the block interval and on where in it the attack arrives.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseEther, type Hex, type PublicClient } from 'viem'
import { createDevClient, createReadClient, createTestChainClient } from '../src/chain/clients.js'
import { deployContract } from '../src/chain/deployContract.js'
import { deployDemoProtocol } from '../src/chain/deployDemoProtocol.js'
import { devAccount, devRoles } from '../src/chain/devAccounts.js'
import { startAnvil } from '../src/chain/startAnvil.js'
import { compileProject } from '../src/compile/compileProject.js'
import { getArtifact } from '../src/compile/getArtifact.js'
import { reentrancy, reentrancyConfigSchema } from '../src/monitor/detectors/reentrancy.js'
import { parsePolicy } from '../src/monitor/policy.js'
import { listResponses } from '../src/monitor/responders/responseLedger.js'
import { startMonitor } from '../src/monitor/runMonitor.js'
import { openStore } from '../src/store/openStore.js'

const root = path.resolve(import.meta.dirname, '..')
const minedRuns = Number(process.env.BENCH_MINED_RUNS ?? 20)
const mempoolRuns = Number(process.env.BENCH_MEMPOOL_RUNS ?? 50)
const blockSeconds = 1
const seed = parseEther('25000')

const anvil = await startAnvil()
const dir = await mkdtemp(path.join(tmpdir(), 'bulwark-reaction-'))
try {
  const build = await compileProject({ root })
  const demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
  const client = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
  const attacker = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.attacker) })
  const attackerArtifact = getArtifact(build, 'LendingPoolAttacker')
  const { address: attackerContract } = await deployContract(attacker, { name: 'LendingPoolAttacker', abi: attackerArtifact.abi, bytecode: attackerArtifact.bytecode, args: [demo.lendingPool.proxy, demo.tokens.asset] })
  await attacker.waitForTransactionReceipt({ hash: await attacker.writeContract({ address: demo.tokens.asset, abi: getArtifact(build, 'DemoToken').abi, functionName: 'approve', args: [attackerContract, seed * 1000n] }) })
  const store = await openStore({ dataDir: path.join(dir, 'db') })
  const reader = createReadClient({ rpcUrl: anvil.rpcUrl }) as unknown as PublicClient
  const policy = parsePolicy({ rules: [{ minScore: 60, respond: [{ kind: 'pause', seal: demo.pauseSeal.address, targets: [demo.lendingPool.proxy], duration: 3600 }] }] })
  let snapshot = await client.snapshot()

  async function run(mode: 'mined' | 'mempool'): Promise<{ reactionMs: number | undefined; beaten: boolean }> {
    await client.revert({ id: snapshot })
    snapshot = await client.snapshot()
    // each run is a fresh incident on a fresh chain state
    for (const table of ['monitor_responses', 'monitor_incidents', 'monitor_checkpoints', 'monitor_alerts', 'monitor_blocks']) await store.query(`DELETE FROM ${table}`)
    if (mode === 'mempool') {
      await client.setAutomine(false)
      await client.setIntervalMining({ interval: blockSeconds })
    }
    const monitor = await startMonitor({
      client: reader,
      store,
      chain: { id: anvil.chainId, name: 'anvil' },
      scope: { contracts: [demo.lendingPool.proxy], releaseGates: [demo.releaseGate], authorities: [demo.timelock] },
      detectors: [reentrancy.create(reentrancyConfigSchema.parse({}))],
      policy,
      account: devAccount(devRoles.guardian),
      sinks: [],
      blockIntervalMs: mode === 'mined' ? 20 : 250,
      pendingIntervalMs: mode === 'mempool' ? 20 : 0,
    })
    try {
      if (mode === 'mempool') {
        const start = await client.getBlockNumber({ cacheTime: 0 })
        while ((await client.getBlockNumber({ cacheTime: 0 })) === start) await new Promise((resolve) => setTimeout(resolve, 10))
        // the attack arrives at a random moment of the block interval
        await new Promise((resolve) => setTimeout(resolve, Math.random() * blockSeconds * 1000))
      } else {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const attack = await attacker.writeContract({ address: attackerContract, abi: attackerArtifact.abi, functionName: 'attack', args: [seed], gas: 3_000_000n })
      const attackReceipt = await client.waitForTransactionReceipt({ hash: attack, pollingInterval: 20 })
      let responses = await listResponses(store)
      for (let i = 0; i < 100 && !responses.some((response) => response.txHashes.length > 0); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20))
        responses = await listResponses(store)
      }
      const response = responses.find((entry) => entry.txHashes.length > 0)
      if (!response) return { reactionMs: undefined, beaten: false }
      const pause = await client.waitForTransactionReceipt({ hash: response.txHashes[0] as Hex, pollingInterval: 20 })
      const beaten = pause.blockNumber === attackReceipt.blockNumber && pause.transactionIndex < attackReceipt.transactionIndex && attackReceipt.status === 'reverted'
      return { reactionMs: Number(response.detail.reactionMs), beaten }
    } finally {
      await monitor.stop({ graceMs: 0 })
      if (mode === 'mempool') {
        await client.setIntervalMining({ interval: 0 })
        await client.setAutomine(true)
      }
    }
  }

  const report = (label: string, samples: number[]) => {
    const sorted = [...samples].sort((a, b) => a - b)
    const rank = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN
    console.log(`${label}: n=${sorted.length}  p50 ${rank(0.5).toFixed(0)} ms  p95 ${rank(0.95).toFixed(0)} ms  max ${rank(1).toFixed(0)} ms  (target p95 < 250 ms: ${rank(0.95) < 250 ? 'met' : 'missed'})`)
  }

  const mined: number[] = []
  for (let i = 0; i < minedRuns; i++) {
    const { reactionMs } = await run('mined')
    if (reactionMs !== undefined) mined.push(reactionMs)
  }
  report('block seen → pause broadcast', mined)

  const pending: number[] = []
  let beaten = 0
  for (let i = 0; i < mempoolRuns; i++) {
    const result = await run('mempool')
    if (result.reactionMs !== undefined) pending.push(result.reactionMs)
    if (result.beaten) beaten++
  }
  report('pending tx seen → pause broadcast', pending)
  console.log(`mempool attacks beaten (pause mined first in the same block, attack reverted): ${beaten}/${mempoolRuns} = ${((100 * beaten) / mempoolRuns).toFixed(0)}%  (${blockSeconds} s blocks, attack sent at a random moment of the interval)`)
  await store.close()
} finally {
  await anvil.stop()
  await rm(dir, { recursive: true, force: true })
}
