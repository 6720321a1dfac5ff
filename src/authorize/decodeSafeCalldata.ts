import { decodeFunctionData, getAddress, hexToNumber, isAddressEqual, parseAbi, size, slice, toFunctionSignature, type Abi, type AbiFunction, type Address, type Hex } from 'viem'
import { facetCutActions } from '../chain/diamondAbi.js'
import type { SafeOperation } from '../chain/execSafeTransaction.js'
import { multiSendAbi } from '../chain/multiSendAbi.js'
import { privateTimelockAbi } from '../chain/privateTimelockAbi.js'
import { releaseGateAbi } from '../chain/releaseGateAbi.js'
import { safeAbi } from '../chain/safeAbi.js'
import { timelockControllerAbi } from '../chain/timelockControllerAbi.js'
import { diamondCutHash } from '../release/buildDiamondCutPlan.js'

/**
 * What Bulwark recognises inside a Safe transaction's calldata, from each contract's generated ABI
 * (src/chain/*Abi.ts). Everything a release can contain is decoded down to each upgrade (proxy → implementation, with the codehash the gate will demand);
 * anything else is shown as undecoded, and any DELEGATECALL that is not the Safe's own MultiSend is
 * shouted: that is how Bybit's Safe had its master copy replaced (Feb 2025).
 */
const functionsOf = (abi: Abi, names: readonly string[]) => abi.filter((item): item is AbiFunction => item.type === 'function' && names.includes(item.name))
const safeAdminNames = ['addOwnerWithThreshold', 'removeOwner', 'swapOwner', 'changeThreshold', 'enableModule', 'disableModule', 'setGuard', 'setFallbackHandler'] as const

const knownAbi: Abi = [
  ...functionsOf(multiSendAbi, ['multiSend']),
  ...functionsOf(timelockControllerAbi, ['scheduleBatch', 'executeBatch', 'schedule', 'execute']),
  // PrivateTimelock: schedule publishes a commitment only; execute reveals the calls.
  ...functionsOf(privateTimelockAbi, ['schedule', 'execute']),
  ...functionsOf(releaseGateAbi, ['approvePatch', 'release', 'releaseDiamondCut']),
  // Upgrade entry points of OpenZeppelin proxies across versions (UUPS 4 and 5, ProxyAdmin 5).
  ...parseAbi(['function upgradeToAndCall(address newImplementation, bytes data) payable', 'function upgradeTo(address newImplementation)', 'function upgradeAndCall(address proxy, address implementation, bytes data) payable']),
  // Safe self-administration: changes who may sign, or what code runs with the Safe's authority.
  ...functionsOf(safeAbi, safeAdminNames),
]

const safeAdminFunctions = new Set<string>(safeAdminNames)
const gateUpgradeKinds = ['uups', 'transparent', 'beacon'] as const

export type DecodedCallKind =
  | 'transfer'
  | 'multisend'
  | 'timelock-schedule'
  | 'timelock-execute'
  | 'private-schedule'
  | 'private-execute'
  | 'gate-approve'
  | 'gate-release'
  | 'gate-diamond-cut'
  | 'upgrade'
  | 'safe-admin'
  | 'unknown'

export type DecodedCall = {
  /** Where in the tree: `tx`, `tx.calls[1]`, `tx.calls[1].calls[0]`. */
  path: string
  to: Address
  value: string
  operation: SafeOperation
  kind: DecodedCallKind
  /** The function's signature, or null for a plain transfer or an unknown selector. */
  function: string | null
  /** Decoded arguments, JSON-safe (bigints as decimal strings). */
  args: Record<string, unknown>
  calls: DecodedCall[]
}

export type DecodedUpgrade = {
  path: string
  via: 'release-gate' | 'upgradeToAndCall' | 'upgradeTo' | 'proxy-admin'
  proxy: Address
  implementation: Address
  upgradeKind: 'uups' | 'transparent' | 'beacon' | null
  /** The runtime codehash the gate will demand (from the matching approvePatch in the same transaction), else null. */
  approvedCodehash: Hex | null
  patchId: Hex | null
  /** Initializer calldata run through the proxy, `0x` for none. */
  data: Hex
}

