import {
  concatRunData,
  getContractVersion,
  getErrors,
  getStorageLayout,
  getStorageUpgradeReport,
  withValidationDefaults,
  type StorageLayout,
} from '@openzeppelin/upgrades-core'
import { encodeAbiParameters, getAddress, hexToBigInt, keccak256, parseAbi, stringToHex, toFunctionSelector, toHex, type Hex } from 'viem'
import { getProxyInfo, type ProxyInfo } from '../../chain/getProxyInfo.js'
import { probeContractRead } from '../../chain/probeContractRead.js'
import type { BuildInfo } from '../../compile/buildInfo.js'
import { BaseError } from '../../errors/BaseError.js'
import { createFinding } from '../findings.js'
import type { BuiltContract, Finding, FindingLocation, JsonObject, StageContext, StageOutput, TargetBuild } from '../stage.js'
import { validateBuildInfo } from '../validateBuildInfo.js'

/** EIP-170: the largest runtime code a contract may have on Ethereum mainnet. */
export const maxRuntimeSize = 24_576

/** Functions a TransparentUpgradeableProxy answers itself when its admin calls (OZ 5: upgradeToAndCall only). */
const transparentAdminInterface = {
  v5: ['upgradeToAndCall(address,bytes)'],
  v4: ['upgradeToAndCall(address,bytes)', 'upgradeTo(address)', 'changeAdmin(address)', 'admin()', 'implementation()'],
} as const

/**
 * Upgrade safety against the chain, per target: reads the proxy and its current implementation
 * from the ERC-1967 slots at the pinned block, checks the reference build is what runs there,
 * then runs upgrades-core (unsafe opcodes, constructors, initializers, storage layout including
 * ERC-7201 namespaces), the UUPS upgrade path, transparent admin selector clashes and EIP-170.
 */
export async function runUpgradeSafety(context: StageContext): Promise<StageOutput> {
  const perTarget = await Promise.all(context.builds.map((build) => checkTarget(context, build)))
  const findings = perTarget.flat()
  return { findings, summary: `${context.builds.length} target(s) checked against block ${context.blockNumber}` }
}

