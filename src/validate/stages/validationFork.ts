import {
  encodeDeployData,
  toFunctionSelector,
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
import { isNodeFailure, probeContractRead } from '../../chain/probeContractRead.js'
import { startAnvil, type Anvil } from '../../chain/startAnvil.js'
import { redactSecrets } from '../../errors/BaseError.js'
import { ForkPreparationError } from '../dynamicStageErrors.js'
import { parkFork, takeIdleFork, type IdleForkKey } from './idleForks.js'
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
 *
 * A fork an earlier run of this process has finished with, of the same block (compared by hash) and
 * with the same arguments, is taken instead when one is idle: it is back in the state it was started
 * in (`idleForks.ts`), and its state cache is already filled. `stop()` hands the fork back for the
 * next run that way; the anvil process itself stops once idle for two minutes, or with the process.
 */
export async function startValidationFork(context: Pick<StageContext, 'rpcUrl' | 'chainId' | 'blockNumber' | 'signal'> & Partial<Pick<StageContext, 'client'>>, extraArgs: readonly string[] = []): Promise<ValidationFork> {
  // Without the block's hash a fork cannot be told from one of another chain that reused the port: not kept.
  const blockHash = context.client ? await context.client.getBlock({ blockNumber: context.blockNumber }).then((block) => block.hash ?? undefined, () => undefined) : undefined
  const key: IdleForkKey | undefined = blockHash ? { rpcUrl: context.rpcUrl, chainId: context.chainId, blockNumber: context.blockNumber, blockHash, extraArgs } : undefined
  let fork: { anvil: Anvil; client: TestChainClient; pristine: Hex | undefined } | undefined = key ? takeIdleFork(key) : undefined
  if (!fork) {
    let anvil: Anvil
    try {
      anvil = await startAnvil({ forkUrl: context.rpcUrl, forkBlockNumber: context.blockNumber, chainId: context.chainId, extraArgs })
    } catch (error) {
      throw new ForkPreparationError({ step: `fork ${redactSecrets(context.rpcUrl)} at block ${context.blockNumber}`, reason: reasonOf(error), cause: error })
    }
    const client = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: context.chainId })
    fork = { anvil, client, pristine: key ? await client.snapshot().catch(() => undefined) : undefined }
  }
  const { anvil, client, pristine } = fork
  const onAbort = () => void anvil.stop()
  context.signal.addEventListener('abort', onAbort, { once: true })
  let stopping: Promise<void> | undefined
  return {
    anvil,
    rpcUrl: anvil.rpcUrl,
    client,
    stop: () =>
      (stopping ??= (async () => {
        context.signal.removeEventListener('abort', onAbort)
        if (key && pristine && !context.signal.aborted) await parkFork(key, { anvil, client, pristine })
        else await anvil.stop()
      })()),
  }
}

/**
 * One upgrade function of a proxy's upgrade authority, as the deployed code offers it. OpenZeppelin
 * changed them between generations: 4.x has a no-call form (`upgradeTo(address)` on UUPS
 * implementations and 4.x Transparent proxies, `upgrade(address,address)` on ProxyAdmin), and its
 * call forms always call the new implementation, even with empty data (which reverts on most
 * implementations); 5.x (`UPGRADE_INTERFACE_VERSION() == "5.0.0"`) has only the call forms, which
 * skip the call when the data is empty.
 */
export type UpgradeFunction =
  | 'upgradeTo(address)'
  | 'upgradeToAndCall(address,bytes)'
  | 'upgrade(address,address)'
  | 'upgradeAndCall(address,address,bytes)'

/** How one target is upgraded: the call its upgrade authority makes (UUPS proxy, ProxyAdmin or beacon). */
export type UpgradeRoute = {
  target: string
  proxy: Address
  kind: Exclude<ProxyKind, 'erc1967'>
  /** The account entitled to make `call` on the production chain (a timelock, a Safe, a release gate…). */
  authority: Address
  /** Creation code of the new implementation. */
  creationCode: Hex
  /**
   * Builds the upgrade call once the implementation's address is known. With the manifest's
   * initializer (the default) it is the call form carrying it; without one, or with
   * `{ withInitializer: false }`, it is the no-call form when the deployed code has one (OZ 4.x),
   * else the call form with empty data (OZ 5.x, which then makes no call). Beacons only have
   * `upgradeTo(address)`: their initializer is never part of the upgrade.
   */
  upgradeCall(implementation: Address, options?: UpgradeCallOptions): { to: Address; data: Hex }
  /** The upgrade functions chosen from the deployed code: `withoutData` when no initializer is called. */
  functions: { withoutData: UpgradeFunction; withData: UpgradeFunction | undefined }
  /** `UPGRADE_INTERFACE_VERSION()` of the contract receiving the upgrade call ("5.0.0" on OZ 5), undefined when absent. */
  upgradeInterfaceVersion: string | undefined
  /** The address the proxy reports as its implementation, before the upgrade. */
  currentImplementation: Address
  /** Transparent: the ProxyAdmin (or, on OZ 4.x, an admin account calling the proxy itself); beacon proxies: the beacon. */
  admin?: Address
  beacon?: Address
  initializerCalldata: Hex
}