/** A diamond cut the gate performs (`releaseDiamondCut`): the selector map a signer approves. */
export type DecodedDiamondCut = {
  path: string
  patchId: Hex
  diamond: Address
  /** The `FacetCut[]` as given: per facet, what happens to which selectors (remove: facet is the zero address). */
  cuts: { facet: Address; action: (typeof facetCutActions)[number] | `unknown(${number})`; selectors: Hex[] }[]
  init: Address
  initCalldata: Hex
  /** `ReleaseGate.diamondCutHash` of this cut, as the gate computes it. */
  cutHash: Hex
  /** The cut hash the auditors attested (the last codehash of the matching approvePatch in this transaction), else null. */
  approvedCutHash: Hex | null
  /** The other codehashes the same approvePatch approves: the facets' and the init's code. */
  approvedCodehashes: Hex[]
}

export type SignerAlert = {
  severity: 'critical' | 'warning'
  kind: 'delegatecall' | 'safe-admin' | 'undecoded' | 'private-commitment' | 'codehash' | 'diamond-cut'
  path: string
  message: string
}

export type DecodedSafeTransaction = {
  root: DecodedCall
  upgrades: DecodedUpgrade[]
  diamondCuts: DecodedDiamondCut[]
  /** Each approvePatch in the transaction: the report hash it writes on chain. */
  approvals: { path: string; patchId: Hex; reportHash: Hex; codehashes: Hex[] }[]
  alerts: SignerAlert[]
}

export type DecodeSafeCalldataParameters = {
  safe: Address
  to: Address
  value: bigint
  data: Hex
  operation: SafeOperation
  /** MultiSend / MultiSendCallOnly deployments the Safe may DELEGATECALL (e.g. the demo's, or the canonical 1.4.1 ones). */
  multiSend: readonly Address[]
}