async function checkTarget(context: StageContext, build: TargetBuild): Promise<Finding[]> {
  const findings: Finding[] = []
  const add = (kind: Finding['kind'], message: string, extra: { location?: FindingLocation | undefined; details?: Finding['details'] | undefined } = {}) =>
    findings.push(
      createFinding('upgrade-safety', kind, {
        target: build.target,
        message: `${build.target}: ${message}`,
        ...(extra.location ? { location: extra.location } : {}),
        ...(extra.details ? { details: extra.details } : {}),
      }),
    )
  const newContract = build.implementation

  const size = (newContract.artifact.deployedBytecode.length - 2) / 2
  if (size > maxRuntimeSize) {
    add('runtime-size-exceeded', `${newContract.contract} runtime code is ${size} bytes (limit ${maxRuntimeSize})`, {
      location: locationOf(newContract),
      details: { bytes: size, limit: maxRuntimeSize },
    })
  }

  context.progress(`${build.target}: reading proxy ${build.proxy}`)
  let proxy: ProxyInfo | undefined
  try {
    proxy = await getProxyInfo(context.client, { address: build.proxy, blockNumber: context.blockNumber })
  } catch (error) {
    if (error instanceof BaseError && error.code === 'BW_IMPLEMENTATION_NO_CODE') {
      add('proxy-not-found', error.shortMessage)
      return findings
    }
    throw error
  }
  if (!proxy) {
    add('proxy-not-found', `${build.proxy} is not an ERC-1967 proxy at block ${context.blockNumber}`)
    return findings
  }
  const kind = proxy.kind
  if (build.declaredKind !== undefined && build.declaredKind !== kind) {
    add('proxy-kind-mismatch', `the manifest says ${build.declaredKind}, the chain shows ${kind}`, { details: { declared: build.declaredKind, onChain: kind } })
  }

  // upgrades-core: opcodes, constructors, initializers, and (for UUPS) the public upgrade function.
  const upgradesKind = kind === 'beacon-proxy' ? 'beacon' : kind === 'uups' || build.declaredKind === 'uups' ? 'uups' : 'transparent'
  const newRun = validateBuildInfo(newContract.buildInfo)
  const newVersion = getContractVersion(newRun, newContract.contract)
  const newData = concatRunData(newRun)
  for (const error of getErrors(newData, newVersion, { kind: upgradesKind })) {
    const finding = fromValidationError(error, newContract.contract)
    add(finding.kind, finding.message, { location: finding.location })
  }

  if (upgradesKind === 'uups') {
    const selectors = new Set(newContract.artifact.abi.filter((item) => item.type === 'function').map((item) => toFunctionSelector(item)))
    const missing = ['upgradeToAndCall(address,bytes)', 'proxiableUUID()'].filter((signature) => !selectors.has(toFunctionSelector(signature)))
    if (missing.length > 0 && !findings.some((f) => f.kind === 'uups-upgrade-path-lost')) {
      add('uups-upgrade-path-lost', `${newContract.contract} lacks ${missing.join(' and ')}: the proxy could never be upgraded again`, {
        location: locationOf(newContract),
        details: { missing },
      })
    }
  }
  if (kind === 'transparent' && proxy.admin) {
    const interfaceVersion = await probeContractRead(context.client, () =>
      context.client.readContract({
        address: proxy.admin!,
        abi: parseAbi(['function UPGRADE_INTERFACE_VERSION() view returns (string)']),
        functionName: 'UPGRADE_INTERFACE_VERSION',
        blockNumber: context.blockNumber,
      }),
    )
    const adminSignatures = interfaceVersion === '5.0.0' ? transparentAdminInterface.v5 : transparentAdminInterface.v4
    const adminSelectors = new Map<string, string>(adminSignatures.map((signature) => [toFunctionSelector(signature), signature]))
    for (const item of newContract.artifact.abi) {
      if (item.type !== 'function') continue
      const clash = adminSelectors.get(toFunctionSelector(item))
      if (clash) {
        add('transparent-selector-clash', `${item.name} has selector ${toFunctionSelector(item)}, which the proxy answers itself for its admin (${clash})`, {
          location: { ...locationOf(newContract), function: item.name },
        })
      }
    }
  }

  // The reference build must be what runs on chain, or every comparison below is against the wrong code.
  const reference = build.reference
  if (!reference) {
    add('reference-missing', `no reference build for the implementation at ${proxy.implementation} (add "reference" to the target, or @custom:oz-upgrades-from to ${newContract.contract})`)
    return findings
  }
  const onChain = await context.client.getCode({ address: proxy.implementation, blockNumber: context.blockNumber })
  const match = compareRuntimeCode(reference, onChain ?? '0x')
  if (match !== 'exact') {
    add(
      match === 'metadata' ? 'reference-metadata-mismatch' : 'reference-mismatch',
      match === 'metadata'
        ? `${reference.contract} matches the code at ${proxy.implementation} except for its metadata hash`
        : `${reference.contract} (${reference.origin === 'annotation' ? 'from @custom:oz-upgrades-from' : 'manifest reference'}) is not the code at ${proxy.implementation}`,
      {
        location: locationOf(reference),
        details: { implementation: getAddress(proxy.implementation), onChainBytes: ((onChain ?? '0x').length - 2) / 2, referenceBytes: (reference.artifact.deployedBytecode.length - 2) / 2 },
      },
    )
  }

  context.progress(`${build.target}: comparing storage layout with ${reference.contract}`)
  const referenceRun = validateBuildInfo(reference.buildInfo)
  const original = getStorageLayout(concatRunData(referenceRun), getContractVersion(referenceRun, reference.contract))
  const updated = getStorageLayout(newData, newVersion)
  for (const finding of storageFindings(original, updated, newContract.buildInfo)) add(finding.kind, finding.message, finding)
  return findings
}

