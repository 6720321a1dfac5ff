/**
 * A block follower as its own process, for the crash test (`restart.test.ts`): it follows the chain
 * at BULWARK_RPC_URL with every detector, committing to the store in BULWARK_DATA_DIR, and prints
 * one line per pass that committed blocks (`processed <count> up to <block>`) until it is killed. BULWARK_SCOPE is the
 * scope as JSON. Run with `node --import tsx src/monitor/sources/followerProcess.ts`.
 */
import { createReadClient } from '../../chain/clients.js'
import { openStore } from '../../store/openStore.js'
import { createDetectors } from '../detectors/createDetectors.js'
import type { MonitorScope } from '../types.js'
import { processNewBlocks } from './processNewBlocks.js'

const rpcUrl = process.env['BULWARK_RPC_URL']
const dataDir = process.env['BULWARK_DATA_DIR']
if (!rpcUrl || !dataDir) throw new Error('BULWARK_RPC_URL and BULWARK_DATA_DIR are required')
const scope = JSON.parse(process.env['BULWARK_SCOPE'] ?? '{"contracts":[],"releaseGates":[],"authorities":[]}') as MonitorScope
const startBlock = process.env['BULWARK_START_BLOCK'] ? BigInt(process.env['BULWARK_START_BLOCK']) : undefined
const client = createReadClient({ rpcUrl, timeoutMs: 60_000 })
const store = await openStore({ dataDir })
const detectors = createDetectors({ 'large-outflow': { thresholdBps: 2_000, windowBlocks: 1 } })
const memory = new Map<string, unknown>()
const chain = { id: await client.getChainId(), name: 'anvil' }
process.stdout.write('ready\n')
for (;;) {
  const pass = await processNewBlocks({ client: client as never, store, chain, detectors, scope, memory, startBlock })
  if (pass.processed > 0) process.stdout.write(`processed ${pass.processed} up to ${String(pass.checkpoint?.blockNumber)}\n`)
  await new Promise((resolve) => setTimeout(resolve, 20))
}
