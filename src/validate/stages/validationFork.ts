import {
  encodeDeployData,
  encodeFunctionData,
  getAddress,
  getContractAddress,
  keccak256,
  parseAbi,
  toHex,
  type Address,
  type Hash,
  type Hex,
} from 'viem'
import { createTestChainClient, gasWithMargin, type TestChainClient } from '../../chain/clients.js'
import { reasonOf } from '../../chain/deployContract.js'
import { getOwner } from '../../chain/getOwner.js'
import { getProxyInfo, type ProxyKind } from '../../chain/getProxyInfo.js'
import { getRoleHolders } from '../../chain/getRoleHolders.js'
import { startAnvil, type Anvil } from '../../chain/startAnvil.js'
import { redactSecrets } from '../../errors/BaseError.js'
import { ForkPreparationError } from '../dynamicStageErrors.js'
import type { StageContext, TargetBuild } from '../stage.js'

/** An anvil fork of the production chain at the run's pinned block, with its test client. */
export type ValidationFork = {
  readonly anvil: Anvil
  readonly rpcUrl: string
  readonly client: TestChainClient
  stop(): Promise<void>
}

/**
 * Starts an anvil fork of `context.rpcUrl` at `context.blockNumber` on its own free port, so
 * several forks (unpatched, patched) run side by side. Stopped when the run is aborted.
 */
export async function startValidationFork(context: Pick<StageContext, 'rpcUrl' | 'chainId' | 'blockNumber' | 'signal'>, extraArgs: readonly string[] = []): Promise<ValidationFork> {
  let anvil: Anvil
  try {
    anvil = await startAnvil({ forkUrl: context.rpcUrl, forkBlockNumber: context.blockNumber, chainId: context.chainId, extraArgs })
  } catch (error) {
    throw new ForkPreparationError({ step: `fork ${redactSecrets(context.rpcUrl)} at block ${context.blockNumber}`, reason: reasonOf(error), cause: error })
  }
  const onAbort = () => void anvil.stop()
  context.signal.addEventListener('abort', onAbort, { once: true })
  return {
    anvil,
    rpcUrl: anvil.rpcUrl,
    client: createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: context.chainId }),
    stop: async () => {
      context.signal.removeEventListener('abort', onAbort)
      await anvil.stop()
    },
  }
}

/** How one target is upgraded: the call its upgrade authority makes (UUPS proxy, ProxyAdmin or beacon). */
export type UpgradeRoute = {
  target: string
  proxy: Address
  kind: Exclude<ProxyKind, 'erc1967'>
  /** The account entitled to make `call` on the production chain (a timelock, a Safe, a release gate…). */
  authority: Address
  /** Creation code of the new implementation. */
  creationCode: Hex
  /** Builds the upgrade call once the implementation's address is known. */
  upgradeCall(implementation: Address): { to: Address; data: Hex }
  /** The address the proxy reports as its implementation, before the upgrade. */
  currentImplementation: Address
  /** Transparent: the ProxyAdmin; beacon proxies: the beacon. */
  admin?: Address
  beacon?: Address
  initializerCalldata: Hex
}

const uupsAbi = parseAbi(['function upgradeToAndCall(address newImplementation, bytes data) payable'])
const proxyAdminAbi = parseAbi(['function upgradeAndCall(address proxy, address implementation, bytes data) payable'])
const beaconAbi = parseAbi(['function upgradeTo(address newImplementation)'])

/**
 * Works out, from the chain at the pinned block, how each target is upgraded and who may do it:
 * UUPS — an account holding UPGRADER_ROLE / DEFAULT_ADMIN_ROLE or the `owner()` that the proxy accepts
 * `upgradeToAndCall` from (checked with an eth_call); Transparent — the ProxyAdmin's owner; Beacon —
 * the beacon's owner.
 *
 * @throws {ForkPreparationError} a target is not an upgradeable proxy or no authority could be found.
 */
