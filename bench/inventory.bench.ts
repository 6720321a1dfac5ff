/**
 * Inventory latency and RPC round trips for the demo protocol on local anvil.
 * Prints figures and ratios; never fails on an absolute time (the machine decides those).
 * Target from the Foundation issue: under 1 s for 10 contracts.
 */
import path from 'node:path'
import { createReadClient } from '../src/chain/clients.js'
import { demoInventoryRoots } from '../src/chain/demoEntries.js'
import { deployDemoProtocol } from '../src/chain/deployDemoProtocol.js'
import { readInventory } from '../src/chain/readInventory.js'
import { startAnvil } from '../src/chain/startAnvil.js'
import { compileProject } from '../src/compile/compileProject.js'

const iterations = Number(process.env.BENCH_ITERATIONS ?? 20)
const root = path.resolve(import.meta.dirname, '..')

const anvil = await startAnvil()
try {
  const build = await compileProject({ root })
  const protocol = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
  const roots = demoInventoryRoots(protocol)
  const fromBlock = BigInt(protocol.fromBlock)

  async function measure(batch: boolean) {
    let httpRequests = 0
    let rpcCalls = 0
    const client = createReadClient({
      rpcUrl: anvil.rpcUrl,
      batch,
      onFetchRequest: async (request) => {
        httpRequests += 1
        const body = (await request.clone().json()) as unknown
        rpcCalls += Array.isArray(body) ? body.length : 1
      },
    })
    const blockNumber = await client.getBlockNumber()
    httpRequests = 0
    rpcCalls = 0
    const times: number[] = []
    let contracts = 0
    await readInventory(client, { addresses: roots, blockNumber, fromBlock }) // warm-up
    httpRequests = 0
    rpcCalls = 0
    for (let i = 0; i < iterations; i += 1) {
      const started = performance.now()
      const inventory = await readInventory(client, { addresses: roots, blockNumber, fromBlock })
      times.push(performance.now() - started)
      contracts = Object.values(inventory.nodes).filter((node) => node.kind !== 'eoa').length
    }
    times.sort((a, b) => a - b)
    return {
      contracts,
      medianMs: times[Math.floor(times.length / 2)]!,
      p90Ms: times[Math.floor(times.length * 0.9)]!,
      httpRequests: httpRequests / iterations,
      rpcCalls: rpcCalls / iterations,
    }
  }

  const batched = await measure(true)
  const plain = await measure(false)
  const row = (label: string, r: typeof batched) =>
    `${label.padEnd(22)} ${r.contracts.toString().padStart(9)} ${r.medianMs.toFixed(1).padStart(10)} ${r.p90Ms.toFixed(1).padStart(9)} ${r.httpRequests.toFixed(0).padStart(13)} ${r.rpcCalls.toFixed(0).padStart(9)}`
  console.log(`inventory of the demo protocol (${roots.length} roots), ${iterations} runs each, local anvil`)
  console.log(`${'mode'.padEnd(22)} ${'contracts'.padStart(9)} ${'median ms'.padStart(10)} ${'p90 ms'.padStart(9)} ${'HTTP requests'.padStart(13)} ${'RPC calls'.padStart(9)}`)
  console.log(row('JSON-RPC batching', batched))
  console.log(row('one call per request', plain))
  console.log(`batching: ${(plain.httpRequests / batched.httpRequests).toFixed(1)}x fewer round trips, ${(plain.medianMs / batched.medianMs).toFixed(2)}x faster`)
  console.log(`per 10 contracts (batched): ${((batched.medianMs / Math.max(1, batched.contracts)) * 10).toFixed(1)} ms (target < 1000 ms)`)
} finally {
  await anvil.stop()
}
