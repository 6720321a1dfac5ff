/** The fee fields of a transaction seen in the mempool (EIP-1559 or legacy). */
export type PendingFees = {
  maxFeePerGas?: bigint | undefined
  maxPriorityFeePerGas?: bigint | undefined
  gasPrice?: bigint | undefined
}

export type PriceAheadParameters = {
  /** Base fee of the block the response should land in (the latest block's is a fine estimate). */
  baseFeePerGas: bigint
  /** The pending attack to outbid, if the response answers one. */
  attack?: PendingFees | undefined
  /** Tip when there is nothing to outbid (default 2 gwei). */
  minimumTip?: bigint | undefined
}

const gwei = 1_000_000_000n

/** What the attack actually pays the block producer per gas, the figure blocks are ordered by. */
export function effectiveTip(fees: PendingFees, baseFeePerGas: bigint): bigint {
  if (fees.maxPriorityFeePerGas !== undefined) {
    const cap = fees.maxFeePerGas !== undefined ? fees.maxFeePerGas - baseFeePerGas : fees.maxPriorityFeePerGas
    return fees.maxPriorityFeePerGas < cap ? fees.maxPriorityFeePerGas : cap > 0n ? cap : 0n
  }
  if (fees.gasPrice !== undefined) return fees.gasPrice > baseFeePerGas ? fees.gasPrice - baseFeePerGas : 0n
  return 0n
}

/** What the attack offers at most per gas: its fee cap (EIP-1559) or its gas price (legacy). */
export function feeCap(fees: PendingFees): bigint {
  return fees.maxFeePerGas ?? fees.gasPrice ?? fees.maxPriorityFeePerGas ?? 0n
}

/** A quarter above `amount` plus one gwei, so a tie is impossible. */
const above = (amount: bigint) => amount + amount / 4n + gwei

/**
 * EIP-1559 fees that order the response ahead of the attack in the same block. Block producers
 * differ in what they sort pending transactions by: most by the effective tip, anvil (and some
 * builders) by the fee cap. So both are raised past the attack's: a tip a quarter above the
 * attack's effective tip plus one gwei, and a fee cap a quarter above the attack's cap plus one
 * gwei, never under twice the base fee plus the tip (one base-fee rise must not leave the
 * response behind).
 */
export function priceAhead({ baseFeePerGas, attack, minimumTip = 2n * gwei }: PriceAheadParameters): { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } {
  const outbid = above(attack ? effectiveTip(attack, baseFeePerGas) : 0n)
  const maxPriorityFeePerGas = outbid > minimumTip ? outbid : minimumTip
  const headroom = 2n * baseFeePerGas + maxPriorityFeePerGas
  const capAhead = attack ? above(feeCap(attack)) : 0n
  return { maxFeePerGas: capAhead > headroom ? capAhead : headroom, maxPriorityFeePerGas }
}