export async function planUpgradeRoutes(context: Pick<StageContext, 'client' | 'blockNumber' | 'builds'>): Promise<UpgradeRoute[]> {
  const { client, blockNumber } = context
  return Promise.all(
    context.builds.map(async (build: TargetBuild): Promise<UpgradeRoute> => {
      const info = await getProxyInfo(client, { address: build.proxy, blockNumber })
      if (!info || info.kind === 'erc1967') {
        throw new ForkPreparationError({ step: `plan the upgrade of ${build.target}`, reason: `${build.proxy} is not a UUPS, Transparent or Beacon proxy at block ${blockNumber}` })
      }
      const creationCode = build.implementation.artifact.bytecode
      const init = build.initializerCalldata
      const base = { target: build.target, proxy: getAddress(build.proxy), creationCode, currentImplementation: info.implementation, initializerCalldata: init }
      if (info.kind === 'transparent') {
        const admin = info.admin!
        const owner = (await getOwner(client, { address: admin, blockNumber })) ?? admin
        return {
          ...base,
          kind: 'transparent',
          authority: owner,
          admin,
          upgradeCall: (implementation) => ({ to: admin, data: encodeFunctionData({ abi: proxyAdminAbi, functionName: 'upgradeAndCall', args: [build.proxy, implementation, init] }) }),
        }
      }
      if (info.kind === 'beacon-proxy') {
        const beacon = info.beacon!
        const owner = await getOwner(client, { address: beacon, blockNumber })
        if (!owner) throw new ForkPreparationError({ step: `plan the upgrade of ${build.target}`, reason: `beacon ${beacon} has no owner()` })
        return {
          ...base,
          kind: 'beacon-proxy',
          authority: owner,
          beacon,
          upgradeCall: (implementation) => ({ to: beacon, data: encodeFunctionData({ abi: beaconAbi, functionName: 'upgradeTo', args: [implementation] }) }),
        }
      }
      const [owner, roles] = await Promise.all([
        getOwner(client, { address: build.proxy, blockNumber }),
        getRoleHolders(client, { address: build.proxy, blockNumber }).catch(() => []),
      ])
      const candidates = [
        ...roles.filter((role) => role.name === 'UPGRADER_ROLE').flatMap((role) => role.holders),
        ...(owner ? [owner] : []),
        ...roles.filter((role) => role.name !== 'UPGRADER_ROLE').flatMap((role) => role.holders),
      ]
      // Re-pointing the proxy at its own implementation passes every check except authorization.
      const probe = encodeFunctionData({ abi: uupsAbi, functionName: 'upgradeToAndCall', args: [info.implementation, '0x'] })
      for (const candidate of [...new Set(candidates)]) {
        const accepted = await client.call({ account: candidate, to: build.proxy, data: probe, blockNumber }).then(() => true, () => false)
        if (accepted) {
          return {
            ...base,
            kind: 'uups',
            authority: candidate,
            upgradeCall: (implementation) => ({ to: build.proxy, data: encodeFunctionData({ abi: uupsAbi, functionName: 'upgradeToAndCall', args: [implementation, init] }) }),
          }
        }
      }
      throw new ForkPreparationError({
        step: `plan the upgrade of ${build.target}`,
        reason: `no account among ${candidates.length} role holders and owner is allowed to upgrade ${build.proxy}`,
      })
    }),
  )
}

/** A deployer with no history on the real chain, so its contract addresses never collide with replayed ones. */
export const forkDeployer: Address = getAddress(`0x${keccak256(toHex('bulwark.validate.fork-deployer')).slice(26)}`)

/** Sends a transaction from `from` on the fork (impersonated, funded) and returns its hash; the caller mines. */
export async function sendImpersonated(fork: ValidationFork, request: { from: Address; to?: Address | undefined; data: Hex; value?: bigint | undefined; gas?: bigint | undefined }): Promise<Hash> {
  await fork.client.impersonateAccount({ address: request.from })
  const gas = request.gas ?? (await impersonatedGas(fork, request))
  return fork.client.request({
    method: 'eth_sendTransaction',
    params: [{
      from: request.from,
      ...(request.to ? { to: request.to } : {}),
      data: request.data,
      value: toHex(request.value ?? 0n),
      gas: toHex(gas),
    }],
  } as never) as Promise<Hash>
}

/**
 * The node's estimate with a margin (×1.5 + 50,000). Left to the node, `eth_sendTransaction` gets
 * the exact estimate at the pending block, and a transaction mined a second later can need more
 * (interest accrual, time windows) and run out of gas. A call that would revert gets a fixed
 * 10,000,000 so that it is mined and its revert reported like any other.
 */
async function impersonatedGas(fork: ValidationFork, request: { from: Address; to?: Address | undefined; data: Hex; value?: bigint | undefined }): Promise<bigint> {
  try {
    return gasWithMargin(await fork.client.estimateGas({ account: request.from, ...(request.to ? { to: request.to } : {}), data: request.data, value: request.value ?? 0n }))
  } catch {
    return 10_000_000n
  }
}

/** Sends and waits (automine): throws `ForkPreparationError` naming `step` when it reverts. */
export async function executeImpersonated(fork: ValidationFork, step: string, request: Parameters<typeof sendImpersonated>[1]) {
  try {
    const hash = await sendImpersonated(fork, request)
    const receipt = await fork.client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
    if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`)
    return receipt
  } catch (error) {
    if (error instanceof ForkPreparationError) throw error
    throw new ForkPreparationError({ step, reason: reasonOf(error), cause: error })
  }
}

/** Transactions that deploy each new implementation from `forkDeployer` (nonce by nonce) and their future addresses. */
export async function implementationDeployments(fork: ValidationFork, routes: readonly UpgradeRoute[]) {
  await fork.client.setBalance({ address: forkDeployer, value: 10n ** 24n })
  const nonce = await fork.client.getTransactionCount({ address: forkDeployer })
  return routes.map((route, index) => {
    const implementation = getContractAddress({ from: forkDeployer, nonce: BigInt(nonce + index) })
    return { route, implementation, deploy: { from: forkDeployer, data: encodeDeployData({ abi: [], bytecode: route.creationCode }) } }
  })
}

/**
 * Applies the patch on a fork the direct way: deploys each implementation, then makes each upgrade
 * call as the target's own upgrade authority (impersonated). The governance path itself is proven
 * separately by the fork rehearsal; the other stages only need the patched state.
 */
export async function applyPatchOnFork(fork: ValidationFork, routes: readonly UpgradeRoute[]): Promise<Address[]> {
  const deployments = await implementationDeployments(fork, routes)
  for (const { route, deploy } of deployments) {
    await executeImpersonated(fork, `deploy the new implementation of ${route.target}`, deploy)
  }
  for (const { route, implementation } of deployments) {
    await fork.client.setBalance({ address: route.authority, value: 10n ** 21n })
    const call = route.upgradeCall(implementation)
    await executeImpersonated(fork, `upgrade ${route.target} as ${route.authority}`, { from: route.authority, ...call })
  }
  return deployments.map((deployment) => deployment.implementation)
}
