import { concat, encodeFunctionData, getAddress, keccak256, pad, parseAbi, toHex, zeroAddress, zeroHash, type Address, type Hash, type Hex, type LocalAccount } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import type { ReadClient } from '../../chain/clients.js'
import { reasonOf } from '../../chain/deployContract.js'
import { safeArtifacts } from '../../chain/safeArtifacts.js'
import { signSafeTransaction, type SafeTransaction } from '../../chain/execSafeTransaction.js'
import { getProxyInfo } from '../../chain/getProxyInfo.js'
import { getRoleHolders } from '../../chain/getRoleHolders.js'
import { isNodeFailure, probeContractRead } from '../../chain/probeContractRead.js'
import { getSafeInfo } from '../../chain/getSafeInfo.js'
import { getTimelockInfo } from '../../chain/getTimelockInfo.js'
import { CheckInvalidError, ForkPreparationError } from '../dynamicStageErrors.js'
import { createFinding } from '../findings.js'
import type { Finding, JsonObject, Stage, StageContext } from '../stage.js'
import { withForks } from './forkPool.js'
import { executeImpersonated, forkDeployer, planUpgradeRoutes, sendImpersonated, waitForForkReceipt, type UpgradeRoute, type ValidationFork } from './validationFork.js'

const timelockAbi = parseAbi([
  'function scheduleBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt, uint256 delay)',
  'function executeBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt) payable',
  'function hashOperationBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt) pure returns (bytes32)',
  'function isOperationDone(bytes32 id) view returns (bool)',
])
const safeAbi = safeArtifacts.SafeL2.abi
const releaseGateAbi = parseAbi([
  'function RELEASER_ROLE() view returns (bytes32)',
  'function threshold() view returns (uint256)',
  'function auditors() view returns (address[])',
  'function addAuditor(address auditor)',
  'function attestationDigest(bytes32 patchId, bytes32 reportHash, bytes32[] codehashes) view returns (bytes32)',
  'function approvePatch(bytes32 patchId, bytes32 reportHash, bytes32[] codehashes, bytes[] signatures)',
  'struct Upgrade { uint8 kind; address proxy; address admin; address implementation; bytes data; }',
  'function release(bytes32 patchId, Upgrade[] upgrades)',
])

/** A Bulwark ReleaseGate standing between the timelock and the proxies. */
type ReleaseGatePath = { gate: Address; threshold: number; auditors: Address[] }

/** The authorization path the release goes through, as found on chain. */
type GovernancePath = { timelock: Address; minDelay: bigint; proposer: Address; executor: Address | 'anyone'; owners: Address[]; threshold: number; releaseGate?: ReleaseGatePath }

/** A calldata no TimelockController answers (no fallback): the sentinel that must make the whole batch fail. */
const sentinelCalldata: Hex = '0xb1a7c0de'

/**
 * Fork rehearsal: on a fork of the chain at the pinned block, the release runs through the real
 * authorization path — the Safe's `execTransaction` with its owners' signatures calls the timelock's
 * `scheduleBatch`, the fork's clock moves past the delay, and the Safe calls `executeBatch` — and the
 * proxies must then run exactly the validated implementations. Before that, the same batch plus one
 * call that must fail is scheduled and executed from a snapshot: if any upgrade survives the failed
 * execution, the batch is not atomic.
 *
 * Signatures: owners whose keys are given (`rehearsal.signers`, env variables) sign the EIP-712 Safe
 * transaction like a hardware wallet would. For the others (no key on a fork of a real chain), the
 * owner is impersonated and approves the Safe transaction hash on chain with `approveHash`; its
 * signature is then Safe's pre-validated form (r = owner, s = 0, v = 1). The Safe itself is never
 * impersonated: every call it makes carries real threshold approval.
 */
