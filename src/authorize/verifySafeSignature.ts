import { getAddress, hashMessage, hexToNumber, isAddressEqual, isHex, recoverAddress, size, slice, concat, toHex, type Address, type Hex } from 'viem'
import { SignatureInvalidError } from './errors.js'
import { safeReadAbi, type ChainReader, type SafeState } from './readSafeState.js'

/**
 * How a Safe 1.4.1 reads one 65-byte signature, by its `v` byte (Safe.checkNSignatures):
 * 27/28 EIP-712 ECDSA over safeTxHash; 31/32 eth_sign over the prefixed safeTxHash (v − 4);
 * 1 a hash pre-approved on chain with approveHash (r holds the owner); 0 an EIP-1271 contract
 * signature, which Bulwark does not accept (its dynamic part does not fit one stored entry).
 */
export type SafeSignatureKind = 'eip712' | 'eth_sign' | 'approved_hash'

export type VerifiedSafeSignature = { owner: Address; kind: SafeSignatureKind; signature: Hex }

export type VerifySafeSignatureParameters = {
  safe: Address
  safeTxHash: Hex
  signature: Hex
  /** Live owner set of the Safe (readSafeState). */
  state: Pick<SafeState, 'owners'>
}

/**
 * Recovers who signed `safeTxHash` and checks that it is a current owner of the Safe. A signature
 * made for another chain id, Safe, nonce or calldata signs another hash, so it recovers to some
 * other address: it is rejected here as "not an owner".
 *
 * @throws {SignatureInvalidError} (BW_SIGNATURE_INVALID) with the reason.
 */
export async function verifySafeSignature(client: ChainReader, { safe, safeTxHash, signature, state }: VerifySafeSignatureParameters): Promise<VerifiedSafeSignature> {
  const reject = (reason: string, signer?: Address) => new SignatureInvalidError({ safeTxHash, reason, signer })
  if (!isHex(signature, { strict: true }) || size(signature) !== 65) throw reject('a Safe signature is 65 bytes r ‖ s ‖ v in hex')
  const r = slice(signature, 0, 32)
  const s = slice(signature, 32, 64)
  const v = hexToNumber(slice(signature, 64, 65))
  const isOwner = (address: Address) => state.owners.some((owner) => isAddressEqual(owner, address))

  if (v === 0) throw reject('contract (EIP-1271) signatures are not accepted by Bulwark; sign with the owner key or approve the hash on chain')
  if (v === 1) {
    if (BigInt(r) >> 160n !== 0n) throw reject('a pre-approved-hash signature (v = 1) carries the owner address in r')
    const owner = getAddress(slice(r, 12, 32))
    if (!isOwner(owner)) throw reject(`${owner} is not an owner of Safe ${safe}`, owner)
    const approved = await client.readContract({ address: safe, abi: safeReadAbi, functionName: 'approvedHashes', args: [owner, safeTxHash] })
    if (approved === 0n) throw reject(`owner ${owner} has not called approveHash(${safeTxHash}) on Safe ${safe}`, owner)
    return { owner, kind: 'approved_hash', signature }
  }
  if (v !== 27 && v !== 28 && v !== 31 && v !== 32) throw reject(`v = ${v} is not a Safe signature type (27/28 EIP-712, 31/32 eth_sign, 1 approved hash)`)
  // Safe's ecrecover accepts any s; a signature with the other s for the same key is the same approval (the owner is the key).
  const ethSign = v > 30
  const digest = ethSign ? hashMessage({ raw: safeTxHash }) : safeTxHash
  let signer: Address
  try {
    signer = await recoverAddress({ hash: digest, signature: concat([r, s, toHex(ethSign ? v - 4 : v, { size: 1 })]) })
  } catch {
    throw reject('the signature does not recover to any key')
  }
  if (!isOwner(signer)) throw reject(`it recovers to ${signer}, which is not an owner of Safe ${safe} — or it was made over another safeTxHash (another chain id, Safe, nonce or calldata)`, signer)
  return { owner: signer, kind: ethSign ? 'eth_sign' : 'eip712', signature }
}
