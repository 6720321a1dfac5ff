import {
  BaseError as ViemBaseError,
  ContractFunctionRevertedError,
  ContractFunctionZeroDataError,
  ExecutionRevertedError,
  HttpRequestError,
  RpcRequestError,
  SocketClosedError,
  TimeoutError,
  WebSocketRequestError,
  type Client,
  type PublicActions,
} from 'viem'
import { RpcCallError, RpcUnreachableError } from './errors.js'


/** Any viem client with the public actions: `createReadClient`, a dev client, a test client. */
export type InventoryClient = Client & Pick<PublicActions, 'call' | 'getBlockNumber' | 'getChainId' | 'getCode' | 'getLogs' | 'getStorageAt' | 'readContract'>

/**
 * Runs a view call that is allowed to fail: a revert, empty return data or undecodable data mean
 * "this contract is not that kind" and give undefined. A transport failure or any other JSON-RPC
 * error (block out of range, method unsupported) is not an answer about the contract, so it is
 * raised: swallowing it would report a wrong inventory instead of no inventory.
 */
export async function probeContractRead<T>(client: InventoryClient, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read()
  } catch (error) {
    if (isContractAnswer(error)) return undefined
    throw toRpcError(client, error, 'eth_call')
  }
}

/** Runs a read that must succeed (getCode, getStorageAt, getLogs), wrapping failures with their context. */
export async function requiredRead<T>(client: InventoryClient, method: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (error) {
    throw toRpcError(client, error, method)
  }
}

function isContractAnswer(error: unknown): boolean {
  if (!(error instanceof ViemBaseError)) return false
  if (error.walk(isTransportFailure)) return false
  // viem maps "execution reverted" and EVM faults (invalid opcode, out of gas) to ContractFunctionRevertedError.
  if (error.walk((cause) => cause instanceof ContractFunctionRevertedError || cause instanceof ContractFunctionZeroDataError)) return true
  // A JSON-RPC error that viem did not read as a revert is the node refusing the call, not the contract answering.
  if (error.walk((cause) => cause instanceof RpcRequestError)) return false
  // What remains are local decoding failures: the contract answered with data of another shape.
  return true
}

/**
 * Whether a failure (anywhere in its `cause` chain) is the node failing rather than the contract
 * answering: a transport failure (connection, HTTP status, timeout, socket), or a JSON-RPC error that
 * is not a revert (an upstream fork that cannot be reached, a method the node refuses). A revert, an
 * EVM fault or Bulwark's own verdict (`transaction … reverted`) is an answer about the code and gives false.
 * Stages use it to tell "could not run" (an error) from a finding.
 */
export function isNodeFailure(error: unknown): boolean {
  let rpcError = false
  for (let cause = error, depth = 0; cause instanceof Error && depth < 16; cause = cause.cause, depth++) {
    if (isTransportFailure(cause) || cause instanceof RpcUnreachableError) return true
    // A fork whose upstream fails answers with a "revert" carrying the backend's error: the node failed, not the code.
    if (/failed to get (account|storage|block)|Max retries exceeded/.test(cause.message)) return true
    if (cause instanceof ExecutionRevertedError || cause instanceof ContractFunctionRevertedError || cause instanceof ContractFunctionZeroDataError) return false
    if (cause instanceof RpcRequestError || cause instanceof RpcCallError) rpcError = true
  }
  return rpcError
}

function isTransportFailure(error: unknown): boolean {
  return (
    error instanceof HttpRequestError ||
    error instanceof TimeoutError ||
    error instanceof WebSocketRequestError ||
    error instanceof SocketClosedError
  )
}

/** Maps a viem failure to Bulwark's error: unreachable transport vs an RPC answer that is an error. */
export function toRpcError(client: InventoryClient, error: unknown, method: string): Error {
  if (error instanceof RpcUnreachableError || error instanceof RpcCallError) return error
  const url = rpcUrlOf(client, error)
  if (error instanceof ViemBaseError && error.walk(isTransportFailure)) return new RpcUnreachableError({ url, cause: error })
  return new RpcCallError({ url, method, cause: error })
}

function rpcUrlOf(client: InventoryClient, error: unknown): string {
  if (error instanceof ViemBaseError) {
    const http = error.walk((cause) => cause instanceof HttpRequestError)
    if (http instanceof HttpRequestError) return http.url
  }
  const url = (client.transport as { url?: unknown }).url
  return typeof url === 'string' ? url : 'the RPC endpoint'
}
