import {
  decodeEventLog,
  encodeFunctionData,
  getAddress,
  hexToBigInt,
  maxUint256,
  padHex,
  parseAbi,
  toFunctionSelector,
  toHex,
  zeroAddress,
  type AbiFunction,
  type AbiParameter,
  type Address,
  type Hex,
} from 'viem'
import { privateKeyToAddress, generatePrivateKey } from 'viem/accounts'
import { reasonOf } from '../../chain/deployContract.js'
import { initializableSlotOz5 } from '../../chain/getInitializerState.js'
import { ForkPreparationError } from '../dynamicStageErrors.js'
import { createFinding } from '../findings.js'
import { implementationFacts, type EntryPoint, type ImplementationFacts } from '../initializerFacts.js'
import type { Finding, JsonObject, Stage, StageContext, TargetBuild } from '../stage.js'
import {
  deployImplementationsOnFork,
  planUpgradeRoutes,
  startValidationFork,
  upgradeOnFork,
  type UpgradeRoute,
  type ValidationFork,
} from './validationFork.js'

/**
 * Initializer safety: after the upgrade — once as the release does it (with the manifest's
 * initializer call), once without that call (a non-atomic upgrade) — a stranger (a fresh random
 * account) calls every initializer and reinitializer of the new implementation, and every function
 * the patch adds that writes owner, roles, upgrade authority, minting or funds, on the proxy. Each
 * call must revert or change nothing privileged. The stranger also calls the initializers of the
 * new implementation contract itself, which must not accept them.
 *
 * What counts as a privileged change is read from the call's own trace (debug_traceCall with the
 * prestate tracer in diff mode, and the call tracer's logs), so no state is modified while probing:
 * the ERC-1967 slots, the `_initialized` version, owner and role events and slots, storage the
 * layout names like owner/admin/…, ETH leaving the contract, tokens minted or sent out of it or to
 * the stranger. For an initializer any storage it writes counts: it is setting up the contract.
 * The AST facts (`initializerFacts.ts`) explain each result: the modifier and version, the access
 * checks on its paths, what it writes.
 */
