import { encodeFunctionData, parseEventLogs, zeroAddress, type Address } from 'viem'
import type { DevClient } from './clients.js'
import { deployContract, reasonOf } from './deployContract.js'
import { DeployError } from './errors.js'
import { safeArtifacts } from './safeArtifacts.js'

export type SafeInfrastructure = {
  singleton: Address
  proxyFactory: Address
  fallbackHandler: Address
  multiSend: Address
  multiSendCallOnly: Address
}

/** Deploys the Safe 1.4.1 singleton (L2 flavour, which emits events for monitoring), factory and libraries. */
export async function deploySafeInfrastructure(client: DevClient): Promise<SafeInfrastructure> {
  const deploy = async (artifact: (typeof safeArtifacts)[keyof typeof safeArtifacts]) =>
    (await deployContract(client, { name: artifact.contractName, abi: artifact.abi, bytecode: artifact.bytecode })).address
  const singleton = await deploy(safeArtifacts.SafeL2)
  const proxyFactory = await deploy(safeArtifacts.SafeProxyFactory)
  const fallbackHandler = await deploy(safeArtifacts.CompatibilityFallbackHandler)
  const multiSend = await deploy(safeArtifacts.MultiSend)
  const multiSendCallOnly = await deploy(safeArtifacts.MultiSendCallOnly)
  return { singleton, proxyFactory, fallbackHandler, multiSend, multiSendCallOnly }
}

export type DeploySafeParameters = {
  infrastructure: SafeInfrastructure
  owners: readonly Address[]
  threshold: number
  saltNonce?: bigint | undefined
}

/** Creates a Safe proxy through the factory, set up with `owners` and `threshold`. */
export async function deploySafe(client: DevClient, { infrastructure, owners, threshold, saltNonce = 0n }: DeploySafeParameters): Promise<Address> {
  const initializer = encodeFunctionData({
    abi: safeArtifacts.SafeL2.abi,
    functionName: 'setup',
    args: [owners, BigInt(threshold), zeroAddress, '0x', infrastructure.fallbackHandler, zeroAddress, 0n, zeroAddress],
  })
  let hash
  try {
    hash = await client.writeContract({
      address: infrastructure.proxyFactory,
      abi: safeArtifacts.SafeProxyFactory.abi,
      functionName: 'createProxyWithNonce',
      args: [infrastructure.singleton, initializer, saltNonce],
    })
  } catch (error) {
    throw new DeployError({ contract: 'Safe', reason: reasonOf(error) })
  }
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 })
  const [created] = parseEventLogs({ abi: safeArtifacts.SafeProxyFactory.abi, logs: receipt.logs, eventName: 'ProxyCreation' })
  const proxy = (created?.args as { proxy?: Address } | undefined)?.proxy
  if (receipt.status !== 'success' || !proxy) throw new DeployError({ contract: 'Safe', reason: `createProxyWithNonce ${hash} created no proxy` })
  return proxy
}
