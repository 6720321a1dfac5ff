import { parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDevClient, createReadClient } from './clients.js'
import { devAccount } from './devAccounts.js'
import { startAnvil, type Anvil } from './startAnvil.js'

let anvil: Anvil
beforeAll(async () => {
  anvil = await startAnvil()
})
afterAll(async () => anvil?.stop())

describe('createDevClient', () => {
  test('estimates with headroom over the node\'s exact figure, and the transaction still uses only what it needs', async () => {
    const sender = devAccount(0)
    const dev = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: sender })
    const reader = createReadClient({ rpcUrl: anvil.rpcUrl })
    const request = { account: sender.address, to: devAccount(9).address, value: parseEther('1') }
    expect(await reader.estimateGas(request)).toBe(21_000n)
    expect(await dev.estimateGas(request)).toBe((21_000n * 3n) / 2n + 50_000n)
    const hash = await dev.sendTransaction({ to: devAccount(9).address, value: parseEther('1') })
    const receipt = await dev.waitForTransactionReceipt({ hash, pollingInterval: 20 })
    expect(receipt.status).toBe('success')
    expect(receipt.gasUsed).toBe(21_000n)
    expect((await dev.getTransaction({ hash })).gas).toBe((21_000n * 3n) / 2n + 50_000n)
  })
})

describe('RPC retries', () => {
  /** A proxy to anvil that answers 503 to the first `failures` requests of each matching method, and counts what reaches it. */
  async function flakyProxy(failures: number, methods: readonly string[]) {
    const { createServer } = await import('node:http')
    const seen: { method: string; at: number; answered: number }[] = []
    const failed = new Map<string, number>()
    const server = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk: Buffer) => (body += chunk.toString()))
      request.on('end', async () => {
        const parsed = JSON.parse(body) as { method?: string } | { method?: string }[]
        const method = (Array.isArray(parsed) ? parsed[0]?.method : parsed.method) ?? '?'
        const count = failed.get(method) ?? 0
        if (methods.includes(method) && count < failures) {
          failed.set(method, count + 1)
          seen.push({ method, at: Date.now(), answered: 503 })
          response.writeHead(503, { 'content-type': 'text/plain' }).end('node restarting')
          return
        }
        seen.push({ method, at: Date.now(), answered: 200 })
        const upstream = await fetch(anvil.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        response.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text())
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address() as { port: number }
    return { url: `http://127.0.0.1:${address.port}`, seen, close: () => new Promise((resolve) => server.close(resolve)) }
  }

  test('a read that fails twice (HTTP 503) succeeds on the third attempt, after 150 + 300 ms of backoff', async () => {
    const proxy = await flakyProxy(2, ['eth_blockNumber'])
    try {
      const reader = createReadClient({ rpcUrl: proxy.url })
      expect(await reader.getBlockNumber({ cacheTime: 0 })).toBeGreaterThanOrEqual(0n)
      const attempts = proxy.seen.filter((request) => request.method === 'eth_blockNumber')
      expect(attempts.map((attempt) => attempt.answered)).toEqual([503, 503, 200])
      expect(attempts[2]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(150 + 300 - 20)
    } finally {
      await proxy.close()
    }
  })

  test('a read still failing after the retries reaches the caller as an error (4 attempts), never as a value', async () => {
    const proxy = await flakyProxy(100, ['eth_getBalance'])
    try {
      const reader = createReadClient({ rpcUrl: proxy.url, retryDelayMs: 10 })
      await expect(reader.getBalance({ address: devAccount(1).address })).rejects.toMatchObject({ name: 'HttpRequestError', status: 503 })
      expect(proxy.seen.filter((request) => request.method === 'eth_getBalance')).toHaveLength(4)
    } finally {
      await proxy.close()
    }
  })

  test('a transaction is sent once: a failed eth_sendRawTransaction is not retried (a lost answer would re-send it)', async () => {
    const proxy = await flakyProxy(1, ['eth_sendRawTransaction'])
    try {
      const dev = createDevClient({ rpcUrl: proxy.url, chainId: anvil.chainId, account: devAccount(3) })
      await expect(dev.sendTransaction({ to: devAccount(9).address, value: 1n })).rejects.toThrow()
      expect(proxy.seen.filter((request) => request.method === 'eth_sendRawTransaction').map((r) => r.answered)).toEqual([503])
    } finally {
      await proxy.close()
    }
  })
})