export const initializerSafety: Stage = async (context) => {
  const findings: Finding[] = []
  const targets = context.builds.map((build) => ({ build, facts: implementationFacts(build.implementation.buildInfo, build.implementation.artifact.sourceName, build.implementation.artifact.contractName) }))
  const candidates = new Map(targets.map(({ build, facts }) => [build.target, candidatesOf(build, facts)]))
  const total = [...candidates.values()].reduce((sum, list) => sum + list.length, 0)

  const stranger = privateKeyToAddress(generatePrivateKey())
  const probe = await openProbeFork(context)
  const scenarios: Record<Scenario, Map<string, TargetProbe>> = { atomic: new Map(), 'not-atomic': new Map() }
  const upgradeFailures: Record<string, string> = {}
  let implementationResults = new Map<string, ImplementationProbe>()
  try {
    await probe.fork.client.setBalance({ address: stranger, value: 10n ** 20n })
    for (const scenario of ['atomic', 'not-atomic'] as const) {
      const snapshot = await probe.fork.client.snapshot()
      try {
        context.progress(`upgrading ${scenario === 'atomic' ? 'with' : 'without'} the manifest's initializer call`)
        try {
          for (const route of probe.routes) await upgradeOnFork(probe.fork, route, probe.implementations.get(route.target)!, { withInitializer: scenario === 'atomic' })
        } catch (error) {
          if (scenario === 'atomic' && error instanceof ForkPreparationError && error.revertedUpgrade) {
            // The release's own upgrade reverts: that is the finding; there is no upgraded proxy to probe.
            const { target, transaction } = error.revertedUpgrade
            return {
              findings: [createFinding('initializer-safety', 'upgrade-reverted', { target, message: `${target}: the upgrade as the release makes it reverted on the fork (transaction ${transaction}); nothing could be called after it`, details: { transaction } })],
              summary: `the upgrade of ${target} reverted: no initializer probed`,
              data: { upgradeReverted: { target, transaction } },
            }
          }
          if (scenario === 'atomic') throw error
          // Some authorities have no call-less upgrade: the non-atomic case cannot happen there.
          upgradeFailures[scenario] = reasonOf(error)
          continue
        }
        for (const { build, facts } of targets) {
          const route = probe.routes.find((r) => r.target === build.target)!
          context.progress(`${build.target}: ${candidates.get(build.target)!.length} function(s) called by stranger ${stranger} (${scenario})`)
          scenarios[scenario].set(build.target, await probeTarget(probe.fork, build, facts, route, candidates.get(build.target)!, stranger))
        }
        if (scenario === 'atomic') implementationResults = await probeImplementations(probe.fork, targets, probe.implementations, stranger)
      } finally {
        await probe.fork.client.revert({ id: snapshot })
      }
    }
  } finally {
    await probe.close()
  }

  const evidence: Record<string, JsonObject> = {}
  for (const { build, facts } of targets) {
    const route = probe.routes.find((r) => r.target === build.target)!
    const atomic = scenarios.atomic.get(build.target)!
    const notAtomic = scenarios['not-atomic'].get(build.target)
    findings.push(...judgeTarget(context, build, facts, route, candidates.get(build.target)!, atomic, notAtomic, stranger))
    const implementation = implementationResults.get(build.target)
    if (implementation) findings.push(...judgeImplementation(build, facts, implementation, stranger))
    evidence[build.target] = {
      initializerVersion: { atomic: atomic.version?.toString() ?? null, notAtomic: notAtomic?.version?.toString() ?? null },
      calls: candidates.get(build.target)!.map((entry) => ({
        function: entry.signature,
        atomic: outcomeLabel(atomic.outcomes.get(entry.signature)),
        notAtomic: notAtomic ? outcomeLabel(notAtomic.outcomes.get(entry.signature)) : 'not run',
      })),
      implementation: implementation ? { address: implementation.address, initializerVersion: implementation.version?.toString() ?? null, acceptedBy: implementation.accepted.map((a) => a.signature) } : null,
    }
  }
  const blocking = findings.filter((f) => f.severity === 'critical' || f.severity === 'high').length
  return {
    findings,
    summary: `${total} initializer/privileged function(s) called by a stranger after the upgrade with and without the initializer call; ${blocking} open to anyone`,
    data: { stranger, targets: evidence, ...(Object.keys(upgradeFailures).length > 0 ? { upgradeFailed: upgradeFailures } : {}) },
  }
}

type Scenario = 'atomic' | 'not-atomic'

/** What one entry point is, for this stage. */
type Candidate = EntryPoint & { role: 'initializer' | 'privileged'; isNew: boolean }

/** Initializers (any that a stranger might reach) and new functions that write privileged state. */
function candidatesOf(build: TargetBuild, facts: ImplementationFacts): Candidate[] {
  const before = build.reference ? new Set(build.reference.artifact.abi.filter((item): item is AbiFunction => item.type === 'function').map((item) => toFunctionSelector(item))) : undefined
  const list: Candidate[] = []
  for (const entry of facts.entries.values()) {
    if (entry.initializerModifier === 'onlyInitializing') continue
    const isNew = before ? !before.has(toFunctionSelector(`function ${entry.signature}`)) : true
    const namedInitializer = /^_?(?:re)?init(?:ialize)?(?:[A-Z0-9_]|$)/.test(entry.name) && entry.writesStorage
    if (entry.initializerModifier !== undefined || namedInitializer) list.push({ ...entry, role: 'initializer', isNew })
    else if (isNew && (entry.privilegedWrites.length > 0 || entry.fundsToCaller.length > 0)) list.push({ ...entry, role: 'privileged', isNew })
  }
  return list
}

type ProbeFork = { fork: ValidationFork; routes: readonly UpgradeRoute[]; implementations: ReadonlyMap<string, Address>; close(): Promise<void> }

