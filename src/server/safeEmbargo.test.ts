import { keccak256, toHex, type Address, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { proposeSafeTransaction } from '../authorize/proposeSafeTransaction.js'
import { createDevClient } from '../chain/clients.js'
import { deploySafe, deploySafeInfrastructure } from '../chain/deploySafe.js'
import { devAccount } from '../chain/devAccounts.js'
import { startAnvil, type Anvil } from '../chain/startAnvil.js'
import { createAdvisory } from '../lifecycle/createAdvisory.js'
import { createPatch } from '../lifecycle/createPatch.js'
import { transitionAdvisory } from '../lifecycle/transitionAdvisory.js'
import type { Actor } from '../lifecycle/types.js'
import { startTestServer, type TestServer } from './testServer.js'

// Embargo through the Safe routes: a proposal bound to an embargoed patch does not exist for an uncleared caller.
describe('Safe routes under embargo', () => {
  let anvil: Anvil
  let server: TestServer
  let safe: Address
  const hashes: Record<'embargoed' | 'open', Hex> = { embargoed: '0x', open: '0x' }
  const previousRpc = process.env.BULWARK_RPC_URL
  const admin: Actor = { id: 'setup', roles: ['admin'] }

  beforeAll(async () => {
    anvil = await startAnvil()
    process.env.BULWARK_RPC_URL = anvil.rpcUrl
    const client = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(0) })
    const infrastructure = await deploySafeInfrastructure(client)
    safe = await deploySafe(client, { infrastructure, owners: [devAccount(1).address, devAccount(2).address], threshold: 2 })
    server = await startTestServer({ dataDir: 'memory://' })
    const reportHash = keccak256(toHex('report'))
    let nonce = 0n
    for (const kind of ['embargoed', 'open'] as const) {
      const { advisory } = await createAdvisory(server.context, { title: kind, severity: 'critical', reporter: 'r', embargoed: kind === 'embargoed' }, admin)
      await transitionAdvisory(server.context, { id: advisory.id, to: 'triaged' }, admin)
      const { patch } = await createPatch(server.context, { advisoryId: advisory.id, title: kind, route: 'emergency', targets: [{ proxy: `0x${'aa'.repeat(20)}`, newImplementation: `0x${'bb'.repeat(20)}` }] }, admin)
      const proposed = await proposeSafeTransaction(client, server.context.store, {
        chainId: anvil.chainId,
        safe,
        to: `0x${'cc'.repeat(20)}`,
        data: '0x',
        nonce: nonce++,
        patchId: patch.id,
        reportHash,
        validation: { verdict: 'pass' },
        currentReportHash: async () => reportHash,
        proposer: 'setup',
      })
      hashes[kind] = proposed.hashes.safeTxHash
    }
  }, 120_000)
  afterAll(async () => {
    if (previousRpc === undefined) delete process.env.BULWARK_RPC_URL
    else process.env.BULWARK_RPC_URL = previousRpc
    await server?.close()
    await anvil?.stop()
  })

  const get = (url: string, role: 'viewer' | 'signer' | 'admin') => server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${server.tokens[role]}` } })

  test("the Safe's pending list leaves the embargoed proposal out for uncleared callers (no 404), and keeps it for cleared ones", async () => {
    const url = `/safes/${safe}/multisig-transactions/pending?chainId=${anvil.chainId}`
    for (const role of ['viewer', 'signer'] as const) {
      const response = await get(url, role)
      expect(response.statusCode).toBe(200)
      expect(response.json().transactions.map((t: { safeTxHash: string }) => t.safeTxHash)).toEqual([hashes.open])
    }
    const cleared = await get(url, 'admin')
    expect(cleared.json().transactions.map((t: { safeTxHash: string }) => t.safeTxHash).sort()).toEqual([hashes.embargoed, hashes.open].sort())
  })

  test('signer view and confirmation of the embargoed proposal answer exactly like a proposal that does not exist', async () => {
    const missing = keccak256(toHex('no such proposal'))
    const shape = (body: string, hash: Hex) => body.replaceAll(hash, '<hash>')
    const hidden = await get(`/multisig-transactions/${hashes.embargoed}/signer-view`, 'signer')
    const absent = await get(`/multisig-transactions/${missing}/signer-view`, 'signer')
    expect(hidden.statusCode).toBe(404)
    expect(hidden.json().error.code).toBe('BW_SAFE_TX_NOT_FOUND')
    expect(shape(hidden.body, hashes.embargoed)).toBe(shape(absent.body, missing))
    expect((await get(`/multisig-transactions/${hashes.open}/signer-view`, 'signer')).statusCode).toBe(200)
    expect((await get(`/multisig-transactions/${hashes.embargoed}/signer-view`, 'admin')).statusCode).toBe(200)

    const confirm = (hash: Hex) =>
      server.app.inject({ method: 'POST', url: `/multisig-transactions/${hash}/confirmations`, headers: { authorization: `Bearer ${server.tokens.signer}` }, payload: { signature: `0x${'11'.repeat(65)}` } })
    const hiddenConfirm = await confirm(hashes.embargoed)
    const absentConfirm = await confirm(missing)
    expect(hiddenConfirm.statusCode).toBe(404)
    expect(shape(hiddenConfirm.body, hashes.embargoed)).toBe(shape(absentConfirm.body, missing))
  })
})