export const forkRehearsal: Stage = async (context) => {
  const routes = await planUpgradeRoutes(context)
  const keyed = loadKeys(context.manifest.rehearsal?.signers ?? [], 'rehearsal.signers')
  const auditorKeys = loadKeys(context.manifest.rehearsal?.auditors ?? [], 'rehearsal.auditors')
  const paths = new Map<string, UpgradeRoute[]>()
  for (const route of routes) paths.set(route.authority, [...(paths.get(route.authority) ?? []), route])
  const governance = await Promise.all([...paths.keys()].map((authority) => findGovernancePath(context.client, authority as Address, context.blockNumber)))

  // The run's shared unpatched fork: the new implementations are already deployed on it.
  return withForks(context, ['unpatched'], async ([fork]) => {
    if (!fork) throw new ForkPreparationError({ step: 'lease the fork', reason: 'the fork pool handed out no fork' })
    const implementationOf = new Map(routes.map((route) => [route.proxy, fork.implementations.get(route.target)!]))

    const findings: Finding[] = []
    const releases: JsonObject[] = []
    const impersonatedOwners = new Set<Address>()
    for (const [index, authorityRoutes] of [...paths.values()].entries()) {
      const path = governance[index]!
      const gateCalls = path.releaseGate ? await releaseGateCalls(context, fork, path.releaseGate, authorityRoutes, implementationOf, auditorKeys) : undefined
      if (gateCalls?.ephemeralAuditors) {
        findings.push(createFinding('fork-rehearsal', 'rehearsal-signer-impersonated', {
          message: `Release gate ${path.releaseGate!.gate}: no auditor keys were given, so the rehearsal registered ${gateCalls.ephemeralAuditors} throw-away auditor key(s) through the gate's admin in the same batch`,
          details: { releaseGate: path.releaseGate!.gate, ephemeralAuditors: gateCalls.ephemeralAuditors },
        }))
      }
      const calls = gateCalls?.calls ?? authorityRoutes.map((route) => ({ target: route.upgradeCall(implementationOf.get(route.proxy)!).to, data: route.upgradeCall(implementationOf.get(route.proxy)!).data }))
      const signing = chooseSigners(path, keyed)
      signing.impersonated.forEach((owner) => impersonatedOwners.add(owner))

      // Atomicity: the batch plus a failing call must leave every proxy as it was.
      const snapshot = await fork.client.snapshot()
      const atomic = await runThroughGovernance(fork, path, signing, [...calls, { target: path.timelock, data: sentinelCalldata }], toHex(1n, { size: 32 }), false)
        .then(() => ({ failed: false as const }), (error: unknown) => {
          // The node failing is not the batch failing: it would pass a probe that never ran.
          if (isNodeFailure(error)) throw new ForkPreparationError({ step: 'run the atomicity probe', reason: reasonOf(error), cause: error })
          return { failed: true as const, reason: reasonOf(error) }
        })
      const leaked = atomic.failed ? await changedProxies(fork, authorityRoutes) : []
      await fork.client.revert({ id: snapshot })
      if (!atomic.failed) {
        findings.push(createFinding('fork-rehearsal', 'rehearsal-not-atomic', {
          message: `The batch through timelock ${path.timelock} executed even with a failing call appended; the rehearsal cannot show it is all-or-nothing`,
          details: { timelock: path.timelock },
        }))
      } else if (leaked.length > 0) {
        findings.push(createFinding('fork-rehearsal', 'rehearsal-not-atomic', {
          message: `A failed execution through timelock ${path.timelock} still upgraded ${leaked.join(', ')}`,
          details: { timelock: path.timelock, upgraded: leaked },
        }))
      }

      context.progress(`releasing ${authorityRoutes.map((route) => route.target).join(', ')} through Safe ${path.proposer} → timelock ${path.timelock}`)
      try {
        const release = await runThroughGovernance(fork, path, signing, calls, toHex(2n, { size: 32 }))
        releases.push({
          timelock: path.timelock,
          safe: path.proposer,
          ...(path.releaseGate ? { releaseGate: path.releaseGate.gate } : {}),
          ...release,
          targets: authorityRoutes.map((route) => route.target),
          // The same batch with a failing call appended: reverted as a whole, leaving no proxy upgraded.
          atomicityProbe: { reverted: atomic.failed, upgradedAnyway: leaked },
        })
      } catch (error) {
        // A release that reverts is a finding; a node that fails under it means the rehearsal could not run.
        if (isNodeFailure(error)) throw new ForkPreparationError({ step: 'release through the governance path', reason: reasonOf(error), cause: error })
        findings.push(createFinding('fork-rehearsal', 'rehearsal-release-failed', {
          message: `Releasing ${authorityRoutes.map((route) => route.target).join(', ')} through Safe ${path.proposer} → timelock ${path.timelock} failed: ${reasonOf(error)}`,
          details: { timelock: path.timelock, safe: path.proposer },
        }))
        continue
      }
      for (const route of authorityRoutes) {
        const info = await getProxyInfo(fork.client as unknown as ReadClient, { address: route.proxy })
        const expected = implementationOf.get(route.proxy)!
        if (!info || getAddress(info.implementation) !== expected) {
          findings.push(createFinding('fork-rehearsal', 'rehearsal-implementation-mismatch', {
            target: route.target,
            message: `After the release, ${route.target} (${route.proxy}) runs ${info?.implementation ?? 'nothing'} instead of the validated implementation ${expected}`,
            details: { proxy: route.proxy, expected, actual: info?.implementation ?? null },
          }))
        }
      }
    }
    for (const owner of impersonatedOwners) {
      findings.push(createFinding('fork-rehearsal', 'rehearsal-signer-impersonated', {
        message: `Safe owner ${owner} had no key: its approval was given on the fork by impersonation (approveHash, pre-validated signature)`,
        details: { owner },
      }))
    }
    return {
      findings,
      summary: `${routes.length} upgrade(s) released through ${paths.size} governance path(s) on a fork of block ${context.blockNumber}`,
      data: { blockNumber: context.blockNumber.toString(), releases, impersonatedOwners: [...impersonatedOwners] },
    }
  })
}

