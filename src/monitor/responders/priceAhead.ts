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

/**
 * EIP-1559 fees that order the response ahead of the attack in the same block: a tip a quarter
 * above the attack's effective tip plus one gwei (so a tie is impossible), and a fee cap that
 * covers twice the base fee so one base-fee rise does not leave the response behind.
 */
export function priceAhead({ baseFeePerGas, attack, minimumTip = 2n * gwei }: PriceAheadParameters): { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } {
  const attackTip = attack ? effectiveTip(attack, baseFeePerGas) : 0n
  const outbid = attackTip + attackTip / 4n + gwei
  const maxPriorityFeePerGas = outbid > minimumTip ? outbid : minimumTip
  return { maxFeePerGas: 2n * baseFeePerGas + maxPriorityFeePerGas, maxPriorityFeePerGas }
}
