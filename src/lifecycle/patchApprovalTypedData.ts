import { hashTypedData, type Hex } from 'viem'

/**
 * What a signer approves off-chain: EIP-712 `PatchApproval(string patchId, bytes32 reportHash)` in
 * the domain `{ name: "Bulwark", version: "1", chainId }`, the chain the validated report is for.
 * Binding the report hash means a signature approves exactly the code that was validated; the
 * chain id keeps a signature for one deployment from counting on another.
 */
export const patchApprovalTypes = {
  PatchApproval: [
    { name: 'patchId', type: 'string' },
    { name: 'reportHash', type: 'bytes32' },
  ],
} as const

export type PatchApprovalMessage = { patchId: string; reportHash: Hex; chainId: number }

export function patchApprovalTypedData({ patchId, reportHash, chainId }: PatchApprovalMessage) {
  return {
    domain: { name: 'Bulwark', version: '1', chainId },
    types: patchApprovalTypes,
    primaryType: 'PatchApproval' as const,
    message: { patchId, reportHash },
  }
}

/** The EIP-712 digest a PatchApproval signature is over (what a hardware wallet shows). */
export function patchApprovalDigest(message: PatchApprovalMessage): Hex {
  return hashTypedData(patchApprovalTypedData(message))
}