export type UpgradeCallOptions = {
  /** Include the manifest's initializer call (default true). */
  withInitializer?: boolean | undefined
}

const upgradeAbi = parseAbi([
  'function upgradeTo(address newImplementation)',
  'function upgradeToAndCall(address newImplementation, bytes data) payable',
  'function upgrade(address proxy, address implementation)',
  'function upgradeAndCall(address proxy, address implementation, bytes data) payable',
  'function UPGRADE_INTERFACE_VERSION() view returns (string)',
])

/**
 * Whether the code holds the function's selector as a constant: `PUSH4 <selector>` in solc's
 * dispatcher, or left-aligned (`PUSH32 <selector>00…`) where code compares `msg.sig` with it, as
 * OZ 4.x's TransparentUpgradeableProxy does. Any byte-aligned occurrence counts (a chance match
 * of four given bytes in a contract's code is negligible).
 */
function offersFunction(code: Hex | undefined, signature: UpgradeFunction): boolean {
  const hex = (code ?? '0x').toLowerCase()
  const selector = toFunctionSelector(`function ${signature}`).slice(2)
  for (let at = hex.indexOf(selector, 2); at !== -1; at = hex.indexOf(selector, at + 1)) if (at % 2 === 0) return true
  return false
}

/**
 * What the contract receiving the upgrade call (`code` is the code that runs it: a UUPS proxy's
 * implementation, the ProxyAdmin, a 4.x Transparent proxy) offers. The rule of OpenZeppelin's
 * upgrade plugins: "5.0.0" means only the call form exists; otherwise the no-call form is used when
 * the bytecode dispatches it.
 */
async function upgradeInterface(
  client: StageContextClient,
  { address, code, blockNumber, plain, withCall }: { address: Address; code: Hex | undefined; blockNumber: bigint; plain: UpgradeFunction; withCall: UpgradeFunction },
) {
  const version = await probeContractRead(client, () => client.readContract({ address, abi: upgradeAbi, functionName: 'UPGRADE_INTERFACE_VERSION', blockNumber }))
  const hasPlain = version !== '5.0.0' && offersFunction(code, plain)
  const hasCall = offersFunction(code, withCall) || !hasPlain
  return { version, functions: { withoutData: hasPlain ? plain : withCall, withData: hasCall ? withCall : undefined } }
}

type StageContextClient = StageContext['client']

/** Encodes one upgrade function's call (`proxy` only for the ProxyAdmin forms). */
function encodeUpgrade(fn: UpgradeFunction, proxy: Address, implementation: Address, data: Hex): Hex {
  switch (fn) {
    case 'upgradeTo(address)':
      return encodeFunctionData({ abi: upgradeAbi, functionName: 'upgradeTo', args: [implementation] })
    case 'upgradeToAndCall(address,bytes)':
      return encodeFunctionData({ abi: upgradeAbi, functionName: 'upgradeToAndCall', args: [implementation, data] })
    case 'upgrade(address,address)':
      return encodeFunctionData({ abi: upgradeAbi, functionName: 'upgrade', args: [proxy, implementation] })
    case 'upgradeAndCall(address,address,bytes)':
      return encodeFunctionData({ abi: upgradeAbi, functionName: 'upgradeAndCall', args: [proxy, implementation, data] })
  }
}

/** The upgrade call for `functions` (see `UpgradeRoute.upgradeCall`). */
function chooseUpgradeCall(route: Pick<UpgradeRoute, 'target' | 'proxy' | 'functions' | 'initializerCalldata'>, to: Address) {
  return (implementation: Address, options?: UpgradeCallOptions) => {
    const data = options?.withInitializer === false ? '0x' : route.initializerCalldata
    if (data !== '0x' && route.functions.withData === undefined) {
      throw new ForkPreparationError({ step: `plan the upgrade of ${route.target}`, reason: `${to} offers no upgrade function that also calls an initializer` })
    }
    const fn = data === '0x' ? route.functions.withoutData : route.functions.withData!
    return { to, data: encodeUpgrade(fn, route.proxy, implementation, data) }
  }
}

