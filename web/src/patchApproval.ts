import type { Hex } from 'viem'

/**
 * The EIP-712 PatchApproval a signer signs to approve a patch: `PatchApproval(string patchId, bytes32 reportHash)`
 * in the domain `{ name: "Bulwark", version: "1", chainId }` (the server's definition is
 * src/lifecycle/patchApprovalTypedData.ts; the dashboard sends the digest too, so a drift is refused, not recorded).
 */
export function patchApprovalTypedData({ patchId, reportHash, chainId }: { patchId: string; reportHash: string; chainId: number }) {
  return {
    domain: { name: 'Bulwark', version: '1', chainId },
    types: {
      PatchApproval: [
        { name: 'patchId', type: 'string' },
        { name: 'reportHash', type: 'bytes32' },
      ],
    },
    primaryType: 'PatchApproval' as const,
    message: { patchId, reportHash: reportHash as Hex },
  }
}

/** anvil's well-known default mnemonic: the demo signer is one of its accounts, a key everyone knows, valid on a devnet only. */
const anvilMnemonic = 'test test test test test test test test test test test junk'

/**
 * Signs a PatchApproval in the browser as the demo's registered signer (anvil account `index`). The
 * signing code loads on first use, so the dashboard carries no key until someone approves in a demo.
 */
export async function signAsDemoSigner(index: number, typedData: ReturnType<typeof patchApprovalTypedData>): Promise<{ address: string; signature: Hex }> {
  const { mnemonicToAccount } = await import('viem/accounts')
  const account = mnemonicToAccount(anvilMnemonic, { addressIndex: index })
  return { address: account.address, signature: await account.signTypedData(typedData) }
}

/** Signs a PatchApproval with the browser's wallet (EIP-1193 `eth_signTypedData_v4`). */
export async function signWithWallet(ethereum: NonNullable<Window['ethereum']>, typedData: ReturnType<typeof patchApprovalTypedData>): Promise<{ address: string; signature: Hex }> {
  const [address] = (await ethereum.request({ method: 'eth_requestAccounts' })) as string[]
  if (!address) throw new Error('the wallet returned no account')
  const payload = { ...typedData, types: { EIP712Domain: [{ name: 'name', type: 'string' }, { name: 'version', type: 'string' }, { name: 'chainId', type: 'uint256' }], ...typedData.types } }
  const signature = (await ethereum.request({ method: 'eth_signTypedData_v4', params: [address, JSON.stringify(payload)] })) as Hex
  return { address, signature }
}

declare global {
  interface Window {
    ethereum?: { request(args: { method: string; params?: unknown[] }): Promise<unknown> }
  }
}
