import { createServer, type Server } from 'node:http'
import { parseAbi, type Address } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createDevClient, createReadClient, createTestChainClient } from './clients.js'
import { devAccount } from './devAccounts.js'
import { isNodeFailure, probeContractRead } from './probeContractRead.js'
import { startAnvil, type Anvil } from './startAnvil.js'

// Stages and the monitor tell "the node failed" (could not run: an error) from "the contract answered"
// (a revert: a finding) with isNodeFailure; each side of the line is shown on a real anvil.
let anvil: Anvil
let gone: Server
let goneUrl: string
const reverter: Address = '0x00000000000000000000000000000000000000b1'
const abi = parseAbi(['function value() view returns (uint256)', 'function poke()'])

/** The failure `run` throws (a test fails if it does not throw). */
async function failureOf(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(
    () => expect.unreachable('expected a failure'),
    (error: unknown) => error,
  )
}

beforeAll(async () => {
  anvil = await startAnvil()
  // Code that always reverts with empty data: PUSH1 0 PUSH1 0 REVERT.
  await createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId }).setCode({ address: reverter, bytecode: '0x60006000fd' })
  // A node that went away: every request is HTTP 503.
  gone = createServer((_request, response) => response.writeHead(503, { 'content-type': 'text/plain' }).end('node unavailable'))
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve))
  goneUrl = `http://127.0.0.1:${(gone.address() as { port: number }).port}`
}, 120_000)

afterAll(async () => {
  await new Promise((resolve) => gone?.close(resolve))
  await anvil?.stop()
})

test('a revert (a call, or a transaction at gas estimation) is the contract answering, also wrapped (the cause chain is walked)', async () => {
  const reader = createReadClient({ rpcUrl: anvil.rpcUrl })
  const reverted = await failureOf(() => reader.readContract({ address: reverter, abi, functionName: 'value' }))
  expect(isNodeFailure(reverted)).toBe(false)
  expect(await probeContractRead(reader, () => reader.readContract({ address: reverter, abi, functionName: 'value' }))).toBeUndefined()
  const dev = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(0) })
  const sent = await failureOf(() => dev.writeContract({ address: reverter, abi, functionName: 'poke' }))
  expect(isNodeFailure(sent)).toBe(false)
  expect(isNodeFailure(new Error('could not execute the timelock batch', { cause: sent }))).toBe(false)
  expect(isNodeFailure(new Error('transaction 0x01 reverted'))).toBe(false)
})

test('a node that went away (HTTP 503 after retries) or refuses the method is a node failure, also wrapped (the cause chain is walked)', async () => {
  const reader = createReadClient({ rpcUrl: goneUrl, retryDelayMs: 10 })
  const unavailable = await failureOf(() => reader.readContract({ address: reverter, abi, functionName: 'value' }))
  expect(isNodeFailure(unavailable)).toBe(true)
  expect(isNodeFailure(new Error('could not run the atomicity probe', { cause: unavailable }))).toBe(true)
  await expect(probeContractRead(reader, () => reader.readContract({ address: reverter, abi, functionName: 'value' }))).rejects.toMatchObject({ code: 'BW_RPC_UNREACHABLE' })
  const refused = await failureOf(() => createReadClient({ rpcUrl: anvil.rpcUrl }).request({ method: 'bulwark_noSuchMethod' } as never))
  expect(isNodeFailure(refused)).toBe(true)
})