/**
 * Works out, from the chain at the pinned block, how each target is upgraded, with which function
 * (chosen from the deployed code, see `UpgradeFunction`) and who may do it: UUPS — an account holding
 * UPGRADER_ROLE / DEFAULT_ADMIN_ROLE or the `owner()` that the proxy accepts the no-data upgrade
 * from (checked with an eth_call); Transparent — the ProxyAdmin's owner (or a 4.x admin account);
 * Beacon — the beacon's owner.
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
      const proxy = getAddress(build.proxy)
      const codeAt = (address: Address) => client.getCode({ address, blockNumber })
      const base = { target: build.target, proxy, creationCode: build.implementation.artifact.bytecode, currentImplementation: info.implementation, initializerCalldata: build.initializerCalldata }
      if (info.kind === 'transparent') {
        const admin = info.admin!
        const adminCode = await codeAt(admin)
        if (adminCode === undefined || adminCode === '0x') {
          // OZ 4.x lets an account be the admin: it calls the proxy's own upgradeTo / upgradeToAndCall.
          // The 4.x proxy compares msg.sig in a form the optimizer folds (no selector constant in the
          // code), so the no-call form is probed: the admin re-pointing the proxy at its own implementation.
          const plain = encodeUpgrade('upgradeTo(address)', proxy, info.implementation, '0x')
          const hasPlain = await client.call({ account: admin, to: proxy, data: plain, blockNumber }).then(() => true, () => false)
          const functions = { withoutData: hasPlain ? ('upgradeTo(address)' as const) : ('upgradeToAndCall(address,bytes)' as const), withData: 'upgradeToAndCall(address,bytes)' as const }
          const route = { ...base, kind: 'transparent' as const, authority: admin, admin, functions, upgradeInterfaceVersion: undefined }
          return { ...route, upgradeCall: chooseUpgradeCall(route, proxy) }
        }
        const owner = (await getOwner(client, { address: admin, blockNumber })) ?? admin
        const { version, functions } = await upgradeInterface(client, { address: admin, code: adminCode, blockNumber, plain: 'upgrade(address,address)', withCall: 'upgradeAndCall(address,address,bytes)' })
        const route = { ...base, kind: 'transparent' as const, authority: owner, admin, functions, upgradeInterfaceVersion: version }
        return { ...route, upgradeCall: chooseUpgradeCall(route, admin) }
      }
      if (info.kind === 'beacon-proxy') {
        const beacon = info.beacon!
        const owner = await getOwner(client, { address: beacon, blockNumber })
        if (!owner) throw new ForkPreparationError({ step: `plan the upgrade of ${build.target}`, reason: `beacon ${beacon} has no owner()` })
        const functions = { withoutData: 'upgradeTo(address)' as const, withData: undefined }
        const route = { ...base, kind: 'beacon-proxy' as const, authority: owner, beacon, functions, upgradeInterfaceVersion: undefined }
        return {
          ...route,
          upgradeCall: (implementation: Address) => ({ to: beacon, data: encodeUpgrade('upgradeTo(address)', proxy, implementation, '0x') }),
        }
      }
      const [owner, roles, upgrade] = await Promise.all([
        getOwner(client, { address: proxy, blockNumber }),
        getRoleHolders(client, { address: proxy, blockNumber }).catch(() => []),
        codeAt(info.implementation).then((code) => upgradeInterface(client, { address: proxy, code, blockNumber, plain: 'upgradeTo(address)', withCall: 'upgradeToAndCall(address,bytes)' })),
      ])
      const candidates = [
        ...roles.filter((role) => role.name === 'UPGRADER_ROLE').flatMap((role) => role.holders),
        ...(owner ? [owner] : []),
        ...roles.filter((role) => role.name !== 'UPGRADER_ROLE').flatMap((role) => role.holders),
      ]
      const route = { ...base, kind: 'uups' as const, functions: upgrade.functions, upgradeInterfaceVersion: upgrade.version }
      const upgradeCall = chooseUpgradeCall(route, proxy)
      // Re-pointing the proxy at its own implementation, without data, passes every check except authorization.
      const probe = upgradeCall(info.implementation, { withInitializer: false }).data
      for (const candidate of [...new Set(candidates)]) {
        const accepted = await client.call({ account: candidate, to: proxy, data: probe, blockNumber }).then(() => true, () => false)
        if (accepted) return { ...route, authority: candidate, upgradeCall }
      }
      throw new ForkPreparationError({
        step: `plan the upgrade of ${build.target}`,
        reason: `no account among ${candidates.length} role holders and owner is allowed to upgrade ${build.proxy} with ${upgrade.functions.withoutData}`,
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

/**
 * Waits for a transaction sent to a fork by asking for its receipt until it is there. Not viem's
 * `waitForTransactionReceipt`: that one wakes on a *higher* block number, read through the client's
 * block-number cache, and forks go back in time (`evm_revert` between leases, PoCs and fuzzed
 * sequences): the block that includes the transaction can carry a number already seen, and the
 * wait then only ends at its timeout. Anvil mines in the background, so with a slow upstream the
 * receipt can come a while after the hash.
 */
