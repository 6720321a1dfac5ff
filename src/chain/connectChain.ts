import { createReadClient, type CreateReadClientParameters, type ReadClient } from './clients.js'
import { RpcUnreachableError } from './errors.js'

export type ConnectChainReturnType = { client: ReadClient; chainId: number; blockNumber: bigint }

/**
 * Opens a read client and proves the endpoint answers before any real work starts, so an
 * unreachable RPC is one clear error (with credentials stripped from the URL) rather than a
 * failure deep inside a batch of reads.
 */
export async function connectChain(parameters: CreateReadClientParameters): Promise<ConnectChainReturnType> {
  const client = createReadClient(parameters)
  try {
    const [chainId, blockNumber] = await Promise.all([client.getChainId(), client.getBlockNumber({ cacheTime: 0 })])
    return { client, chainId, blockNumber }
  } catch (error) {
    throw new RpcUnreachableError({ url: parameters.rpcUrl, cause: error })
  }
}
