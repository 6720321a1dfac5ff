import { isHex, size, type Address, type Hex, type LocalAccount } from 'viem'
import { ReleaseAttestationInvalidError } from './errors.js'

/** What an auditor attests: a patch, its validation report and the codehashes it may release, on one gate and chain. */
export type ReleaseAttestation = {
  /** The ReleaseGate that will check the signature (the EIP-712 verifying contract). */
  gate: Address
  chainId: number
  patchId: Hex
  /** keccak256 of the canonical validation report. */
  reportHash: Hex
  /** Runtime codehashes of the new implementations, in release order. */
  codehashes: readonly Hex[]
}

/** EIP-712 types of `ReleaseAttestation`, exactly as ReleaseGate's ATTESTATION_TYPEHASH spells them. */
export const releaseAttestationTypes = {
  ReleaseAttestation: [
    { name: 'patchId', type: 'bytes32' },
    { name: 'reportHash', type: 'bytes32' },
    { name: 'codehashes', type: 'bytes32[]' },
    { name: 'chainId', type: 'uint256' },
  ],
} as const

/** The typed data an auditor signs (and a wallet shows): domain "Bulwark ReleaseGate" version 1, bound to the gate and chain. */
export function releaseAttestationTypedData({ gate, chainId, patchId, reportHash, codehashes }: ReleaseAttestation) {
  for (const [field, value] of [['patchId', patchId], ['reportHash', reportHash], ...codehashes.map((hash, index) => [`codehashes[${index}]`, hash])] as const) {
    if (!isHex(value, { strict: true }) || size(value) !== 32) throw new ReleaseAttestationInvalidError({ field, reason: `"${String(value).slice(0, 70)}" is not a 32-byte hex value` })
  }
  if (codehashes.length === 0) throw new ReleaseAttestationInvalidError({ field: 'codehashes', reason: 'a release needs at least one codehash' })
  return {
    domain: { name: 'Bulwark ReleaseGate', version: '1', chainId, verifyingContract: gate },
    types: releaseAttestationTypes,
    primaryType: 'ReleaseAttestation',
    message: { patchId, reportHash, codehashes, chainId: BigInt(chainId) },
  } as const
}

/**
 * Signs a release attestation with an auditor key (EIP-712 via viem's `signTypedData`). The gate
 * accepts it for exactly this patch id, report hash, codehash list, chain and gate.
 *
 * @throws {ReleaseAttestationInvalidError} a hash is not 32 bytes, or there are no codehashes.
 */
export async function signReleaseAttestation(auditor: LocalAccount, attestation: ReleaseAttestation): Promise<Hex> {
  return auditor.signTypedData(releaseAttestationTypedData(attestation))
}