/** The run's shared unpatched fork when there is one, else a fork of its own with the new implementations deployed. */
async function openProbeFork(context: StageContext): Promise<ProbeFork> {
  if (context.forks) {
    const lease = await context.forks.acquire(['unpatched'])
    const fork = lease.forks[0]!
    return { fork, routes: fork.routes, implementations: fork.implementations, close: () => lease.release() }
  }
  const routes = await planUpgradeRoutes(context)
  const fork = await startValidationFork(context)
  try {
    const addresses = await deployImplementationsOnFork(fork, routes)
    return { fork, routes, implementations: new Map(routes.map((route, index) => [route.target, addresses[index]!])), close: () => fork.stop() }
  } catch (error) {
    await fork.stop()
    throw error
  }
}

/** A stranger's call: reverted, or ran with these privileged changes (empty: nothing privileged). */
type Outcome = { reverted: true; reason: string; args: string } | { reverted: false; privileged: string[]; slotsWritten: number; args: string }

type TargetProbe = { version: bigint | undefined; outcomes: Map<string, Outcome> }

const erc1967Slots: Record<string, string> = {
  '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc': 'ERC-1967 implementation slot',
  '0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103': 'ERC-1967 admin slot',
  '0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50': 'ERC-1967 beacon slot',
}
/** OZ 5 ERC-7201 namespaces whose every write is privileged. */
const privilegedNamespaces: Record<string, string> = {
  '0x9016d09d72d40fdae2fd8ceac6b6234c7706214fd39c1cd1e609a0528c199300': 'owner (OwnableUpgradeable)',
  '0x237e158222e3e6968b72b9db0d8043aacf074ad9f650f0d1606b4d82ee432c00': 'pending owner (Ownable2StepUpgradeable)',
  [initializableSlotOz5]: 'initializer version (Initializable)',
}
const privilegedLabel = /owner|admin|governor|governance|guardian|authority|operator|minter|pauser|upgrader|implementation|beacon|treasury|feeRecipient|feeTo|beneficiary|signer|keeper|controller|_initialized/i

const privilegedEvents = parseAbi([
  'event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)',
  'event RoleAdminChanged(bytes32 indexed role, bytes32 indexed previousAdminRole, bytes32 indexed newAdminRole)',
  'event OwnershipTransferred(address indexed previousOwner, address indexed newOwner)',
  'event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner)',
  'event Upgraded(address indexed implementation)',
  'event AdminChanged(address previousAdmin, address newAdmin)',
  'event BeaconUpgraded(address indexed beacon)',
  'event Transfer(address indexed from, address indexed to, uint256 value)',
])

type StorageLayoutOutput = { storage: { label: string; slot: string; offset: number; type: string }[]; types: Record<string, { numberOfBytes: string }> | null }

function storageLayoutOf(build: TargetBuild): StorageLayoutOutput | undefined {
  const { sourceName, contractName } = build.implementation.artifact
  return build.implementation.buildInfo.output.contracts[sourceName]?.[contractName]?.storageLayout as StorageLayoutOutput | undefined
}

/** Where `_initialized` lives: a variable of the layout (OZ 4.x), else OZ 5's ERC-7201 slot. */
function initializedLocation(build: TargetBuild, facts: ImplementationFacts): { slot: Hex; offset: number; bytes: number } | undefined {
  const layout = storageLayoutOf(build)
  const variable = layout?.storage.find((item) => item.label === '_initialized')
  if (variable) return { slot: padHex(toHex(BigInt(variable.slot)), { size: 32 }), offset: variable.offset, bytes: Number(layout?.types?.[variable.type]?.numberOfBytes ?? '1') }
  return facts.initializable ? { slot: initializableSlotOz5, offset: 0, bytes: 8 } : undefined
}

async function readInitializedVersion(fork: ValidationFork, address: Address, location: ReturnType<typeof initializedLocation>): Promise<bigint | undefined> {
  if (!location) return undefined
  const word = hexToBigInt((await fork.client.getStorageAt({ address, slot: location.slot })) ?? '0x0')
  return (word >> BigInt(location.offset * 8)) & ((1n << BigInt(location.bytes * 8)) - 1n)
}

async function probeTarget(fork: ValidationFork, build: TargetBuild, facts: ImplementationFacts, route: UpgradeRoute, list: readonly Candidate[], stranger: Address): Promise<TargetProbe> {
  const version = await readInitializedVersion(fork, route.proxy, initializedLocation(build, facts))
  const labels = slotLabels(build)
  const outcomes = new Map<string, Outcome>()
  for (const entry of list) outcomes.set(entry.signature, await strangerCall(fork, build, entry, route.proxy, stranger, labels))
  return { version, outcomes }
}

