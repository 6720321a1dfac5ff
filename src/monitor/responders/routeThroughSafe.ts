import { encodeFunctionData, getAddress, zeroAddress, type Address, type LocalAccount, type PublicClient } from 'viem'
import { packSafeSignatures, signSafeTransaction, type SafeTransaction } from '../../chain/execSafeTransaction.js'
import { safeArtifacts } from '../../chain/safeArtifacts.js'
import type { ResponseCall } from './responseCalls.js'

const safeAbi = safeArtifacts.SafeL2.abi

/** The responder keys that own the Safe, and whether they meet its threshold. */
export type SafeSigners = { safe: Address; threshold: number; owners: Address[]; signing: LocalAccount[]; nonce: bigint }

/** Reads the Safe's owners, threshold and nonce and picks the responder keys that are owners. */
export async function readSafeSigners(client: PublicClient, { safe, signers }: { safe: Address; signers: readonly LocalAccount[] }): Promise<SafeSigners> {
  const [owners, threshold, nonce] = await Promise.all([
    client.readContract({ address: safe, abi: safeAbi, functionName: 'getOwners' }) as Promise<readonly Address[]>,
    client.readContract({ address: safe, abi: safeAbi, functionName: 'getThreshold' }) as Promise<bigint>,
    client.readContract({ address: safe, abi: safeAbi, functionName: 'nonce' }) as Promise<bigint>,
  ])
  const ownerSet = new Set(owners.map((owner) => owner.toLowerCase()))
  const signing: LocalAccount[] = []
  for (const signer of signers) if (ownerSet.has(signer.address.toLowerCase()) && !signing.some((known) => known.address === signer.address)) signing.push(signer)
  return { safe: getAddress(safe), threshold: Number(threshold), owners: owners.map((owner) => getAddress(owner)), signing, nonce }
}

/** Why the responder keys cannot execute on the Safe, or undefined when they can. */
export function safeShortfall(info: SafeSigners): string | undefined {
  if (info.signing.length >= info.threshold) return undefined
  return `the responder key(s) hold ${info.signing.length} of the ${info.threshold} owner signature(s) Safe ${info.safe} needs (owners: ${info.owners.join(', ')})`
}

/**
 * Each call as a Safe 1.4.1 transaction at consecutive Safe nonces (from the current one), signed
 * by the threshold's worth of responder keys (EIP-712, the Safe's own domain) and packed for
 * `execTransaction`, which the responder key then sends. Gas parameters are zero: the Safe pays
 * no refund and forwards all gas, and a reverting inner call reverts the whole transaction (GS013).
 */
export async function routeThroughSafe(client: PublicClient, { safe, chainId, calls, signers }: { safe: Address; chainId: number; calls: readonly ResponseCall[]; signers: readonly LocalAccount[] }): Promise<ResponseCall[]> {
  const info = await readSafeSigners(client, { safe, signers })
  const shortfall = safeShortfall(info)
  if (shortfall) throw new Error(shortfall)
  const routed: ResponseCall[] = []
  for (const [index, call] of calls.entries()) {
    const transaction: SafeTransaction = {
      to: call.to,
      value: call.value ?? 0n,
      data: call.data,
      operation: 0,
      safeTxGas: 0n,
      baseGas: 0n,
      gasPrice: 0n,
      gasToken: zeroAddress,
      refundReceiver: zeroAddress,
      nonce: info.nonce + BigInt(index),
    }
    const signatures = await Promise.all(info.signing.slice(0, info.threshold).map((signer) => signSafeTransaction(signer, { safe: info.safe, chainId, transaction })))
    routed.push({
      to: info.safe,
      data: encodeFunctionData({
        abi: safeAbi,
        functionName: 'execTransaction',
        args: [transaction.to, transaction.value, transaction.data, transaction.operation, 0n, 0n, 0n, zeroAddress, zeroAddress, packSafeSignatures(signatures)],
      }),
      description: `Safe ${info.safe} → ${call.description}`,
      signature: call.signature,
      errors: call.errors,
      inner: call,
    })
  }
  return routed
}