function loadKeys(references: readonly string[], field: string): LocalAccount[] {
  return references.map((reference) => {
    const variable = reference.slice('env:'.length)
    const key = process.env[variable]
    if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key)) {
      throw new CheckInvalidError({ check: field, reason: `environment variable ${variable} does not hold a 0x-prefixed 32-byte private key` })
    }
    return privateKeyToAccount(key as Hex)
  })
}

/** The gate's own view of an account: undefined unless it answers like a ReleaseGate. */
async function getReleaseGate(client: ReadClient, address: Address, blockNumber: bigint): Promise<ReleaseGatePath | undefined> {
  const read = <T>(functionName: 'threshold' | 'auditors' | 'RELEASER_ROLE') =>
    probeContractRead(client, () => client.readContract({ address, abi: releaseGateAbi, functionName, blockNumber }) as Promise<T>)
  const [threshold, auditors, releaserRole] = await Promise.all([read<bigint>('threshold'), read<readonly Address[]>('auditors'), read<Hex>('RELEASER_ROLE')])
  if (threshold === undefined || auditors === undefined || releaserRole === undefined) return undefined
  return { gate: address, threshold: Number(threshold), auditors: [...auditors] }
}

/**
 * The timelock batch that releases through a gate: approvePatch (with k auditor attestations over a
 * rehearsal patch id and report hash) then release. Without k auditor keys, throw-away auditors are
 * registered first by the gate's admin (the same timelock), in the same batch.
 */
async function releaseGateCalls(
  context: StageContext,
  fork: ValidationFork,
  gate: ReleaseGatePath,
  routes: readonly UpgradeRoute[],
  implementationOf: ReadonlyMap<Address, Address>,
  auditorKeys: readonly LocalAccount[],
) {
  const registered = new Set(gate.auditors.map((auditor) => auditor.toLowerCase()))
  const signers: LocalAccount[] = auditorKeys.filter((account) => registered.has(account.address.toLowerCase())).slice(0, gate.threshold)
  const ephemeral = Array.from({ length: gate.threshold - signers.length }, () => privateKeyToAccount(generatePrivateKey()))
  const patchId = keccak256(toHex(`bulwark.rehearsal:${context.manifest.advisory.id}:${context.blockNumber}`))
  const reportHash = keccak256(toHex('bulwark.rehearsal.report'))
  const upgrades = routes.map((route) => {
    const implementation = implementationOf.get(route.proxy)!
    if (route.kind === 'uups') return { kind: 0, proxy: route.proxy, admin: zeroAddress, implementation, data: route.initializerCalldata }
    if (route.kind === 'transparent') return { kind: 1, proxy: route.proxy, admin: route.admin!, implementation, data: route.initializerCalldata }
    return { kind: 2, proxy: route.beacon!, admin: zeroAddress, implementation, data: '0x' as Hex }
  })
  const codehashes = await Promise.all(upgrades.map(async (upgrade) => keccak256((await fork.client.getCode({ address: upgrade.implementation })) ?? '0x')))
  const digest = await fork.client.readContract({ address: gate.gate, abi: releaseGateAbi, functionName: 'attestationDigest', args: [patchId, reportHash, codehashes] })
  const signatures = await Promise.all([...signers, ...ephemeral].map((account) => account.sign!({ hash: digest })))
  const calls = [
    ...ephemeral.map((account) => ({ target: gate.gate, data: encodeFunctionData({ abi: releaseGateAbi, functionName: 'addAuditor', args: [account.address] }) })),
    { target: gate.gate, data: encodeFunctionData({ abi: releaseGateAbi, functionName: 'approvePatch', args: [patchId, reportHash, codehashes, signatures] }) },
    { target: gate.gate, data: encodeFunctionData({ abi: releaseGateAbi, functionName: 'release', args: [patchId, upgrades] }) },
  ]
  return { calls, ephemeralAuditors: ephemeral.length }
}