type ValidationError = ReturnType<typeof getErrors>[number]

type PartialFinding = { kind: Finding['kind']; message: string; location?: FindingLocation; details?: Finding['details'] }

function fromValidationError(error: ValidationError, contract: string): PartialFinding {
  const location = parseSrc(error.src)
  switch (error.kind) {
    case 'delegatecall':
      return { kind: 'unsafe-delegatecall', message: `${contract} reaches a delegatecall at ${error.src}`, location }
    case 'selfdestruct':
      return { kind: 'unsafe-selfdestruct', message: `${contract} reaches selfdestruct at ${error.src}`, location }
    case 'constructor':
      return { kind: 'unsafe-constructor', message: `${error.contract} has a constructor (${error.src})`, location: { ...location, contract: error.contract } }
    case 'state-variable-assignment':
      return { kind: 'unsafe-state-variable-assignment', message: `${error.name} is assigned at its declaration (${error.src})`, location: { ...location, variable: error.name } }
    case 'state-variable-immutable':
      return { kind: 'unsafe-immutable-variable', message: `${error.name} is immutable (${error.src})`, location: { ...location, variable: error.name } }
    case 'external-library-linking':
      return { kind: 'unsafe-external-library-linking', message: `library ${error.name} is linked externally (${error.src})`, location }
    case 'internal-function-storage':
      return { kind: 'unsafe-internal-function-storage', message: `${error.name} stores an internal function pointer (${error.src})`, location: { ...location, variable: error.name } }
    case 'struct-definition':
    case 'enum-definition':
      return { kind: 'unsafe-struct-or-enum', message: `${error.name}: ${error.kind} could not be checked (${error.src})`, location }
    case 'missing-public-upgradeto':
      return { kind: 'uups-upgrade-path-lost', message: `${contract} has no public upgradeToAndCall (${error.src}): the proxy could never be upgraded again`, location }
    case 'missing-initializer':
      return { kind: 'initializer-missing', message: `${contract} has no initializer but its parents need one (${error.src})`, location }
    case 'missing-initializer-call':
      return { kind: 'initializer-call-missing', message: `the initializer at ${error.src} does not call ${error.parentContracts.join(', ')}`, location }
    case 'duplicate-initializer-call':
      return { kind: 'initializer-call-duplicate', message: `the initializer at ${error.src} calls ${error.parentContract}.${error.parentInitializer} twice`, location }
    case 'incorrect-initializer-order':
      return {
        kind: 'initializer-call-order',
        message: `the initializer at ${error.src} calls parents in the order ${error.foundOrder.join(', ')}; expected ${error.expectedLinearization.join(', ')}`,
        location,
      }
    default:
      return assertUnreachable(error)
  }
}

function assertUnreachable(value: never): never {
  throw new Error(`unhandled upgrades-core error kind: ${JSON.stringify(value)}`)
}

type StorageOp = ReturnType<typeof getStorageUpgradeReport>['ops'][number]
type TypeChange = Extract<StorageOp, { kind: 'typechange' }>['change']
type DetailedType = TypeChange['original']
type Field = { label: string; src?: string; contract?: string; slot?: string; offset?: number; type: DetailedType }
type MemberOp = Extract<TypeChange, { kind: 'struct members' }>['ops'][number]

/**
 * upgrades-core's storage operations (only the unsafe ones) as findings. Every message names the
 * variable, where it lives (slot and offset, or its ERC-7201 namespace and slot within it), and
 * for a change inside a mapping, array or struct, the member that changed with its own slot and
 * offset in the struct and its old and new type — never a type printed twice.
 */
