import { concat, zeroAddress, type Address, type Hash, type Hex, type LocalAccount } from 'viem'
import type { DevClient } from './clients.js'
import { safeArtifacts } from './safeArtifacts.js'

/** Safe operation: 0 = CALL, 1 = DELEGATECALL (the one that swapped Bybit's master copy). */
export type SafeOperation = 0 | 1

export type SafeTransaction = {
  to: Address
  value: bigint
  data: Hex
  operation: SafeOperation
  safeTxGas: bigint
  baseGas: bigint
  gasPrice: bigint
  gasToken: Address
  refundReceiver: Address
  nonce: bigint
}

/** EIP-712 types of a Safe 1.4.1 transaction: what a hardware wallet shows a signer. */
export const safeTransactionTypes = {
  SafeTx: [
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'data', type: 'bytes' },
    { name: 'operation', type: 'uint8' },
    { name: 'safeTxGas', type: 'uint256' },
    { name: 'baseGas', type: 'uint256' },
    { name: 'gasPrice', type: 'uint256' },
    { name: 'gasToken', type: 'address' },
    { name: 'refundReceiver', type: 'address' },
    { name: 'nonce', type: 'uint256' },
  ],
} as const

/** One owner's EIP-712 signature over a Safe transaction. */
export async function signSafeTransaction(
  signer: LocalAccount,
  { safe, chainId, transaction }: { safe: Address; chainId: number; transaction: SafeTransaction },
): Promise<{ signer: Address; signature: Hex }> {
  if (!signer.signTypedData) throw new Error(`account ${signer.address} cannot sign typed data`)
  const signature = await signer.signTypedData({
    domain: { chainId, verifyingContract: safe },
    types: safeTransactionTypes,
    primaryType: 'SafeTx',
    message: transaction,
  })
  return { signer: signer.address, signature }
}

/** Safe requires signatures ordered by signer address, ascending, packed as r‖s‖v. */
export function packSafeSignatures(signatures: readonly { signer: Address; signature: Hex }[]): Hex {
  const sorted = [...signatures].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1))
  return sorted.length === 0 ? '0x' : concat(sorted.map((entry) => entry.signature))
}

/** The arguments of Safe 1.4.1 `execTransaction` for a transaction and its owners' signatures (packed in the order Safe checks). */
export function execTransactionArgs(
  transaction: Omit<SafeTransaction, 'nonce'>,
  signatures: readonly { signer: Address; signature: Hex }[],
): readonly [Address, bigint, Hex, number, bigint, bigint, bigint, Address, Address, Hex] {
  const { to, value, data, operation, safeTxGas, baseGas, gasPrice, gasToken, refundReceiver } = transaction
  return [to, value, data, operation, safeTxGas, baseGas, gasPrice, gasToken, refundReceiver, packSafeSignatures(signatures)]
}

export type ExecSafeTransactionParameters = {
  safe: Address
  to: Address
  data: Hex
  value?: bigint | undefined
  operation?: SafeOperation | undefined
  /** Owners whose signatures are collected; at least the Safe's threshold of them. */
  signers: readonly LocalAccount[]
}

/**
 * Signs a Safe transaction with each signer at the Safe's current nonce and executes it from the
 * client's account; resolves with the receipt once mined. Reverts (GS0xx) surface as viem errors.
 */
export async function execSafeTransaction(client: DevClient, parameters: ExecSafeTransactionParameters): Promise<{ hash: Hash; status: 'success' | 'reverted' }> {
  const nonce = (await client.readContract({ address: parameters.safe, abi: safeArtifacts.SafeL2.abi, functionName: 'nonce' })) as bigint
  const transaction: SafeTransaction = {
    to: parameters.to,
    value: parameters.value ?? 0n,
    data: parameters.data,
    operation: parameters.operation ?? 0,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: zeroAddress,
    refundReceiver: zeroAddress,
    nonce,
  }
  const chainId = await client.getChainId()
  const signatures = await Promise.all(
    parameters.signers.map((signer) => signSafeTransaction(signer, { safe: parameters.safe, chainId, transaction })),
  )
  const hash = await client.writeContract({
    address: parameters.safe,
    abi: safeArtifacts.SafeL2.abi,
    functionName: 'execTransaction',
    args: execTransactionArgs(transaction, signatures),
  })
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 })
  return { hash, status: receipt.status }
}
