import { getAddress, toHex, zeroAddress, type Abi, type Address, type Hash, type Hex, type LocalAccount } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { createDevClient, type DevClient } from '../../src/chain/clients.js'
import { reasonOf } from '../../src/chain/deployContract.js'
import { deploySafe, deploySafeInfrastructure, type SafeInfrastructure } from '../../src/chain/deploySafe.js'
import { deployTimelock } from '../../src/chain/deployTimelock.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { DeployError } from '../../src/chain/errors.js'
import { scheduleAndExecuteViaSafe, type ScheduleAndExecuteViaSafeReturnType, type TimelockCall } from '../../src/chain/scheduleAndExecuteViaSafe.js'
import { kitArtifact, type KitBuild } from './compileKit.js'

/** Where a kit is deployed: an anvil (`startAnvil`'s result fits) or any devnet with funded dev accounts. */
export type KitChain = { rpcUrl: string; chainId: number }

/** The governance every kit sits under: a Safe 1.4.1 that proposes, executes and cancels on a TimelockController. */
export type KitGovernance = {
  safe: Address
  safeOwners: Address[]
  /** The owners' private keys (anvil's public dev mnemonic: devnet only), in `safeOwners` order. */
  safeOwnerKeys: Hex[]
  threshold: number
  safeInfrastructure: SafeInfrastructure
  /** OpenZeppelin 5.4 TimelockController: proposer, executor and canceller = the Safe; admin = itself only. */
  timelock: Address
  /** Timelock delay, seconds. */
  minDelay: number
}

export type DeployKitGovernanceParameters = {
  /** The TimelockController build (`compileGovernance()`). */
  governanceBuild: KitBuild
  /** Pays for the deployment (default dev account 0). */
  deployer?: LocalAccount | undefined
  /** Safe owners' private keys (default those of dev accounts 1, 2, 3). */
  ownerKeys?: readonly Hex[] | undefined
  /** Safe threshold (default 2). */
  threshold?: number | undefined
  /** Timelock delay in seconds (default one day). */
  minDelay?: number | undefined
  /** Distinguishes a second Safe with the same owners on one chain (default: the deployer's nonce). */
  saltNonce?: bigint | undefined
}

/** Default dev account indices: deployer 0, Safe owners 1–3, guardian 4, actors 5–9 (as the demo's `devRoles`). */
export const kitAccountIndices = { deployer: 0, safeOwners: [1, 2, 3], guardian: 4, actors: [5, 6, 7, 8], attacker: 9 } as const

/** Deploys the Safe 1.4.1 infrastructure, a 2-of-3 Safe and a self-administered TimelockController the Safe drives. */
export async function deployKitGovernance(chain: KitChain, parameters: DeployKitGovernanceParameters): Promise<KitGovernance> {
  const deployer = parameters.deployer ?? devAccount(kitAccountIndices.deployer)
  const safeOwnerKeys = [...(parameters.ownerKeys ?? kitAccountIndices.safeOwners.map((index) => privateKeyOf(devAccount(index))))]
  const threshold = parameters.threshold ?? 2
  const minDelay = parameters.minDelay ?? 24 * 60 * 60
  const client = createDevClient({ ...chain, account: deployer })
  const safeInfrastructure = await deploySafeInfrastructure(client)
  const saltNonce = parameters.saltNonce ?? BigInt(await client.getTransactionCount({ address: deployer.address, blockTag: 'pending' }))
  const safeOwners = safeOwnerKeys.map((key) => privateKeyToAccount(key).address)
  const safe = getAddress(await deploySafe(client, { infrastructure: safeInfrastructure, owners: safeOwners, threshold, saltNonce }))
  const timelock = await deployTimelock(client, {
    artifact: kitArtifact(parameters.governanceBuild, 'TimelockController'),
    minDelay,
    proposers: [safe],
    executors: [safe],
    admin: zeroAddress,
  })
  return { safe, safeOwners, safeOwnerKeys, threshold, safeInfrastructure, timelock, minDelay }
}

/**
 * Runs `calls` as one timelock batch through the kit's governance: `threshold` owners sign the Safe's
 * `scheduleBatch`, the devnet clock moves past the delay, and they sign `executeBatch`.
 */
export async function executeViaGovernance(
  chain: KitChain,
  governance: KitGovernance,
  calls: readonly TimelockCall[],
): Promise<ScheduleAndExecuteViaSafeReturnType> {
  const signers = governance.safeOwnerKeys.slice(0, governance.threshold).map((key) => privateKeyToAccount(key))
  return scheduleAndExecuteViaSafe({ ...chain, safe: governance.safe, timelock: governance.timelock, calls, signers })
}

/** The private key of a dev (mnemonic-derived) or private-key account. */
export function privateKeyOf(account: LocalAccount): Hex {
  const hd = (account as { getHdKey?: () => { privateKey: Uint8Array | null } }).getHdKey?.()
  if (hd?.privateKey) return toHex(hd.privateKey)
  throw new DeployError({ contract: 'kit governance', reason: `no private key is available for ${account.address}` })
}

/** One contract call from `client`'s account, awaited; a revert throws a DeployError naming `step`. */
export async function sendKitCall(
  client: DevClient,
  step: string,
  request: { address: Address; abi: Abi; functionName: string; args?: readonly unknown[]; value?: bigint },
): Promise<Hash> {
  let hash: Hash
  try {
    hash = await client.writeContract({ ...request, args: request.args ?? [] } as unknown as Parameters<DevClient['writeContract']>[0])
  } catch (error) {
    throw new DeployError({ contract: step, reason: reasonOf(error) })
  }
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  if (receipt.status !== 'success') throw new DeployError({ contract: step, reason: `transaction ${hash} reverted` })
  return hash
}