export function storageFindings(original: StorageLayout, updated: StorageLayout, _buildInfo?: BuildInfo): PartialFinding[] {
  const report = getStorageUpgradeReport(original, updated, withValidationDefaults({}))
  const namespaceOf = (field: Field, layout: StorageLayout) =>
    Object.entries(layout.namespaces ?? {}).find(([, items]) => items.some((item) => item.label === field.label && item.contract === field.contract && item.src === field.src))?.[0]
  const where = (field: Field, layout: StorageLayout) => {
    const namespace = namespaceOf(field, layout)
    if (!namespace) return `slot ${field.slot ?? '?'}, offset ${field.offset ?? '?'}`
    const base = namespaceBaseSlot(namespace)
    return `namespace ${namespace}${base ? ` at ${base}` : ''}${field.slot === undefined ? '' : `, slot +${field.slot}, offset ${field.offset ?? '?'}`}`
  }
  const position = (field: Field, layout: StorageLayout): JsonObject => {
    const namespace = namespaceOf(field, layout)
    const base = namespace ? namespaceBaseSlot(namespace) : undefined
    return { slot: field.slot ?? null, offset: field.offset ?? null, ...(namespace ? { namespace, namespaceSlot: base ?? null } : {}) }
  }
  return report.ops.map((op: StorageOp): PartialFinding => {
    const describe = (field: Field, layout: StorageLayout) => `${field.label} (${field.type.item.label}, ${where(field, layout)})`
    const at = (field: Field) => (field.src ? parseSrc(field.src) : {})
    switch (op.kind) {
      case 'insert':
        return {
          kind: 'storage-variable-inserted',
          message: `${describe(op.updated as Field, updated)} inserted before existing storage`,
          location: { ...at(op.updated as Field), variable: op.updated.label },
          details: { variable: op.updated.label, type: op.updated.type.item.label, ...position(op.updated as Field, updated) },
        }
      case 'append':
        return {
          kind: 'storage-layout-changed',
          message: `${describe(op.updated as Field, updated)} appended where it overlaps existing storage`,
          location: at(op.updated as Field),
          details: { variable: op.updated.label, type: op.updated.type.item.label, ...position(op.updated as Field, updated) },
        }
      case 'delete':
        return {
          kind: 'storage-variable-deleted',
          message: `${describe(op.original as Field, original)} deleted`,
          location: { ...at(op.original as Field), variable: op.original.label },
          details: { variable: op.original.label, type: op.original.type.item.label, ...position(op.original as Field, original) },
        }
      case 'delete-namespace':
        return { kind: 'storage-namespace-deleted', message: `namespace ${op.namespace} of ${op.original.contract} deleted`, details: { namespace: op.namespace } }
      case 'replace':
        return {
          kind: 'storage-variable-replaced',
          message: `${describe(op.original as Field, original)} replaced by ${describe(op.updated as Field, updated)}`,
          location: { ...at(op.updated as Field), variable: op.updated.label },
          details: { from: { variable: op.original.label, type: op.original.type.item.label }, to: { variable: op.updated.label, type: op.updated.type.item.label }, ...position(op.updated as Field, updated) },
        }
      case 'rename':
        return {
          kind: 'storage-variable-renamed',
          message: `${op.original.label} renamed to ${op.updated.label} (${where(op.updated as Field, updated)})`,
          location: { ...at(op.updated as Field), variable: op.updated.label },
          details: { from: op.original.label, to: op.updated.label, ...position(op.updated as Field, updated) },
        }
      case 'typechange': {
        const changes = typeChanges(op.change, op.updated.label)
        const whole = changes.length === 1 && changes[0]!.path === op.updated.label
        return {
          kind: 'storage-type-changed',
          message: whole
            ? `${op.updated.label} (${where(op.updated as Field, updated)}) changed type from ${changes[0]!.from} to ${changes[0]!.to} (${changes[0]!.change})`
            : `${op.updated.label} (${op.updated.type.item.label}, ${where(op.updated as Field, updated)}): ${changes.map(describeChange).join('; ')}`,
          location: { ...at(op.updated as Field), variable: op.updated.label },
          details: {
            variable: op.updated.label,
            ...position(op.updated as Field, updated),
            from: op.original.type.item.label,
            to: op.updated.type.item.label,
            change: op.change.kind,
            members: changes.map((change) => ({ ...change })),
          },
        }
      }
      case 'layoutchange':
        return {
          kind: 'storage-layout-changed',
          // upgrades-core reports only the coordinates that changed; the fields carry both, so the message names the whole move.
          message: `${op.updated.label} (${op.updated.type.item.label}) moved from ${where(op.original as Field, original)} to ${where(op.updated as Field, updated)}`,
          location: { ...at(op.updated as Field), variable: op.updated.label },
          details: { variable: op.updated.label, slot: op.change.slot ?? null, offset: op.change.offset ?? null, from: position(op.original as Field, original), to: position(op.updated as Field, updated) },
        }
      case 'shrinkgap':
      case 'finishgap':
        return { kind: 'storage-gap-misused', message: `gap ${op.original.label} (${where(op.original as Field, original)}) changed so that later storage moves`, location: { ...at(op.updated as Field), variable: op.updated.label } }
      default:
        return assertUnreachable(op)
    }
  })
}