type ImplementationProbe = { address: Address; version: bigint | undefined; accepted: { signature: string; privileged: string[] }[]; tried: Map<string, Outcome> }

async function probeImplementations(fork: ValidationFork, targets: readonly { build: TargetBuild; facts: ImplementationFacts }[], implementations: ReadonlyMap<string, Address>, stranger: Address) {
  const results = new Map<string, ImplementationProbe>()
  for (const { build, facts } of targets) {
    const address = implementations.get(build.target)!
    const initializers = [...facts.entries.values()].filter((entry) => entry.initializerModifier === 'initializer' || entry.initializerModifier === 'reinitializer')
    const labels = slotLabels(build)
    const tried = new Map<string, Outcome>()
    const accepted: ImplementationProbe['accepted'] = []
    for (const entry of initializers) {
      const outcome = await strangerCall(fork, build, { ...entry, role: 'initializer', isNew: false }, address, stranger, labels)
      tried.set(entry.signature, outcome)
      if (!outcome.reverted && outcome.privileged.length > 0) accepted.push({ signature: entry.signature, privileged: outcome.privileged })
    }
    results.set(build.target, { address, version: await readInitializedVersion(fork, address, initializedLocation(build, facts)), accepted, tried })
  }
  return results
}

/** Top-level variables of the new layout by slot (hex, 32 bytes), for naming written slots. */
function slotLabels(build: TargetBuild): Map<string, string[]> {
  const labels = new Map<string, string[]>()
  for (const item of storageLayoutOf(build)?.storage ?? []) {
    const slot = padHex(toHex(BigInt(item.slot)), { size: 32 })
    labels.set(slot, [...(labels.get(slot) ?? []), item.label])
  }
  return labels
}

type PrestateDiff = { pre: Record<string, { balance?: Hex; storage?: Record<string, Hex> }>; post: Record<string, { balance?: Hex; storage?: Record<string, Hex> }> }
type CallFrame = { logs?: { address: Address; topics: Hex[]; data: Hex }[]; calls?: CallFrame[] }

/**
 * One stranger call, traced without changing the fork: argument sets from `argumentSets` are tried
 * until one goes through with a privileged change (or all are tried). Returns the most telling outcome.
 */
async function strangerCall(fork: ValidationFork, build: TargetBuild, entry: Candidate, to: Address, stranger: Address, labels: Map<string, string[]>): Promise<Outcome> {
  const abiItem = build.implementation.artifact.abi.find((item): item is AbiFunction => item.type === 'function' && toFunctionSelector(item) === toFunctionSelector(`function ${entry.signature}`))
  if (!abiItem) return { reverted: true, reason: 'not in the ABI', args: '' }
  let best: Outcome | undefined
  for (const args of argumentSets(abiItem.inputs, stranger)) {
    const data = encodeFunctionData({ abi: [abiItem], functionName: abiItem.name, args })
    const shown = args.map(showArgument).join(', ')
    const request = { from: stranger, to, data, gas: toHex(15_000_000n) }
    const reverted = await fork.client.call({ account: stranger, to, data, gas: 15_000_000n }).then(() => undefined, (error: unknown) => reasonOf(error))
    if (reverted !== undefined) {
      best ??= { reverted: true, reason: reverted, args: shown }
      continue
    }
    const [diff, frame] = await Promise.all([
      fork.client.request({ method: 'debug_traceCall', params: [request, 'latest', { tracer: 'prestateTracer', tracerConfig: { diffMode: true } }] } as never) as Promise<PrestateDiff>,
      fork.client.request({ method: 'debug_traceCall', params: [request, 'latest', { tracer: 'callTracer', tracerConfig: { withLog: true } }] } as never) as Promise<CallFrame>,
    ])
    const outcome = classify(diff, frame, entry, to, stranger, labels, shown)
    if (outcome.privileged.length > 0) return outcome
    if (best === undefined || best.reverted) best = outcome
  }
  return best ?? { reverted: true, reason: 'no arguments could be built', args: '' }
}

