import { erc20Abi, type Address } from 'viem'
import type { DetectorContext } from '../types.js'
import { nativeToken } from './traceIndex.js'

/**
 * `token.balanceOf(holder)` (the ETH balance for `nativeToken`) at a block, memoized per (token, holder, block) in the detector
 * memory: outflow and TVL detectors ask for the same few balances on every transaction of a block.
 * A token that cannot answer counts as holding nothing (the detectors then stay silent).
 */
export async function balanceAt(ctx: DetectorContext, token: Address, holder: Address, blockNumber: bigint): Promise<bigint> {
  let memo = ctx.memory.get('balances') as Map<string, Promise<bigint>> | undefined
  if (!memo) ctx.memory.set('balances', (memo = new Map()))
  const key = `${token}:${holder}:${blockNumber}`
  let balance = memo.get(key)
  if (!balance) {
    if (memo.size > 4096) memo.clear()
    balance = (
      token === nativeToken
        ? ctx.client.getBalance({ address: holder, blockNumber })
        : ctx.client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [holder], blockNumber })
    ).catch(() => 0n)
    memo.set(key, balance)
  }
  return balance
}