/** ERC-7201: keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~bytes32(uint256(0xff)); undefined for other formulas. */
function namespaceBaseSlot(namespace: string): Hex | undefined {
  const match = /^erc7201:(.+)$/.exec(namespace)
  if (!match) return undefined
  const inner = hexToBigInt(keccak256(stringToHex(match[1]!))) - 1n
  return toHex(hexToBigInt(keccak256(encodeAbiParameters([{ type: 'uint256' }], [inner]))) & ~0xffn, { size: 32 })
}

/** One concrete change inside a variable's type: `_accounts[address].since` uint64 → uint32 at member slot 0, offset 16. */
type MemberChange = { path: string; from: string; to: string; change: string; slot: string | null; offset: number | null; movedTo?: { slot: string | null; offset: number | null } }

function describeChange(change: MemberChange): string {
  const at = change.slot === null ? '' : ` (slot ${change.slot}, offset ${change.offset ?? '?'} in the struct)`
  if (change.change === 'moved') return `${change.path} (${change.from}) moved from slot ${change.slot ?? '?'}, offset ${change.offset ?? '?'} to slot ${change.movedTo?.slot ?? '?'}, offset ${change.movedTo?.offset ?? '?'} in the struct`
  if (change.change === 'inserted' || change.change === 'deleted') return `${change.path} (${change.change === 'inserted' ? change.to : change.from})${at} ${change.change}`
  if (change.change === 'renamed') return `${change.from} renamed to ${change.to}${at}`
  return `${change.path}${at} changed from ${change.from} to ${change.to} (${change.change})`
}

/** Walks upgrades-core's nested type change down to the members that changed. */
function typeChanges(change: TypeChange, path: string, member?: { slot?: string | undefined; offset?: number | undefined }): MemberChange[] {
  const leaf = (kind: string): MemberChange[] => [{ path, from: change.original.item.label, to: change.updated.item.label, change: kind, slot: member?.slot ?? null, offset: member?.offset ?? null }]
  switch (change.kind) {
    case 'mapping value':
      return typeChanges(change.inner, `${path}[${change.original.args?.[0]?.item.label ?? 'key'}]`)
    case 'array value':
      return typeChanges(change.inner, `${path}[i]`)
    case 'mapping key':
      return [{ path: `${path} key`, from: change.inner.original.item.label, to: change.inner.updated.item.label, change: change.inner.kind, slot: null, offset: null }]
    case 'struct members': {
      const found = change.ops.flatMap((op) => memberChanges(op, path))
      return found.length > 0 ? found : leaf('struct members')
    }
    case 'enum members':
      return [{ path, from: change.original.item.label, to: change.updated.item.label, change: `enum members ${change.ops.map((op) => op.kind).join(', ')}`, slot: member?.slot ?? null, offset: member?.offset ?? null }]
    default:
      return leaf(change.kind)
  }
}