async function findGovernancePath(client: ReadClient, authority: Address, blockNumber: bigint): Promise<GovernancePath> {
  const releaseGate = await getReleaseGate(client, authority, blockNumber)
  if (releaseGate) {
    const roles = await getRoleHolders(client, { address: authority, blockNumber, roleNames: ['RELEASER_ROLE'] })
    const releasers = roles.find((role) => role.name === 'RELEASER_ROLE')?.holders ?? []
    for (const releaser of releasers) {
      // A releaser that is not a Safe-proposed timelock is not the path; a node that cannot answer is an error.
      const path = await findGovernancePath(client, releaser, blockNumber).catch((error: unknown) => {
        if (error instanceof ForkPreparationError && !isNodeFailure(error)) return undefined
        throw error
      })
      if (path) return { ...path, releaseGate }
    }
    throw new ForkPreparationError({ step: 'find the governance path', reason: `no RELEASER_ROLE holder of release gate ${authority} is a timelock proposed to by a Safe` })
  }
  const timelock = await getTimelockInfo(client, { address: authority, blockNumber })
  if (!timelock) {
    throw new ForkPreparationError({ step: 'find the governance path', reason: `the upgrade authority ${authority} is not a TimelockController; the rehearsal supports Safe → timelock paths` })
  }
  const holders = (name: string) => timelock.roles.find((role) => role.name === name)?.holders ?? []
  for (const proposer of holders('PROPOSER_ROLE')) {
    const safe = await getSafeInfo(client, { address: proposer, blockNumber })
    if (!safe) continue
    const executors = holders('EXECUTOR_ROLE')
    const executor = executors.includes(zeroAddress) ? 'anyone' : executors.includes(proposer) ? proposer : executors[0]
    if (!executor) break
    return { timelock: authority, minDelay: timelock.minDelay, proposer, executor, owners: safe.owners, threshold: safe.threshold }
  }
  throw new ForkPreparationError({ step: 'find the governance path', reason: `no Safe holds PROPOSER_ROLE on timelock ${authority}` })
}

type Signing = { keyed: LocalAccount[]; impersonated: Address[] }

/** Owners with keys first, then just enough impersonated owners to reach the threshold. */
function chooseSigners(path: GovernancePath, keyed: readonly LocalAccount[]): Signing {
  const owners = new Set(path.owners.map((owner) => owner.toLowerCase()))
  const signing = keyed.filter((account) => owners.has(account.address.toLowerCase())).slice(0, path.threshold)
  const withKey = new Set(signing.map((account) => account.address.toLowerCase()))
  const impersonated = path.owners.filter((owner) => !withKey.has(owner.toLowerCase())).slice(0, path.threshold - signing.length)
  return { keyed: signing, impersonated }
}

