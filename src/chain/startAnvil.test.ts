import { createPublicClient, http, toHex } from 'viem'
import { describe, expect, test } from 'vitest'
import { createDevClient, createTestChainClient } from './clients.js'
import { devAccount } from './devAccounts.js'
import { startAnvil } from './startAnvil.js'

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('startAnvil', () => {
  test('starts on a free port, answers RPC, and stops without leaving a process', async () => {
    const anvil = await startAnvil({ chainId: 31_338 })
    try {
      expect(anvil.rpcUrl).toBe(`http://127.0.0.1:${anvil.port}`)
      const client = createPublicClient({ transport: http(anvil.rpcUrl) })
      expect(await client.getChainId()).toBe(31_338)
      expect(isRunning(anvil.pid)).toBe(true)
    } finally {
      await anvil.stop()
    }
    expect(isRunning(anvil.pid)).toBe(false)
    await anvil.stop() // idempotent
  })

  test('two instances run side by side on different ports', async () => {
    const [a, b] = await Promise.all([startAnvil(), startAnvil()])
    try {
      expect(a.port).not.toBe(b.port)
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })

  test('snapshot and revert restore state', async () => {
    const anvil = await startAnvil()
    try {
      const client = createTestChainClient({ rpcUrl: anvil.rpcUrl })
      const who = devAccount(1).address
      const before = await client.getBalance({ address: who })
      const id = await client.snapshot()
      await client.setBalance({ address: who, value: 1n })
      expect(await client.getBalance({ address: who })).toBe(1n)
      await client.revert({ id })
      expect(await client.getBalance({ address: who })).toBe(before)
    } finally {
      await anvil.stop()
    }
  })

  test('forks another chain at a given block', async () => {
    const origin = await startAnvil()
    try {
      const sender = createDevClient({ rpcUrl: origin.rpcUrl, chainId: origin.chainId, account: devAccount(0) })
      const recipient = '0x00000000000000000000000000000000000b0b00' as const
      const send = async () => sender.waitForTransactionReceipt({ hash: await sender.sendTransaction({ to: recipient, value: 1000n }) })
      const first = await send()
      await send()
      expect(await sender.getBalance({ address: recipient })).toBe(2000n)
      const fork = await startAnvil({ forkUrl: origin.rpcUrl, forkBlockNumber: first.blockNumber })
      try {
        const forkClient = createTestChainClient({ rpcUrl: fork.rpcUrl })
        expect(await forkClient.getBlockNumber()).toBe(first.blockNumber)
        expect(await forkClient.getBalance({ address: recipient })).toBe(1000n)
      } finally {
        await fork.stop()
      }
    } finally {
      await origin.stop()
    }
  })

  test('a fork reads the chain it forks, never what an earlier fork of another chain with the same id and block cached', async () => {
    const slotHolder = '0x00000000000000000000000000000000000c0ffe' as const
    // Two unrelated dev chains: same chain id, same block number, different storage at the same slot.
    const readThroughFork = async (value: bigint) => {
      const origin = await startAnvil()
      try {
        const client = createTestChainClient({ rpcUrl: origin.rpcUrl })
        await client.request({ method: 'anvil_setStorageAt' as never, params: [slotHolder, '0x0', toHex(value, { size: 32 })] as never })
        await client.request({ method: 'anvil_mine' as never, params: ['0x1'] as never })
        const fork = await startAnvil({ forkUrl: origin.rpcUrl, forkBlockNumber: 1n })
        try {
          return await createTestChainClient({ rpcUrl: fork.rpcUrl }).getStorageAt({ address: slotHolder, slot: '0x0' })
        } finally {
          await fork.stop()
        }
      } finally {
        await origin.stop()
      }
    }
    expect(await readThroughFork(111n)).toBe(toHex(111n, { size: 32 }))
    expect(await readThroughFork(222n)).toBe(toHex(222n, { size: 32 }))
  })

  test('a fork of an unreachable URL fails with BW_ANVIL_FAILED', async () => {
    await expect(startAnvil({ forkUrl: 'http://127.0.0.1:1', readyTimeoutMs: 20_000 })).rejects.toMatchObject({
      code: 'BW_ANVIL_FAILED',
      name: 'AnvilStartError',
    })
  })
})
