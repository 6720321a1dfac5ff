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
  /**
   * Largest HTTP response accepted, bytes (default 512 MiB). viem's own default (10 MiB) is below one
   * batch of a few blocks' call traces on a busy lending market, which left the monitor unable to
   * read past such a block.
   */
  maxResponseBodySize?: number | undefined
  /** Retries of a failed request (network error, timeout, HTTP 429/5xx, node-side internal or limit errors; never a revert). Default 3. */
  retryCount?: number | undefined
  /** First backoff, doubled each retry (default 150 ms: 150, 300, 600). */
  retryDelayMs?: number | undefined
}

/**
 * How RPC failures are retried. A node restarting, rate limiting or dropping a connection for about a
 * second must not become a finding: requests are retried with exponential backoff, and only what is
 * still failing after that reaches the caller (as an error, which detectors report as "unknown").
 */
export const rpcRetryDefaults = { retryCount: 3, retryDelayMs: 150 } as const

/** Methods that send a transaction: never retried blindly (a lost answer to a send that arrived would be re-sent). */
const sendMethods = new Set(['eth_sendRawTransaction', 'eth_sendTransaction'])

/**
 * An HTTP transport that retries reads with backoff and sends each transaction once: reads go through
 * `http(…, { retryCount })`, sends through a transport without retries. viem's own rule decides what is
 * retryable (no execution revert is ever retried).
 */
export function retryingHttp(rpcUrl: string, config: HttpTransportConfig & { retryDelayMs?: number | undefined } = {}): Transport {
  const { retryDelayMs = rpcRetryDefaults.retryDelayMs, retryCount = rpcRetryDefaults.retryCount, ...rest } = config
  const reads = http(rpcUrl, { ...rest, retryCount, retryDelay: retryDelayMs })
  const sends = http(rpcUrl, { ...rest, retryCount: 0 })
  return (options) => {
    const read = reads(options)
    const send = sends(options)
    const request = (args: { method: string; params?: unknown }, requestOptions?: unknown): Promise<unknown> =>
      (sendMethods.has(args.method) ? send : read).request(args as never, requestOptions as never)
    return { ...read, config: { ...read.config, retryCount }, request: request as typeof read.request }
  }
}

/**
 * A read-only client. Concurrent calls are sent as one JSON-RPC batch per tick, which is how
 * inventory stays at a handful of round trips without Multicall3 (anvil does not predeploy it).
 */
export function createReadClient({
  rpcUrl,
  timeoutMs = 10_000,
  batch = true,
  onFetchRequest,
  maxResponseBodySize = 512 * 2 ** 20,
  retryCount = rpcRetryDefaults.retryCount,
  retryDelayMs = rpcRetryDefaults.retryDelayMs,
}: CreateReadClientParameters) {
  return createPublicClient({
    // responders send raw transactions through read clients too: retryingHttp sends those once
    transport: retryingHttp(rpcUrl, {
      batch: batch ? { batchSize: 500, wait: 0 } : false,
      maxResponseBodySize,
      retryCount,
      retryDelayMs,
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
    transport: withGasHeadroom(retryingHttp(rpcUrl)),
  }).extend(publicActions)
}
export type DevClient = ReturnType<typeof createDevClient>

/** anvil's test actions (time travel, snapshots, storage writes) plus public actions. */
export function createTestChainClient({ rpcUrl, chainId = 31337 }: { rpcUrl: string; chainId?: number }) {
  return createTestClient({
    mode: 'anvil',
    chain: chainFor({ chainId, rpcUrl }),
    // test actions (evm_revert, evm_mine, snapshots) are not idempotent: never retried
    transport: http(rpcUrl, { retryCount: 0 }),
  }).extend(publicActions)
}
export type TestChainClient = ReturnType<typeof createTestChainClient>