/** `simulate: false` sends the execution even when it is expected to fail (the atomicity probe must really run it). */
async function runThroughGovernance(fork: ValidationFork, path: GovernancePath, signing: Signing, calls: readonly { target: Address; data: Hex }[], salt: Hex, simulate = true) {
  const batch = [calls.map((call) => call.target), calls.map(() => 0n), calls.map((call) => call.data), zeroHash, salt] as const
  const operationId = await fork.client.readContract({ address: path.timelock, abi: timelockAbi, functionName: 'hashOperationBatch', args: batch })
  const scheduleTransaction = await execThroughSafe(fork, path.proposer, signing, path.timelock, encodeFunctionData({ abi: timelockAbi, functionName: 'scheduleBatch', args: [...batch, path.minDelay] }))
  await fork.client.increaseTime({ seconds: Number(path.minDelay) })
  await fork.client.mine({ blocks: 1 })
  const executeData = encodeFunctionData({ abi: timelockAbi, functionName: 'executeBatch', args: batch })
  const executeTransaction = path.executor === path.proposer
    ? await execThroughSafe(fork, path.proposer, signing, path.timelock, executeData, simulate)
    : (await executeImpersonated(fork, 'execute the timelock batch', { from: path.executor === 'anyone' ? forkDeployer : path.executor, to: path.timelock, data: executeData })).transactionHash
  const done = await fork.client.readContract({ address: path.timelock, abi: timelockAbi, functionName: 'isOperationDone', args: [operationId] })
  if (!done) throw new Error(`the timelock does not record operation ${operationId} as done`)
  return { operationId, scheduleTransaction, executeTransaction, delaySeconds: path.minDelay.toString() }
}

/** One Safe transaction with threshold approval: EIP-712 signatures from keys, approveHash from impersonated owners. */
async function execThroughSafe(fork: ValidationFork, safe: Address, signing: Signing, to: Address, data: Hex, simulate = true): Promise<Hash> {
  const nonce = (await fork.client.readContract({ address: safe, abi: safeAbi, functionName: 'nonce' })) as bigint
  const transaction: SafeTransaction = { to, value: 0n, data, operation: 0, safeTxGas: 0n, baseGas: 0n, gasPrice: 0n, gasToken: zeroAddress, refundReceiver: zeroAddress, nonce }
  const safeTxHash = (await fork.client.readContract({
    address: safe,
    abi: safeAbi,
    functionName: 'getTransactionHash',
    args: [to, 0n, data, 0, 0n, 0n, 0n, zeroAddress, zeroAddress, nonce],
  })) as Hex
  const chainId = await fork.client.getChainId()
  const signatures: { signer: Address; signature: Hex }[] = await Promise.all(signing.keyed.map((account) => signSafeTransaction(account, { safe, chainId, transaction })))
  for (const owner of signing.impersonated) {
    await fork.client.setBalance({ address: owner, value: 10n ** 20n })
    await executeImpersonated(fork, `approveHash from owner ${owner}`, { from: owner, to: safe, data: encodeFunctionData({ abi: safeAbi, functionName: 'approveHash', args: [safeTxHash] }) })
    // Safe's pre-validated signature: r = the owner, s = 0, v = 1.
    signatures.push({ signer: owner, signature: concat([pad(owner, { size: 32 }), zeroHash, '0x01']) })
  }
  const packed = concat([...signatures].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1)).map((entry) => entry.signature))
  const execData = encodeFunctionData({
    abi: safeAbi,
    functionName: 'execTransaction',
    args: [to, 0n, data, 0, 0n, 0n, 0n, zeroAddress, zeroAddress, packed],
  })
  await fork.client.setBalance({ address: forkDeployer, value: 10n ** 24n })
  // Simulated first: inside execTransaction a failing inner call only says GS013.
  if (simulate) {
    await fork.client.call({ account: safe, to, data }).catch((error: unknown) => {
      if (isNodeFailure(error)) throw error
      throw new Error(`the Safe's call to ${to} reverts: ${reasonOf(error)}`)
    })
  }
  const hash = await sendImpersonated(fork, { from: forkDeployer, to: safe, data: execData, gas: 15_000_000n })
  const receipt = await waitForForkReceipt(fork, hash)
  if (receipt.status !== 'success') throw new Error(`Safe transaction ${hash} reverted`)
  return hash
}

async function changedProxies(fork: ValidationFork, routes: readonly UpgradeRoute[]): Promise<string[]> {
  const changed: string[] = []
  for (const route of routes) {
    const info = await getProxyInfo(fork.client as unknown as ReadClient, { address: route.proxy })
    if (info && getAddress(info.implementation) !== getAddress(route.currentImplementation)) changed.push(route.target)
  }
  return changed
}