function memberChanges(op: MemberOp, path: string): MemberChange[] {
  switch (op.kind) {
    case 'typechange':
    case 'shrinkgap':
      return typeChanges(op.change, `${path}.${op.updated.label}`, op.original)
    case 'layoutchange':
      return [{
        path: `${path}.${op.updated.label}`,
        from: op.updated.type.item.label,
        to: op.updated.type.item.label,
        change: 'moved',
        slot: op.original.slot ?? null,
        offset: op.original.offset ?? null,
        movedTo: { slot: op.updated.slot ?? null, offset: op.updated.offset ?? null },
      }]
    case 'insert':
    case 'append':
      return [{ path: `${path}.${op.updated.label}`, from: '', to: op.updated.type.item.label, change: 'inserted', slot: op.updated.slot ?? null, offset: op.updated.offset ?? null }]
    case 'delete':
      return [{ path: `${path}.${op.original.label}`, from: op.original.type.item.label, to: '', change: 'deleted', slot: op.original.slot ?? null, offset: op.original.offset ?? null }]
    case 'replace':
    case 'rename':
    case 'finishgap':
      return [{ path: `${path}.${op.original.label}`, from: `${path}.${op.original.label} (${op.original.type.item.label})`, to: `${path}.${op.updated.label} (${op.updated.type.item.label})`, change: op.kind === 'rename' ? 'renamed' : 'replaced', slot: op.original.slot ?? null, offset: op.original.offset ?? null }]
    case 'delete-namespace':
      return []
    default:
      return assertUnreachable(op)
  }
}

/** `contracts/X.sol:42` (upgrades-core's src format) → file and line. */
export function parseSrc(src: string): FindingLocation {
  const match = /^(.*):(\d+)$/.exec(src)
  return match ? { file: match[1]!, line: Number(match[2]) } : { file: src }
}

function locationOf(contract: BuiltContract): FindingLocation {
  return { file: contract.artifact.sourceName, contract: contract.artifact.contractName }
}

/**
 * Compares the code on chain with a build's runtime code. Immutables (e.g. UUPSUpgradeable's
 * `__self`) are filled in at deployment, so their byte ranges are masked on both sides.
 * `metadata`: equal once the CBOR metadata trailer is stripped too.
 */
export function compareRuntimeCode(reference: BuiltContract, onChain: Hex): 'exact' | 'metadata' | 'different' {
  const { sourceName, contractName } = reference.artifact
  const deployed = reference.buildInfo.output.contracts[sourceName]?.[contractName]?.evm?.deployedBytecode as
    | { immutableReferences?: Record<string, { start: number; length: number }[]>; linkReferences?: Record<string, Record<string, { start: number; length: number }[]>> }
    | undefined
  // Immutables and linked library addresses are filled in at deployment: masked on both sides.
  const ranges = [
    ...Object.values(deployed?.immutableReferences ?? {}).flat(),
    ...Object.values(deployed?.linkReferences ?? {}).flatMap((libraries) => Object.values(libraries).flat()),
  ]
  const mask = (code: Hex) => {
    // An unlinked build holds `__$<34 hex>$__` placeholders, which are not hex: zeroed before decoding.
    const bytes = Buffer.from(code.slice(2).replace(/__\$[0-9a-fA-F]{34}\$__/g, '0'.repeat(40)), 'hex')
    for (const { start, length } of ranges) if (start + length <= bytes.length) bytes.fill(0, start, start + length)
    return bytes
  }
  const built = mask(reference.artifact.deployedBytecode)
  const chain = mask(onChain)
  if (built.equals(chain)) return 'exact'
  return stripMetadata(built).equals(stripMetadata(chain)) ? 'metadata' : 'different'
}

function stripMetadata(code: Buffer): Buffer {
  if (code.length < 2) return code
  const length = code.readUInt16BE(code.length - 2)
  return length + 2 <= code.length ? code.subarray(0, code.length - 2 - length) : code
}


