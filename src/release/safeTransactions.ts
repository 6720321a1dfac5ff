import { zeroAddress, type Address, type Hex, type LocalAccount } from 'viem'
import { hashSafeTransaction } from '../authorize/hashSafeTransaction.js'
import { signSafeTransaction, type SafeTransaction } from '../chain/execSafeTransaction.js'
import type { PlannedSafeTransaction } from './plan.js'

/** A Safe transaction at `nonce` with no gas refund: what a release asks owners to sign. */
export function planSafeTransaction({
  purpose,
  safe,
  chainId,
  to,
  data,
  operation = 0,
  value = 0n,
  nonce,
}: {
  purpose: PlannedSafeTransaction['purpose']
  safe: Address
  chainId: number
  to: Address
  data: Hex
  operation?: 0 | 1
  value?: bigint
  nonce: bigint
}): PlannedSafeTransaction {
  const planned: Omit<PlannedSafeTransaction, 'safeTxHash'> = {
    purpose,
    safe,
    chainId,
    to,
    value: value.toString(),
    data,
    operation,
    safeTxGas: '0',
    baseGas: '0',
    gasPrice: '0',
    gasToken: zeroAddress,
    refundReceiver: zeroAddress,
    nonce: nonce.toString(),
  }
  return { ...planned, safeTxHash: safeTransactionHash(planned) }
}

export function toSafeTransaction(planned: Omit<PlannedSafeTransaction, 'safeTxHash'>): SafeTransaction {
  return {
    to: planned.to,
    value: BigInt(planned.value),
    data: planned.data,
    operation: planned.operation,
    safeTxGas: BigInt(planned.safeTxGas),
    baseGas: BigInt(planned.baseGas),
    gasPrice: BigInt(planned.gasPrice),
    gasToken: planned.gasToken,
    refundReceiver: planned.refundReceiver,
    nonce: BigInt(planned.nonce),
  }
}

/** The EIP-712 hash of a Safe 1.4.1 transaction (what `getTransactionHash` returns on chain), by the one Safe hasher. */
export function safeTransactionHash(planned: Omit<PlannedSafeTransaction, 'safeTxHash'>): Hex {
  return hashSafeTransaction({ chainId: planned.chainId, safe: planned.safe, transaction: toSafeTransaction(planned) }).safeTxHash
}

/** One owner's signature over a planned Safe transaction (devnet keys, tests; real owners sign in their wallet). */
export function signPlannedSafeTransaction(owner: LocalAccount, planned: PlannedSafeTransaction): Promise<{ signer: Address; signature: Hex }> {
  return signSafeTransaction(owner, { safe: planned.safe, chainId: planned.chainId, transaction: toSafeTransaction(planned) })
}