function classify(diff: PrestateDiff, frame: CallFrame, entry: Candidate, target: Address, stranger: Address, labels: Map<string, string[]>, args: string): Outcome & { reverted: false } {
  const privileged = new Set<string>()
  const key = (address: string) => Object.keys(diff.post ?? {}).find((k) => k.toLowerCase() === address.toLowerCase())
  const targetKey = key(target)
  const preKey = Object.keys(diff.pre ?? {}).find((k) => k.toLowerCase() === target.toLowerCase())
  const written = Object.keys((targetKey ? diff.post[targetKey]?.storage : undefined) ?? {})
  let unnamed = 0
  for (const slot of written) {
    const normalized = padHex(slot as Hex, { size: 32 }).toLowerCase()
    const named = erc1967Slots[normalized] ?? privilegedNamespaces[normalized] ?? labels.get(normalized)?.filter((label) => privilegedLabel.test(label)).map((label) => (label === '_initialized' ? privilegedNamespaces[initializableSlotOz5]! : label)).join('/')
    if (named) privileged.add(named)
    else unnamed += 1
  }
  // An initializer sets the contract up: whatever it writes is configuration a stranger must not choose.
  if (entry.role === 'initializer' && unnamed > 0) privileged.add(`${unnamed}${unnamed < written.length ? ' more' : ''} storage slot(s) initialized`)
  if (entry.role === 'privileged' && unnamed > 0 && privileged.size === 0) privileged.add(`${unnamed} storage slot(s) written on a path that writes ${entry.privilegedWrites.join(', ')}`)
  const before = preKey ? diff.pre[preKey]?.balance : undefined
  const after = targetKey ? diff.post[targetKey]?.balance : undefined
  if (before !== undefined && after !== undefined && hexToBigInt(after) < hexToBigInt(before)) privileged.add(`${hexToBigInt(before) - hexToBigInt(after)} wei sent out of ${target}`)
  for (const log of logsOf(frame)) {
    let event: ReturnType<typeof decodeEventLog<typeof privilegedEvents>>
    try {
      event = decodeEventLog({ abi: privilegedEvents, topics: log.topics as [Hex, ...Hex[]], data: log.data })
    } catch {
      continue
    }
    switch (event.eventName) {
      case 'Transfer': {
        const { from, to, value } = event.args
        if (value === 0n) break
        if (from.toLowerCase() === target.toLowerCase()) privileged.add(`${value} of token ${getAddress(log.address)} sent out of ${target}`)
        else if (from === zeroAddress) privileged.add(`${value} of token ${getAddress(log.address)} minted to ${getAddress(to)}`)
        else if (to.toLowerCase() === stranger.toLowerCase()) privileged.add(`${value} of token ${getAddress(log.address)} sent to the stranger`)
        break
      }
      case 'RoleGranted':
        privileged.add(`role ${event.args.role} granted to ${getAddress(event.args.account)}`)
        break
      case 'OwnershipTransferred':
        privileged.add(`ownership transferred to ${getAddress(event.args.newOwner)}`)
        break
      default:
        privileged.add(event.eventName)
    }
  }
  return { reverted: false, privileged: [...privileged], slotsWritten: written.length, args }
}

function logsOf(frame: CallFrame): NonNullable<CallFrame['logs']> {
  return [...(frame.logs ?? []), ...(frame.calls ?? []).flatMap(logsOf)]
}

/**
 * What a stranger would pass: its own address wherever an address goes (new owner, recipient,
 * guardian), zero bytes32 (DEFAULT_ADMIN_ROLE), `true`, and first a large then a small amount.
 */
function argumentSets(inputs: readonly AbiParameter[], stranger: Address): unknown[][] {
  return [10n ** 18n, 1n].map((amount) => inputs.map((input) => argumentFor(input, stranger, amount)))
}