/** Decodes a Safe transaction's calldata, all the way down, and lists what a signer must know. */
export function decodeSafeCalldata({ safe, to, value, data, operation, multiSend }: DecodeSafeCalldataParameters): DecodedSafeTransaction {
  const upgrades: DecodedUpgrade[] = []
  const diamondCuts: DecodedDiamondCut[] = []
  const approvals: DecodedSafeTransaction['approvals'] = []
  const alerts: SignerAlert[] = []
  const isMultiSend = (address: Address) => multiSend.some((known) => isAddressEqual(known, address))

  const visit = (path: string, call: { to: Address; value: bigint; data: Hex; operation: SafeOperation }, depth: number): DecodedCall => {
    const node: DecodedCall = { path, to: getAddress(call.to), value: call.value.toString(), operation: call.operation, kind: 'unknown', function: null, args: {}, calls: [] }
    if (call.operation === 1 && !(depth === 0 && isMultiSend(call.to))) {
      alerts.push({
        severity: 'critical',
        kind: 'delegatecall',
        path,
        message: `DELEGATECALL TO ${node.to}${depth === 0 ? ', WHICH IS NOT A KNOWN MULTISEND' : ' INSIDE A BATCH'}: IT RUNS THAT CODE WITH THE SAFE'S OWN STORAGE AND AUTHORITY AND CAN REPLACE ITS MASTER COPY (BYBIT, FEB 2025). DO NOT SIGN UNLESS YOU KNOW EXACTLY WHY.`,
      })
    }
    if (call.data === '0x' || size(call.data) === 0) {
      node.kind = 'transfer'
      return node
    }
    let decoded: { functionName: string; args: readonly unknown[] | undefined }
    try {
      decoded = decodeFunctionData({ abi: knownAbi, data: call.data }) as never
    } catch {
      alerts.push({ severity: 'warning', kind: 'undecoded', path, message: `calldata to ${node.to} (selector ${slice(call.data, 0, Math.min(4, size(call.data)))}) is not a call Bulwark recognises: check it by other means.` })
      return node
    }
    const fn = (knownAbi as readonly AbiFunction[]).find((item) => item.type === 'function' && item.name === decoded.functionName && item.inputs.length === (decoded.args?.length ?? 0))!
    node.function = toFunctionSignature(fn)
    const args = decoded.args ?? []
    fn.inputs.forEach((input, index) => void (node.args[input.name ?? String(index)] = jsonSafe(args[index])))
    const child = (index: number, target: Address, childValue: bigint, childData: Hex, childOperation: SafeOperation = 0) =>
      node.calls.push(visit(`${path}.calls[${index}]`, { to: target, value: childValue, data: childData, operation: childOperation }, depth + 1))

    switch (decoded.functionName) {
      case 'multiSend': {
        node.kind = 'multisend'
        let entries: ReturnType<typeof unpackMultiSend>
        try {
          entries = unpackMultiSend(args[0] as Hex)
        } catch (error) {
          alerts.push({ severity: 'critical', kind: 'undecoded', path, message: `malformed MultiSend batch (${(error as Error).message}): do not sign.` })
          break
        }
        entries.forEach((entry, index) => child(index, entry.to, entry.value, entry.data, entry.operation))
        break
      }
      case 'scheduleBatch':
      case 'executeBatch':
      case 'schedule':
      case 'execute': {
        if (decoded.functionName === 'schedule' && args.length === 2) {
          node.kind = 'private-schedule'
          alerts.push({ severity: 'warning', kind: 'private-commitment', path, message: `schedules commitment ${String(args[0])} on a private timelock: the calls are hidden until execute; compare the commitment with hashPrivateOperation of the release plan.` })
          break
        }
        const batch = Array.isArray(args[0])
        node.kind = decoded.functionName.startsWith('schedule') ? 'timelock-schedule' : decoded.functionName === 'execute' && batch && args.length === 4 ? 'private-execute' : 'timelock-execute'
        const targets = (batch ? args[0] : [args[0]]) as Address[]
        const values = (batch ? args[1] : [args[1]]) as bigint[]
        const payloads = (batch ? args[2] : [args[2]]) as Hex[]
        targets.forEach((target, index) => child(index, target, values[index] ?? 0n, payloads[index] ?? '0x'))
        break
      }
      case 'approvePatch': {
        node.kind = 'gate-approve'
        approvals.push({ path, patchId: args[0] as Hex, reportHash: args[1] as Hex, codehashes: [...(args[2] as Hex[])] })
        break
      }
      case 'release': {
        node.kind = 'gate-release'
        const entries = args[1] as readonly { kind: number; proxy: Address; admin: Address; implementation: Address; data: Hex }[]
        entries.forEach((entry, index) =>
          upgrades.push({
            path: `${path}.upgrades[${index}]`,
            via: 'release-gate',
            proxy: getAddress(entry.proxy),
            implementation: getAddress(entry.implementation),
            upgradeKind: gateUpgradeKinds[entry.kind] ?? null,
            approvedCodehash: null,
            patchId: args[0] as Hex,
            data: entry.data,
          }),
        )
        break
      }
      case 'releaseDiamondCut': {
        node.kind = 'gate-diamond-cut'
        const cuts = (args[2] as readonly { facetAddress: Address; action: number; functionSelectors: readonly Hex[] }[]).map((cut) => ({ facetAddress: getAddress(cut.facetAddress), action: cut.action, functionSelectors: [...cut.functionSelectors] }))
        const diamond = getAddress(args[1] as Address)
        const init = getAddress(args[3] as Address)
        diamondCuts.push({
          path,
          patchId: args[0] as Hex,
          diamond,
          cuts: cuts.map((cut) => ({ facet: cut.facetAddress, action: facetCutActions[cut.action] ?? `unknown(${cut.action})`, selectors: cut.functionSelectors })),
          init,
          initCalldata: args[4] as Hex,
          cutHash: diamondCutHash({ diamond, cuts, init, initCalldata: args[4] as Hex }),
          approvedCutHash: null,
          approvedCodehashes: [],
        })
        break
      }
      case 'upgradeToAndCall':
      case 'upgradeTo':
      case 'upgradeAndCall': {
        node.kind = 'upgrade'
        const proxyAdmin = decoded.functionName === 'upgradeAndCall'
        upgrades.push({
          path,
          via: proxyAdmin ? 'proxy-admin' : (decoded.functionName as 'upgradeToAndCall' | 'upgradeTo'),
          proxy: proxyAdmin ? getAddress(args[0] as Address) : node.to,
          implementation: getAddress((proxyAdmin ? args[1] : args[0]) as Address),
          upgradeKind: proxyAdmin ? 'transparent' : null,
          approvedCodehash: null,
          patchId: null,
          data: ((proxyAdmin ? args[2] : args[1]) as Hex | undefined) ?? '0x',
        })
        break
      }
      default: {
        if (safeAdminFunctions.has(decoded.functionName)) {
          node.kind = 'safe-admin'
          if (isAddressEqual(node.to, safe)) {
            alerts.push({ severity: 'critical', kind: 'safe-admin', path, message: `${node.function} on the Safe itself: this changes who can sign or what runs with the Safe's authority.` })
          }
        }
      }
    }
    return node
  }

  const root = visit('tx', { to, value, data, operation }, 0)
  for (const upgrade of upgrades) {
    if (upgrade.patchId === null) continue
    const approval = approvals.find((candidate) => candidate.patchId === upgrade.patchId)
    const index = upgrades.filter((other) => other.patchId === upgrade.patchId).indexOf(upgrade)
    upgrade.approvedCodehash = approval?.codehashes[index] ?? null
  }
  for (const cut of diamondCuts) {
    const approval = approvals.find((candidate) => candidate.patchId === cut.patchId)
    if (!approval) continue
    cut.approvedCutHash = approval.codehashes.at(-1) ?? null
    cut.approvedCodehashes = approval.codehashes.slice(0, -1)
    if (cut.approvedCutHash !== cut.cutHash) {
      alerts.push({ severity: 'critical', kind: 'diamond-cut', path: cut.path, message: `the diamond cut hashes to ${cut.cutHash}, not the cut hash ${cut.approvedCutHash ?? '(none)'} approved in this transaction: the selector map is not the attested one and the gate will revert.` })
    }
  }
  return { root, upgrades, diamondCuts, approvals, alerts }
}

