/** Shared pieces of the on-chain contract tests: decoding custom errors and sending as any account on anvil. */
import { BaseError as ViemBaseError, ContractFunctionRevertedError, type Address, type Hash, type Hex } from 'viem'
import type { TestChainClient } from '../../src/chain/clients.js'

/** The custom error (name and arguments) a call reverts with; fails the test when it does not revert. */
export async function revertOf(call: Promise<unknown>): Promise<{ errorName: string | undefined; args: readonly unknown[] }> {
  try {
    await call
  } catch (error) {
    const reverted = error instanceof ViemBaseError ? error.walk((cause) => cause instanceof ContractFunctionRevertedError) : undefined
    if (reverted instanceof ContractFunctionRevertedError) return { errorName: reverted.data?.errorName, args: reverted.data?.args ?? [] }
    throw error
  }
  throw new Error('the call did not revert')
}

/** Sends a transaction from `from` (impersonated on anvil, e.g. the timelock) and waits for a successful receipt. */
export async function sendAs(client: TestChainClient, { from, to, data }: { from: Address; to: Address; data: Hex }) {
  await client.impersonateAccount({ address: from })
  await client.setBalance({ address: from, value: 10n ** 20n })
  const request = client.request as unknown as (args: { method: string; params: unknown[] }) => Promise<unknown>
  const hash = (await request({ method: 'eth_sendTransaction', params: [{ from, to, data, gas: '0x1c9c380' }] })) as Hash
  await client.stopImpersonatingAccount({ address: from })
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  if (receipt.status !== 'success') throw new Error(`transaction ${hash} from ${from} reverted`)
  return receipt
}