function argumentFor(input: AbiParameter, stranger: Address, amount: bigint): unknown {
  const array = /^(.*)\[(\d*)\]$/.exec(input.type)
  if (array) {
    const element = { ...input, type: array[1]! } as AbiParameter
    return Array.from({ length: array[2] ? Number(array[2]) : 1 }, () => argumentFor(element, stranger, amount))
  }
  if (input.type === 'tuple') return Object.fromEntries(((input as { components?: readonly AbiParameter[] }).components ?? []).map((c, i) => [c.name || String(i), argumentFor(c, stranger, amount)]))
  if (input.type === 'address') return stranger
  if (input.type === 'bool') return true
  if (input.type === 'string') return 'bulwark'
  if (input.type === 'bytes') return '0x'
  if (/^bytes\d+$/.test(input.type)) return padHex('0x', { size: Number(input.type.slice(5)) })
  const integer = /^(u?)int(\d*)$/.exec(input.type)
  if (integer) {
    const bits = BigInt(integer[2] || '256') - (integer[1] ? 0n : 1n)
    const max = bits >= 256n ? maxUint256 : (1n << bits) - 1n
    return amount > max ? 1n : amount
  }
  return undefined
}

function showArgument(value: unknown): string {
  if (typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return `[${value.map(showArgument).join(', ')}]`
  if (typeof value === 'object' && value !== null) return `(${Object.values(value).map(showArgument).join(', ')})`
  return String(value)
}

function outcomeLabel(outcome: Outcome | undefined): string {
  if (!outcome) return 'not called'
  if (outcome.reverted) return `reverted: ${outcome.reason}`
  return outcome.privileged.length > 0 ? `CHANGED ${outcome.privileged.join('; ')}` : `ran, nothing privileged changed (${outcome.slotsWritten} slot(s) written)`
}

/** Whether the manifest's initializer names this entry point (by name or full signature). */
function calledByRelease(build: TargetBuild, context: StageContext, entry: EntryPoint): boolean {
  const target = context.manifest.targets.find((t) => t.proxy.toLowerCase() === build.proxy.toLowerCase())
  const named = target?.initializer?.function
  if (named === undefined || build.initializerCalldata === '0x') return false
  return named.includes('(') ? named.replace(/\s+/g, '') === entry.signature : named === entry.name
}

/** The OZ modifier would let a caller in at this `_initialized` version (undefined: cannot tell). */
function gateOpen(entry: EntryPoint, version: bigint | undefined): boolean | undefined {
  if (entry.initializerModifier === undefined || entry.version === undefined || version === undefined) return undefined
  return entry.initializerModifier === 'initializer' ? version === 0n : version < entry.version
}

function describeEntry(entry: EntryPoint): string {
  const modifier = entry.initializerModifier === 'reinitializer' ? `reinitializer(${entry.version ?? '?'})` : entry.initializerModifier ?? 'no initializer modifier'
  const guards = entry.guards.length > 0 ? `guarded by ${entry.guards.join(', ')}` : 'no access check on any path'
  const writes = entry.privilegedWrites.length > 0 ? `; writes ${entry.privilegedWrites.join(', ')}` : ''
  return `${modifier}, ${guards}${writes}`
}

function judgeTarget(
  context: StageContext,
  build: TargetBuild,
  facts: ImplementationFacts,
  route: UpgradeRoute,
  list: readonly Candidate[],
  atomic: TargetProbe,
  notAtomic: TargetProbe | undefined,
  stranger: Address,
): Finding[] {
  const findings: Finding[] = []
  for (const entry of list) {
    const location = { ...(entry.file ? { file: entry.file } : {}), ...(entry.line ? { line: entry.line } : {}), contract: entry.contract, function: entry.name }
    const now = atomic.outcomes.get(entry.signature)!
    const early = notAtomic?.outcomes.get(entry.signature)
    const changedNow = !now.reverted && now.privileged.length > 0
    const details: JsonObject = {
      signature: entry.signature,
      stranger,
      modifier: entry.initializerModifier ?? null,
      version: entry.version?.toString() ?? null,
      initializedVersionAfterUpgrade: atomic.version?.toString() ?? null,
      guards: entry.guards,
      privilegedWrites: entry.privilegedWrites,
      afterRelease: outcomeLabel(now),
      withoutInitializerCall: notAtomic ? outcomeLabel(early) : 'not run',
    }
    const add = (kind: Finding['kind'], message: string) => findings.push(createFinding('initializer-safety', kind, { target: build.target, message: `${build.target}: ${message}`, location, details }))
    if (entry.role === 'initializer') {
      const atomicCall = calledByRelease(build, context, entry) && route.kind !== 'beacon-proxy'
      const open = gateOpen(entry, atomic.version)
      const unguarded = entry.guards.length === 0
      if (changedNow) {
        add('initializer-unprotected', `${entry.signature} (${describeEntry(entry)}) is callable by anyone after the upgrade: stranger ${stranger} called it with (${now.args}) and changed ${now.privileged.join('; ')}${calledByRelease(build, context, entry) && route.kind === 'beacon-proxy' ? ' — a beacon upgrade cannot carry the manifest\'s initializer call' : atomicCall ? '' : ' — the release does not call it'}`)
      } else if (open === true && unguarded && !atomicCall) {
        add('initializer-unprotected', `${entry.signature} (${describeEntry(entry)}) stays open after the upgrade (initialized version ${atomic.version}) and the release does not call it; the stranger's call ${now.reverted ? `reverted (${now.reason}) with (${now.args})` : 'changed nothing privileged'}, but whoever finds valid arguments first initializes it`)
      } else if (atomicCall && early && !early.reverted && early.privileged.length > 0) {
        add('initializer-front-runnable', `${entry.signature} is called atomically by the release; upgraded without that call, stranger ${stranger} could call it first and change ${early.privileged.join('; ')}`)
      }
    } else if (changedNow) {
      add('privileged-function-unprotected', `${entry.signature} is new and ${entry.guards.length > 0 ? `guarded by ${entry.guards.join(', ')}, yet` : 'has no access check;'} stranger ${stranger} called it with (${now.args}) and changed ${now.privileged.join('; ')}`)
    } else if (entry.guards.length === 0 && entry.privilegedWrites.length > 0) {
      add('privileged-write-unconfirmed', `${entry.signature} is new, has no access check and writes ${entry.privilegedWrites.join(', ')}; the stranger's call ${now.reverted ? `reverted (${now.reason})` : 'changed nothing privileged'} with (${now.args})`)
    }
  }
  return findings
}

function judgeImplementation(build: TargetBuild, facts: ImplementationFacts, probe: ImplementationProbe, stranger: Address): Finding[] {
  const initializers = [...facts.entries.values()].filter((entry) => entry.initializerModifier === 'initializer' || entry.initializerModifier === 'reinitializer')
  const open = initializers.filter((entry) => gateOpen(entry, probe.version) === true && entry.guards.length === 0)
  if (probe.accepted.length === 0 && open.length === 0) return []
  const why = facts.constructorDisablesInitializers ? 'its constructor calls _disableInitializers() yet the initializer is open' : 'its constructor does not call _disableInitializers()'
  const accepted = probe.accepted.map((a) => `${a.signature} (${a.privileged.join('; ')})`)
  const message =
    accepted.length > 0
      ? `the new implementation ${build.implementation.contract} at ${probe.address} can itself be initialized by anyone: ${why}; stranger ${stranger} called ${accepted.join(', ')}`
      : `the new implementation ${build.implementation.contract} at ${probe.address} can itself be initialized by anyone: ${why}; ${open.map((e) => e.signature).join(', ')} is open at initialized version ${probe.version} (the stranger's call reverted with the arguments tried: ${open.map((e) => { const o = probe.tried.get(e.signature); return o?.reverted ? o.reason : 'no change' }).join('; ')})`
  const first = open[0] ?? initializers.find((entry) => probe.accepted.some((a) => a.signature === entry.signature))
  return [
    createFinding('initializer-safety', 'implementation-initializable', {
      target: build.target,
      message: `${build.target}: ${message}`,
      location: { file: build.implementation.artifact.sourceName, contract: build.implementation.artifact.contractName, ...(first ? { function: first.name } : {}) },
      details: {
        implementation: probe.address,
        initializedVersion: probe.version?.toString() ?? null,
        constructorDisablesInitializers: facts.constructorDisablesInitializers,
        acceptedFromStranger: probe.accepted.map((a) => a.signature),
        stranger,
      },
    }),
  ]
}
