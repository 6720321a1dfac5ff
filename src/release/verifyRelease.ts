import { getAddress, keccak256, parseAbi, parseAbiItem, size, sliceHex, zeroAddress, type Address, type Hex } from 'viem'
import type { ReadClient } from '../chain/clients.js'
import { erc1967Slots } from '../chain/getProxyInfo.js'
import { reportedDiamondCut } from './buildDiamondCutPlan.js'
import type { ReleaseReportInput } from './buildReleasePlan.js'
import { verifyDiamondCut } from './verifyDiamondCut.js'

/** Immutable positions of a contract's runtime (solc `evm.deployedBytecode.immutableReferences`). */
export type ImmutableReferences = Record<string, readonly { start: number; length: number }[]>

export type VerifyReleaseParameters = {
  report: ReleaseReportInput & { document: ReleaseReportInput['document'] & { chain: { chainId: number; blockNumber?: string } } }
  /** The gate; found from its `PatchReleased` event for the report hash when absent. */
  gate?: Address | undefined
  /**
   * The validated artifacts by contract name as in the report (from its build-info): runtime and
   * immutable references. Without them, immutables are located by their value and only the hash is compared.
   */
  builds?: Readonly<Record<string, { deployedBytecode: Hex; immutableReferences: ImmutableReferences }>> | undefined
}

export type VerifyCheck = { check: string; ok: boolean; detail: string }
export type VerifiedTarget = {
  name: string
  proxy: Address
  implementation: Address
  codehash: Hex
  /** `exact`: the runtime, immutables masked, is the validated one byte for byte; `metadata-only`: only the CBOR metadata tail differs. */
  match: 'exact' | 'metadata-only' | 'mismatch'
  immutables: 'build-info' | 'located-by-value' | 'none'
}
export type VerifyReleaseReturnType = { ok: boolean; reportHash: Hex; gate: Address | null; gatePatchId: Hex | null; targets: VerifiedTarget[]; checks: VerifyCheck[] }

const patchReleasedEvent = parseAbiItem('event PatchReleased(bytes32 indexed patchId, bytes32 reportHash, uint256 upgradeCount)')
const patchApprovedEvent = parseAbiItem('event PatchApproved(bytes32 indexed patchId, bytes32 reportHash, bytes32[] codehashes, address[] auditors, bytes[] signatures)')
const upgradeReleasedEvent = parseAbiItem('event UpgradeReleased(bytes32 indexed patchId, address indexed proxy, uint8 kind, address implementation, bytes32 codehash, bytes32 dataHash)')
const beaconAbi = parseAbi(['function implementation() view returns (address)'])

/**
 * Checks, from the chain alone, that a release put on chain exactly what the report validated and
 * the gate approved: the gate's events for the report hash (approved, released), each proxy's
 * ERC-1967 implementation (or its beacon's), the implementation's codehash against the approved
 * one, and its runtime against the validated artifact — immutables masked (by solc's
 * immutableReferences when given, else by locating the values the constructor wrote, such as the
 * UUPS self address), and a difference confined to the CBOR metadata tail told apart. A diamond
 * cut's report is checked by `verifyDiamondCut` (selector map, facet code, attested cut hash). Needs only an
 * RPC URL and the public report. Findings are data: `ok` false, never an exception.
 */
