import { hashDomain, hashStruct, hashTypedData, type Address, type Hex } from 'viem'
import { safeTransactionTypes, type SafeTransaction } from '../chain/execSafeTransaction.js'

/** Safe 1.4.1's EIP-712 domain: chain id and the Safe's address, no name or version. */
export const safeDomainTypes = [
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
] as const

export type SafeTransactionHashes = {
  /** What owners sign: keccak256(0x1901 ‖ domainHash ‖ messageHash). */
  safeTxHash: Hex
  /** EIP-712 domain separator (hardware wallets show it as "domain hash"). */
  domainHash: Hex
  /** hashStruct(SafeTx) (hardware wallets show it as "message hash"). */
  messageHash: Hex
}

/** The three hashes a signer compares with a hardware wallet's screen. */
export function hashSafeTransaction({ chainId, safe, transaction }: { chainId: number; safe: Address; transaction: SafeTransaction }): SafeTransactionHashes {
  const domain = { chainId, verifyingContract: safe } as const
  const domainHash = hashDomain({ domain: { chainId: BigInt(chainId), verifyingContract: safe }, types: { EIP712Domain: safeDomainTypes } })
  const messageHash = hashStruct({ data: transaction, primaryType: 'SafeTx', types: safeTransactionTypes })
  const safeTxHash = hashTypedData({ domain, types: safeTransactionTypes, primaryType: 'SafeTx', message: transaction })
  return { safeTxHash, domainHash, messageHash }
}
