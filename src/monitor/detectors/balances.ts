import { erc20Abi, type Address } from 'viem'
import { probeContractRead, requiredRead } from '../../chain/probeContractRead.js'
import { MonitorSourceError } from '../errors.js'
import type { DetectorContext } from '../types.js'
import { nativeToken } from './traceIndex.js'

/**
 * `token.balanceOf(holder)` (the ETH balance for `nativeToken`) at a block, memoized per (token, holder, block) in the detector
 * memory: outflow and TVL detectors ask for the same few balances on every transaction of a block.
 *
 * A token that answers with a revert (or with data that is not a uint256) has no balance to judge:
 * `undefined`, and the detectors skip that measurement. It is never 0, which would read as a 100% drop.
 * A read the node could not serve (transport failure, JSON-RPC error, after the client's retries) is
 * not an answer at all: it throws BW_MONITOR_SOURCE_FAILED, so the block is not judged (nor
 * checkpointed) and the monitor reports the error and reads the block again on its next pass.
 *
 * @throws {MonitorSourceError}
 */
export async function balanceAt(ctx: DetectorContext, token: Address, holder: Address, blockNumber: bigint): Promise<bigint | undefined> {
  let memo = ctx.memory.get('balances') as Map<string, Promise<bigint | undefined>> | undefined
  if (!memo) ctx.memory.set('balances', (memo = new Map()))
  const key = `${token}:${holder}:${blockNumber}`
  let balance = memo.get(key)
  if (!balance) {
    if (memo.size > 4096) memo.clear()
    const client = ctx.client as Parameters<typeof probeContractRead>[0]
    const reading =
      token === nativeToken
        ? requiredRead(client, 'eth_getBalance', () => ctx.client.getBalance({ address: holder, blockNumber }))
        : probeContractRead(client, () => ctx.client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [holder], blockNumber }))
    balance = reading.catch((error: unknown) => {
      // Not remembered: the next pass over this block asks the node again.
      memo.delete(key)
      throw new MonitorSourceError({ action: `read ${token === nativeToken ? 'the ETH balance' : `${token}.balanceOf`} of ${holder} at block ${blockNumber}`, cause: error })
    })
    memo.set(key, balance)
  }
  return balance
}
