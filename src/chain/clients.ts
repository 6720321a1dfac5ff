import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  http,
  publicActions,
  type Account,
  type Chain,
  type HttpTransportConfig,
  type Transport,
} from 'viem'

/** A chain definition for any RPC URL; viem needs one to sign transactions locally. */
export function chainFor({ chainId, rpcUrl }: { chainId: number; rpcUrl: string }): Chain {
  return defineChain({
    id: chainId,
    name: chainId === 31337 ? 'anvil' : `chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
}

export type CreateReadClientParameters = {
  rpcUrl: string
  /** Milliseconds before a request counts as failed (default 10 s). */
  timeoutMs?: number | undefined
  /** JSON-RPC batching (default on); off only to measure what it saves. */
  batch?: boolean | undefined
  /** Observes every HTTP request (used by the benchmark to count round trips). */
  onFetchRequest?: HttpTransportConfig['onFetchRequest']
}

/**
 * A read-only client. Concurrent calls are sent as one JSON-RPC batch per tick, which is how
 * inventory stays at a handful of round trips without Multicall3 (anvil does not predeploy it).
 */
export function createReadClient({ rpcUrl, timeoutMs = 10_000, batch = true, onFetchRequest }: CreateReadClientParameters) {
  return createPublicClient({
    transport: http(rpcUrl, {
      batch: batch ? { batchSize: 500, wait: 0 } : false,
      retryCount: 0,
      timeout: timeoutMs,
      ...(onFetchRequest ? { onFetchRequest } : {}),
    }),
  })
}
export type ReadClient = ReturnType<typeof createReadClient>

/**
 * Adds a margin to every gas estimate (`eth_estimateGas`, and the gas `eth_fillTransaction` fills:
 * ×1.5 + 50,000; only gas used is paid). A node
 * estimates against the pending block; when the transaction lands a second later, time-dependent
 * paths can cost far more than the estimate: the demo pool's withdraw skips interest accrual
 * within one second and runs it (rate model behind a proxy, several storage writes) a second
 * later — measured 60,750 estimated against more than 95,937 needed.
 */
export function withGasHeadroom(transport: Transport): Transport {
  return (options) => {
    const inner = transport(options)
    const request = async (args: { method: string; params?: unknown }, requestOptions?: unknown): Promise<unknown> => {
      const result: unknown = await inner.request(args as never, requestOptions as never)
      if (args.method === 'eth_estimateGas' && typeof result === 'string') return withMargin(result)
      // viem prefers eth_fillTransaction (anvil has it): the gas it fills is the same exact estimate
      const filled = result as { tx?: { gas?: unknown } } | null
      if (args.method === 'eth_fillTransaction' && typeof filled?.tx?.gas === 'string') return { ...filled, tx: { ...filled.tx, gas: withMargin(filled.tx.gas) } }
      return result
    }
    return { ...inner, request: request as typeof inner.request }
  }
}

/** A gas limit with room over an exact estimate: ×1.5 + 50,000 (only gas used is paid). */
export const gasWithMargin = (estimate: bigint): bigint => (estimate * 3n) / 2n + 50_000n
const withMargin = (gas: string) => `0x${gasWithMargin(BigInt(gas)).toString(16)}`

/** A wallet client with a local signing account, extended with public actions. */
export function createDevClient({ rpcUrl, chainId, account }: { rpcUrl: string; chainId: number; account: Account }) {
  return createWalletClient({
    account,
    chain: chainFor({ chainId, rpcUrl }),
    transport: withGasHeadroom(http(rpcUrl, { retryCount: 0 })),
  }).extend(publicActions)
}
export type DevClient = ReturnType<typeof createDevClient>

/** anvil's test actions (time travel, snapshots, storage writes) plus public actions. */
export function createTestChainClient({ rpcUrl, chainId = 31337 }: { rpcUrl: string; chainId?: number }) {
  return createTestClient({
    mode: 'anvil',
    chain: chainFor({ chainId, rpcUrl }),
    transport: http(rpcUrl, { retryCount: 0 }),
  }).extend(publicActions)
}
export type TestChainClient = ReturnType<typeof createTestChainClient>