export async function waitForForkReceipt(fork: Pick<ValidationFork, 'client'>, hash: Hash, timeoutMs = 120_000) {
  const deadline = performance.now() + timeoutMs
  // "Not mined yet" is polled through; a node failure is kept as the cause, so a timeout it caused reads as one (isNodeFailure).
  let failure: unknown
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const receipt = await fork.client.getTransactionReceipt({ hash }).catch((error: unknown) => {
      if (isNodeFailure(error)) failure = error
      return undefined
    })
    if (receipt) return receipt
    if (performance.now() > deadline) throw new Error(`transaction ${hash} was not mined within ${Math.round(timeoutMs / 1000)} s`, failure === undefined ? undefined : { cause: failure })
    await new Promise((resolve) => setTimeout(resolve, delay))
  }
}

/** Sends and waits (automine): throws `ForkPreparationError` naming `step` when it reverts (unless `allowRevert`: the receipt says so). */
export async function executeImpersonated(fork: ValidationFork, step: string, request: Parameters<typeof sendImpersonated>[1], options: { allowRevert?: boolean } = {}) {
  try {
    const hash = await sendImpersonated(fork, request)
    const receipt = await waitForForkReceipt(fork, hash)
    if (receipt.status !== 'success' && !options.allowRevert) throw new Error(`transaction ${hash} reverted`)
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
 * Upgrades one target on a fork as its upgrade authority (impersonated), with or without the
 * manifest's initializer call, and waits for it: the per-target step that stages which need an
 * upgraded proxy build on (a stage that probes new initializers upgrades with
 * `{ withInitializer: false }`, then calls them as a stranger).
 *
 * @throws {ForkPreparationError} the upgrade reverted.
 */
export async function upgradeOnFork(fork: ValidationFork, route: UpgradeRoute, implementation: Address, options?: UpgradeCallOptions) {
  await fork.client.setBalance({ address: route.authority, value: 10n ** 21n })
  const call = route.upgradeCall(implementation, options)
  const step = `upgrade ${route.target} as ${route.authority}`
  const receipt = await executeImpersonated(fork, step, { from: route.authority, ...call }, { allowRevert: true })
  if (receipt.status !== 'success') {
    throw new ForkPreparationError({ step, reason: `transaction ${receipt.transactionHash} reverted`, revertedUpgrade: { target: route.target, transaction: receipt.transactionHash } })
  }
  return receipt
}

/** Deploys every new implementation on the fork (from `forkDeployer`) and returns their addresses, in route order. */
export async function deployImplementationsOnFork(fork: ValidationFork, routes: readonly UpgradeRoute[]): Promise<Address[]> {
  const deployments = await implementationDeployments(fork, routes)
  for (const { route, deploy } of deployments) {
    await executeImpersonated(fork, `deploy the new implementation of ${route.target}`, deploy)
  }
  return deployments.map((deployment) => deployment.implementation)
}

/**
 * Applies the patch on a fork the direct way: deploys each implementation, then makes each upgrade
 * call as the target's own upgrade authority (impersonated). The governance path itself is proven
 * separately by the fork rehearsal; the other stages only need the patched state.
 */
export async function applyPatchOnFork(fork: ValidationFork, routes: readonly UpgradeRoute[], options?: UpgradeCallOptions): Promise<Address[]> {
  const implementations = await deployImplementationsOnFork(fork, routes)
  for (const [index, route] of routes.entries()) await upgradeOnFork(fork, route, implementations[index]!, options)
  return implementations
}
