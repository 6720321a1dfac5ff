/**
 * The dynamic validation stages (fork rehearsal, exploit replay, regression, differential replay) on
 * the demo patch LendingPool → LendingPoolV2, on local anvil: each stage alone, then all four
 * concurrently as the pipeline runs them, and the differential replay's throughput with 200
 * historical pool transactions. The history is mined 10 transactions per block, as on a busy chain
 * (the local "production" anvil keeps only 64 blocks of state, so one block per transaction would put
 * the fork block out of reach). Prints figures and ratios; never fails on an absolute time.
 */
import { parseAbi, parseEther } from 'viem'
import { createDevClient, createTestChainClient } from '../src/chain/clients.js'
import { devAccount, devRoles } from '../src/chain/devAccounts.js'
import type { Stage } from '../src/validate/stage.js'
import { differentialReplay } from '../src/validate/stages/differentialReplay.js'
import { demoProofsOfConcept, demoRegressions, demoStageContext, startDemoChain } from '../src/validate/stages/dynamicStageFixtures.js'
import { exploitReplay } from '../src/validate/stages/exploitReplay.js'
import { forkRehearsal } from '../src/validate/stages/forkRehearsal.js'
import { regression } from '../src/validate/stages/regression.js'

const history = Number(process.env.BENCH_HISTORY ?? 200)
const perBlock = 10
const chain = await startDemoChain()
try {
  const { anvil, demo } = chain
  const testClient = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
  const poolAbi = parseAbi(['function deposit(uint256)', 'function withdraw(uint256)'])
  const accounts = devRoles.depositors.map((index) => devAccount(index))
  const clients = accounts.map((account) => createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account }))
  const nonces = await Promise.all(accounts.map((account) => testClient.getTransactionCount({ address: account.address })))
  await testClient.setAutomine(false)
  for (let i = 0; i < history; i += 1) {
    const sender = i % clients.length
    const functionName = Math.floor(i / clients.length) % 2 === 0 ? 'deposit' : 'withdraw'
    await clients[sender]!.writeContract({ address: demo.lendingPool.proxy, abi: poolAbi, functionName, args: [parseEther('10')], nonce: nonces[sender]!++, gas: 500_000n })
    if ((i + 1) % perBlock === 0 || i === history - 1) await testClient.mine({ blocks: 1 })
  }
  await testClient.setAutomine(true)
  console.log(`history: ${history} pool transactions in ${Math.ceil(history / perBlock)} blocks (set-up, not measured)`)

  const manifest = {
    proofsOfConcept: demoProofsOfConcept(demo),
    ...demoRegressions(demo, demo.depositors[2]!),
    differentialReplay: { transactions: history },
  }
  const stages: [string, Stage][] = [
    ['fork-rehearsal', forkRehearsal],
    ['exploit-replay', exploitReplay],
    ['regression', regression],
    ['differential-replay', differentialReplay],
  ]
  const timed = async (name: string, stage: Stage) => {
    const started = performance.now()
    const output = await stage(await demoStageContext(chain, 'LendingPoolV2', manifest))
    const ms = performance.now() - started
    return { name, ms, output }
  }

  console.log('\neach stage alone:')
  let sequential = 0
  for (const [name, stage] of stages) {
    const { ms, output } = await timed(name, stage)
    sequential += ms
    console.log(`  ${name.padEnd(20)} ${`${(ms / 1000).toFixed(1)} s`.padStart(8)}  ${output.findings.filter((finding) => finding.severity === 'critical' || finding.severity === 'high').length} blocking  ${output.summary ?? output.skipped ?? ''}`)
    if (name === 'differential-replay') {
      const replayed = Number(output.data?.transactions ?? 0)
      console.log(`  ${''.padEnd(20)} ${replayed} transactions compared, ${(replayed / (ms / 1000)).toFixed(0)} tx/s (each block run patched and unpatched)`)
    }
  }
  const started = performance.now()
  const results = await Promise.all(stages.map(([name, stage]) => timed(name, stage)))
  const wall = performance.now() - started
  console.log(`\nall four concurrently: wall ${(wall / 1000).toFixed(1)} s vs ${(sequential / 1000).toFixed(1)} s one after another (speed-up ${(sequential / wall).toFixed(2)}x)`)
  for (const { name, ms } of results) console.log(`  ${name.padEnd(20)} ${`${(ms / 1000).toFixed(1)} s`.padStart(8)}`)
} finally {
  await chain.anvil.stop()
}