/** MultiSend's packed encoding: operation (1) ‖ to (20) ‖ value (32) ‖ data length (32) ‖ data, repeated. */
export function unpackMultiSend(packed: Hex): { operation: SafeOperation; to: Address; value: bigint; data: Hex }[] {
  const entries: { operation: SafeOperation; to: Address; value: bigint; data: Hex }[] = []
  const total = size(packed)
  let offset = 0
  while (offset < total) {
    if (offset + 85 > total) throw new Error(`truncated MultiSend entry at byte ${offset}`)
    const operation = hexToNumber(slice(packed, offset, offset + 1))
    const to = getAddress(slice(packed, offset + 1, offset + 21))
    const value = BigInt(slice(packed, offset + 21, offset + 53))
    const length = Number(BigInt(slice(packed, offset + 53, offset + 85)))
    if (offset + 85 + length > total) throw new Error(`truncated MultiSend data at byte ${offset + 85}`)
    const data = length === 0 ? '0x' : slice(packed, offset + 85, offset + 85 + length)
    entries.push({ operation: operation === 1 ? 1 : 0, to, value, data })
    if (operation !== 0 && operation !== 1) throw new Error(`MultiSend entry at byte ${offset} has operation ${operation}`)
    offset += 85 + length
  }
  return entries
}

function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return value.map(jsonSafe)
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, jsonSafe(inner)]))
  return value
}