export async function verifyRelease(client: ReadClient, { report, gate, builds }: VerifyReleaseParameters): Promise<VerifyReleaseReturnType> {
  const checks: VerifyCheck[] = []
  const add = (check: string, ok: boolean, detail: string) => checks.push({ check, ok, detail })
  const fromBlock = report.document.chain.blockNumber === undefined ? 0n : BigInt(report.document.chain.blockNumber)
  const released = (await client.getLogs({ ...(gate ? { address: gate } : {}), event: patchReleasedEvent, fromBlock, toBlock: 'latest' })).filter((log) => log.args.reportHash === report.hash)
  const releaseLog = released[0]
  add('gate released the report', releaseLog !== undefined, releaseLog ? `PatchReleased(${releaseLog.args.patchId}) in ${releaseLog.transactionHash}` : `no PatchReleased event binds report ${report.hash}`)
  if (!releaseLog) return { ok: false, reportHash: report.hash, gate: gate ?? null, gatePatchId: null, targets: [], checks }
  const gateAddress = getAddress(releaseLog.address)
  const gatePatchId = releaseLog.args.patchId!
  const [approvals, upgrades] = await Promise.all([
    client.getLogs({ address: gateAddress, event: patchApprovedEvent, args: { patchId: gatePatchId }, fromBlock, toBlock: 'latest' }),
    client.getLogs({ address: gateAddress, event: upgradeReleasedEvent, args: { patchId: gatePatchId }, fromBlock, toBlock: 'latest' }),
  ])
  const approved = approvals[0]?.args
  add('gate approved the report', approved?.reportHash === report.hash, approved ? `PatchApproved by ${approved.auditors?.length ?? 0} auditor(s)` : 'no PatchApproved event')
  const approvedCodehashes = new Set(approved?.codehashes ?? [])
  const cut = reportedDiamondCut(report)
  if (cut) {
    checks.push(...(await verifyDiamondCut(client, { cut, gate: gateAddress, gatePatchId, approvedCodehashes: approved?.codehashes ?? [], fromBlock })))
    return { ok: checks.every((check) => check.ok), reportHash: report.hash, gate: gateAddress, gatePatchId, targets: [], checks }
  }

  const targets: VerifiedTarget[] = []
  for (const target of report.document.targets) {
    const proxy = getAddress(target.proxy)
    const slot = async (name: keyof typeof erc1967Slots) => getAddress(sliceHex((await client.getStorageAt({ address: proxy, slot: erc1967Slots[name] })) ?? zeroHash32, 12, 32))
    let implementation = await slot('implementation')
    let upgradedAt: Address = proxy
    if (implementation === zeroAddress) {
      const beacon = await slot('beacon')
      upgradedAt = beacon
      implementation = beacon === zeroAddress ? zeroAddress : getAddress(await client.readContract({ address: beacon, abi: beaconAbi, functionName: 'implementation' }))
    }
    const upgrade = upgrades.find((log) => log.args.proxy !== undefined && getAddress(log.args.proxy) === upgradedAt)
    add(`${target.name}: released by the gate`, upgrade !== undefined && getAddress(upgrade.args.implementation!) === implementation, upgrade ? `UpgradeReleased → ${upgrade.args.implementation}; proxy now at ${implementation}` : `no UpgradeReleased event for ${upgradedAt}`)
    const code = (await client.getCode({ address: implementation })) ?? '0x'
    const codehash = keccak256(code)
    add(`${target.name}: codehash approved`, approvedCodehashes.has(codehash) && upgrade?.args.codehash === codehash, `on chain ${codehash}`)
    const build = builds?.[target.implementation.contract]
    const builtHashOk = build === undefined || keccak256(build.deployedBytecode) === target.implementation.runtimeCodeHash
    if (!builtHashOk) add(`${target.name}: build is the validated one`, false, 'the given build-info does not hold the runtime the report validated')
    const { match, immutables } = build
      ? { match: compareRuntime(code, build.deployedBytecode, build.immutableReferences), immutables: 'build-info' as const }
      : compareWithArtifact(code, target.implementation.runtimeCodeHash, implementation)
    add(`${target.name}: runtime is the validated build`, match !== 'mismatch', match === 'exact' ? `byte for byte, immutables ${immutables}` : match === 'metadata-only' ? 'the code matches; only the CBOR metadata differs' : 'the code differs from the validated artifact')
    targets.push({ name: target.name, proxy, implementation, codehash, match, immutables })
  }
  return { ok: checks.every((check) => check.ok), reportHash: report.hash, gate: gateAddress, gatePatchId, targets, checks }
}

const zeroHash32: Hex = `0x${'00'.repeat(32)}`

/**
 * Masks the immutables of `code` (zeroes, as solc leaves them in `deployedBytecode`) and compares
 * its hash with the report's runtime hash. Only the hash of the artifact is public, so a metadata-only
 * difference can be told apart only when the artifact bytes are at hand (`compareRuntime`).
 */
function compareWithArtifact(code: Hex, expectedHash: Hex, self: Address): { match: VerifiedTarget['match']; immutables: VerifiedTarget['immutables'] } {
  if (keccak256(code) === expectedHash) return { match: 'exact', immutables: 'none' }
  // Without the build-info: PUSH32 operands holding the contract's own address (UUPS `__self`) are zeroed.
  const word = `7f${'00'.repeat(12)}${self.slice(2).toLowerCase()}`
  const masked = code.toLowerCase().split(word).join(`7f${'00'.repeat(32)}`) as Hex
  return { match: keccak256(masked) === expectedHash ? 'exact' : 'mismatch', immutables: 'located-by-value' }
}

/** `code` with every immutable reference zeroed. */
export function maskImmutables(code: Hex, references: ImmutableReferences): Hex {
  const bytes = Buffer.from(code.slice(2), 'hex')
  for (const positions of Object.values(references)) for (const { start, length } of positions) bytes.fill(0, start, start + length)
  return `0x${bytes.toString('hex')}`
}

/** Runtime minus its CBOR metadata tail (the last two bytes give the tail's length). */
export function stripMetadata(code: Hex): Hex {
  const length = size(code)
  if (length < 2) return code
  const tail = Number.parseInt(code.slice(-4), 16)
  return tail + 2 <= length ? sliceHex(code, 0, length - tail - 2) : code
}

/**
 * Byte comparison of an on-chain runtime with an artifact's `deployedBytecode`: immutables masked,
 * then, if they differ, again without the metadata tails (the same code from other source text or paths).
 */
export function compareRuntime(onChain: Hex, artifact: Hex, references: ImmutableReferences = {}): 'exact' | 'metadata-only' | 'mismatch' {
  const masked = maskImmutables(onChain, references)
  if (masked.toLowerCase() === artifact.toLowerCase()) return 'exact'
  return stripMetadata(masked).toLowerCase() === stripMetadata(artifact).toLowerCase() ? 'metadata-only' : 'mismatch'
}
