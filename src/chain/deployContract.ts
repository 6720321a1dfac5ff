import { getAddress, type Abi, type Address, type Hash, type Hex } from 'viem'
import type { DevClient } from './clients.js'
import { DeployError } from './errors.js'

export type DeployContractParameters = {
  /** Used in errors and progress output. */
  name: string
  abi: Abi
  bytecode: Hex
  args?: readonly unknown[] | undefined
}
export type DeployContractReturnType = { address: Address; transactionHash: Hash }

/** Deploys a contract from its creation bytecode and waits for the receipt. */
export async function deployContract(
  client: DevClient,
  { name, abi, bytecode, args = [] }: DeployContractParameters,
): Promise<DeployContractReturnType> {
  if (bytecode === '0x' || bytecode.length <= 2) throw new DeployError({ contract: name, reason: 'no creation bytecode (abstract contract or interface?)' })
  let transactionHash: Hash
  try {
    transactionHash = await client.deployContract({ abi, bytecode, args: args as unknown[] })
  } catch (error) {
    throw new DeployError({ contract: name, reason: reasonOf(error) })
  }
  const receipt = await client.waitForTransactionReceipt({ hash: transactionHash, pollingInterval: 50 })
  if (receipt.status !== 'success' || !receipt.contractAddress) {
    throw new DeployError({ contract: name, reason: `creation transaction ${transactionHash} reverted` })
  }
  // Receipts carry lower-case addresses; everything else in Bulwark keys on the checksummed form.
  return { address: getAddress(receipt.contractAddress), transactionHash }
}

export function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const short = (error as { shortMessage?: unknown }).shortMessage
    return typeof short === 'string' ? short : (error.message.split('\n')[0] ?? error.message)
  }
  return String(error)
}
