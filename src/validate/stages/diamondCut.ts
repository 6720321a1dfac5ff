import {
  encodeDeployData,
  encodeFunctionData,
  getAddress,
  keccak256,
  parseAbi,
  parseAbiItem,
  toFunctionSelector,
  zeroAddress,
  type Abi,
  type AbiFunction,
  type Address,
  type Hash,
  type Hex,
} from 'viem'
import { reasonOf } from '../../chain/deployContract.js'
import { diamondAbi, facetCutActions } from '../../chain/diamondAbi.js'
import { getDiamondFacets } from '../../chain/getDiamondFacets.js'
import { compareStorageRoots, storageRootsOf, type StorageRoot } from '../diamondStorage.js'
import { createFinding } from '../findings.js'
import type { DiamondCutManifest } from '../manifest.js'
import type { BuiltContract, Finding, JsonObject, StageContext, StageOutput } from '../stage.js'
import { buildSourceContract } from './build.js'
import { compareRuntimeCode } from './upgradeSafety.js'
import { executeImpersonated, forkDeployer, sendImpersonated, startValidationFork, waitForForkReceipt, type ValidationFork } from './validationFork.js'

const stage = 'diamond-cut' as const
const ownerAbi = parseAbi(['function owner() view returns (address)'])
/** The reference Diamond's fallback when no facet serves a selector. */
const functionMissing = /Function does not exist/i

/** One facet change of the approved cut, as the report records it and the release deploys and cuts it. */
export type ApprovedFacetCut = {
  name: string
  action: 'add' | 'replace' | 'remove'
  /** Full contract name, runtime and creation code hashes (add, replace); absent for remove. */
  contract?: string
  runtimeCodeHash?: Hex
  creationCodeHash?: Hex
  selectors: Hex[]
}

/** The cut the report approves: what `buildDiamondCutPlan` releases and `verifyDiamondCut` checks. */
export type ApprovedDiamondCut = {
  name: string
  diamond: Address
  facets: ApprovedFacetCut[]
  /** The init delegatecall: a deployed contract (`address`) or one the release deploys (`contract`…). */
  init: { address?: Address; contract?: string; runtimeCodeHash: Hex; creationCodeHash?: Hex; calldata: Hex; audited: boolean } | null
  /** Facet → selectors after the cut (sorted); a facet the cut deploys is named `new:<name>`. */
  selectorMap: { facet: string; selectors: Hex[] }[]
}

type FacetBuild = { name: string; built: BuiltContract }

/**
 * The diamond-cut stage (EIP-2535): builds the new facets and the init contract, applies the cut to
 * the selector map the loupe shows at the pinned block, and reports
 * - `diamond-selector-clash`: an add of a selector another facet already serves (or added twice),
 * - `diamond-cut-invalid`: a replace/remove of a selector the diamond does not route, a selector not in the
 *   facet's ABI, or `diamondCut` reverting on a fork as the diamond's owner,
 * - `diamond-storage-collision`: two facets of the diamond after the cut sharing a storage root (ERC-7201
 *   namespace, diamond-storage position, AppStorage at slot 0) with different layouts,
 * - `diamond-selector-removed-in-use`: a removed selector that a remaining facet's code calls, or that a
 *   recent transaction to the diamond needed (it succeeds at the pinned block and fails on the fork with the cut),
 * - `diamond-init-unaudited`: an init contract outside `auditedInits`.
 * Its `data.cut` is the approved cut the release binds to.
 */
export async function diamondCut(context: StageContext): Promise<StageOutput> {
  const cut = context.manifest.diamondCut
  if (!cut) return { findings: [], skipped: 'the manifest has no diamondCut' }
  const findings: Finding[] = []
  const finding = (kind: Parameters<typeof createFinding>[1], message: string, details?: JsonObject) =>
    findings.push(createFinding(stage, kind, { target: cut.name, message, ...(details ? { details } : {}) }))
  const diamond = getAddress(cut.diamond)
  const at = { blockNumber: context.blockNumber }

  const loupe = await getDiamondFacets(context.client, { address: diamond, ...at })
  if (!loupe) {
    finding('diamond-not-found', `${cut.name}: ${diamond} answers no loupe facets() at block ${context.blockNumber}: it is not an EIP-2535 diamond.`)
    return { findings, summary: 'no diamond at the address' }
  }

  context.progress(`building ${cut.facets.filter((facet) => facet.build).length} facet(s)${cut.init?.build ? ' and the init contract' : ''}`)
  const builds: FacetBuild[] = []
  for (const facet of cut.facets) if (facet.build) builds.push({ name: facet.name, built: await buildSourceContract(facet.build, context) })
  const initBuild = cut.init?.build ? await buildSourceContract(cut.init.build, context) : undefined

  // The selector map after the cut, applied entry by entry as LibDiamond does.
  const before = new Map<Hex, string>()
  for (const facet of loupe) for (const selector of facet.selectors) before.set(selector, facet.address)
  const after = new Map(before)
  const removed = new Set<Hex>()
  const approved: ApprovedFacetCut[] = []
  for (const facet of cut.facets) {
    const built = builds.find((build) => build.name === facet.name)?.built
    const served = built ? functionSelectors(built.artifact.abi) : undefined
    const selectors = facet.selectors ? facet.selectors.map(selectorOf) : [...(served?.keys() ?? [])]
    for (const selector of selectors) {
      if (served && !served.has(selector)) finding('diamond-cut-invalid', `${cut.name}: ${facet.name} (${built!.contract}) has no function with selector ${selector}; the diamond would route ${selector} to code that reverts.`, { facet: facet.name, selector })
      const current = after.get(selector)
      const newFacet = `new:${facet.name}`
      if (facet.action === 'add') {
        if (current !== undefined) {
          finding(
            'diamond-selector-clash',
            `${cut.name}: ${facet.name} adds ${describe(selector, served)}, which ${current.startsWith('new:') ? `facet ${current.slice(4)} of this cut also adds` : `facet ${current} already serves`}.`,
            { facet: facet.name, selector, servedBy: current },
          )
          continue
        }
        after.set(selector, newFacet)
      } else if (facet.action === 'replace') {
        if (current === undefined) {
          finding('diamond-cut-invalid', `${cut.name}: ${facet.name} replaces ${describe(selector, served)}, which the diamond does not route (add it instead).`, { facet: facet.name, selector })
          continue
        }
        after.set(selector, newFacet)
      } else {
        if (current === undefined) {
          finding('diamond-cut-invalid', `${cut.name}: ${facet.name} removes ${selector}, which the diamond does not route.`, { facet: facet.name, selector })
          continue
        }
        after.delete(selector)
        removed.add(selector)
      }
    }
    approved.push({
      name: facet.name,
      action: facet.action,
      ...(built ? { contract: built.contract, runtimeCodeHash: built.runtimeCodeHash, creationCodeHash: built.creationCodeHash } : {}),
      selectors,
    })
  }

  // The init delegatecall: its calldata, and whether its code is in the audited set.
  let init: ApprovedDiamondCut['init'] = null
  if (cut.init) {
    const calldata = encodeInitCall(cut.init, initBuild)
    if (typeof calldata !== 'string') {
      finding('diamond-cut-invalid', `${cut.name}: init ${cut.init.function}: ${calldata.problem}`)
    } else {
      const audited = new Set(cut.auditedInits.map((entry) => entry.toLowerCase()))
      if (cut.init.address !== undefined) {
        const address = getAddress(cut.init.address)
        const code = (await context.client.getCode({ address, ...at })) ?? '0x'
        if (code === '0x') finding('diamond-cut-invalid', `${cut.name}: the init contract ${address} has no code at block ${context.blockNumber}.`)
        const runtimeCodeHash = keccak256(code)
        init = { address, runtimeCodeHash, calldata, audited: audited.has(address.toLowerCase()) || audited.has(runtimeCodeHash) }
      } else {
        init = { contract: initBuild!.contract, runtimeCodeHash: initBuild!.runtimeCodeHash, creationCodeHash: initBuild!.creationCodeHash, calldata, audited: audited.has(initBuild!.runtimeCodeHash) }
      }
      if (!init.audited) {
        finding(
          'diamond-init-unaudited',
          `${cut.name}: the cut delegatecalls ${init.address ?? init.contract} (runtime codehash ${init.runtimeCodeHash}), which is not in diamondCut.auditedInits: it would run with the diamond's storage and balance.`,
          { init: init.address ?? init.contract ?? null, runtimeCodeHash: init.runtimeCodeHash },
        )
      }
    }
  }

  // Storage: every facet with a build that still serves a selector after the cut, compared root by root.
  const remaining = new Set(after.values())
  const participants: { label: string; roots: StorageRoot[] }[] = builds
    .filter((build) => remaining.has(`new:${build.name}`))
    .map((build) => ({ label: `${build.name} (${build.built.contract})`, roots: storageRootsOf(build.built) }))
  for (const facet of cut.deployedFacets.filter((deployed) => remaining.has(getAddress(deployed.address)))) {
    const address = getAddress(facet.address)
    const built = await buildSourceContract(facet.build, context)
    // A build that is not the facet's code would compare the wrong layout: the comparison would prove nothing.
    const onChain = (await context.client.getCode({ address, ...at })) ?? '0x'
    if (compareRuntimeCode(built, onChain) === 'different') {
      finding('reference-mismatch', `${cut.name}: the build ${built.contract} given for the deployed facet ${address} is not the code at that address; its storage is not compared.`, { facet: address, contract: built.contract })
      continue
    }
    participants.push({ label: `${address} (${facet.build.contract})`, roots: storageRootsOf(built) })
  }
  let comparedRoots = 0
  for (let i = 0; i < participants.length; i++) {
    for (let j = i + 1; j < participants.length; j++) {
      const left = participants[i]!
      const right = participants[j]!
      for (const root of left.roots) {
        for (const other of right.roots.filter((candidate) => candidate.slot === root.slot)) {
          comparedRoots++
          const conflict = compareStorageRoots(root, other)
          if (!conflict) continue
          const show = (member: { name: string; type: string } | null) => (member ? `${member.type} ${member.name}` : 'nothing')
          finding(
            'diamond-storage-collision',
            `${cut.name}: ${left.label} and ${right.label} share storage at ${root.slot} (${root.origin} / ${other.origin}) but member ${conflict.index} is ${show(conflict.left.member)} in ${root.struct} and ${show(conflict.right.member)} in ${other.struct}.`,
            { slot: root.slot, index: conflict.index, left: left.label, right: right.label, leftMember: show(conflict.left.member), rightMember: show(conflict.right.member) },
          )
        }
      }
    }
  }

  // Removed selectors a remaining facet's own code still calls (PUSH4 <selector> outside its dispatcher).
  if (removed.size > 0) {
    for (const facetAddress of new Set([...remaining].filter((facet) => !facet.startsWith('new:')))) {
      const code = ((await context.client.getCode({ address: facetAddress as Address, ...at })) ?? '0x').toLowerCase()
      const own = new Set([...before].filter(([, facet]) => facet === facetAddress).map(([selector]) => selector))
      for (const selector of removed) if (!own.has(selector) && code.includes(`63${selector.slice(2)}`)) finding('diamond-selector-removed-in-use', `${cut.name}: facet ${facetAddress} still calls ${selector}, which the cut removes.`, { facet: facetAddress, selector })
    }
    for (const build of builds.filter((candidate) => remaining.has(`new:${candidate.name}`))) {
      const own = functionSelectors(build.built.artifact.abi)
      for (const selector of removed) {
        if (!own.has(selector) && build.built.artifact.deployedBytecode.toLowerCase().includes(`63${selector.slice(2)}`)) {
          finding('diamond-selector-removed-in-use', `${cut.name}: the new facet ${build.name} calls ${selector}, which the cut removes.`, { facet: build.name, selector })
        }
      }
    }
  }

  const approvedCut: ApprovedDiamondCut = {
    name: cut.name,
    diamond,
    facets: approved,
    init,
    selectorMap: groupBySelector(after),
  }
  const blocking = findings.some((entry) => entry.kind === 'diamond-cut-invalid' || entry.kind === 'diamond-selector-clash')
  const replay = blocking
    ? { replayed: 0, rehearsed: false }
    : await rehearseAndReplay(context, { cut, diamond, builds, initBuild, approvedCut, removed, finding })
  return {
    findings,
    summary: `${cut.facets.length} facet cut(s) on ${diamond}: ${approvedCut.selectorMap.reduce((sum, entry) => sum + entry.selectors.length, 0)} selectors after the cut, ${removed.size} removed, ${comparedRoots} shared storage root(s) compared, ${replay.replayed} recent transaction(s) replayed${replay.rehearsed ? ', cut rehearsed on a fork' : ''}`,
    data: { cut: approvedCut as unknown as JsonObject, replayed: replay.replayed, rehearsed: replay.rehearsed, comparedRoots },
  }
}

type RehearsalInput = {
  cut: DiamondCutManifest
  diamond: Address
  builds: FacetBuild[]
  initBuild: BuiltContract | undefined
  approvedCut: ApprovedDiamondCut
  removed: ReadonlySet<Hex>
  finding: (kind: Parameters<typeof createFinding>[1], message: string, details?: JsonObject) => void
}

/**
 * Applies the cut on a fork of the pinned block as the diamond's owner (impersonated), then replays the
 * latest transactions sent to the diamond: each one that succeeds at the pinned block and fails with the
 * cut is a divergence; one that fails on a removed selector is `diamond-selector-removed-in-use`.
 */
async function rehearseAndReplay(context: StageContext, input: RehearsalInput): Promise<{ replayed: number; rehearsed: boolean }> {
  const { cut, diamond, approvedCut, removed, finding } = input
  const owner = await context.client.readContract({ address: diamond, abi: ownerAbi, functionName: 'owner', blockNumber: context.blockNumber }).catch(() => undefined)
  if (!owner) {
    context.progress(`${diamond} has no ERC-173 owner(): the cut is not rehearsed`)
    return { replayed: 0, rehearsed: false }
  }
  const recent = await recentTransactions(context, diamond, cut.replay)
  context.progress(`rehearsing the cut on a fork as ${owner}; ${recent.length} recent transaction(s) to replay`)
  const fork = await startValidationFork(context)
  try {
    const deployed = await deployOnFork(fork, [...input.builds.map((build) => ({ label: build.name, built: build.built })), ...(input.initBuild ? [{ label: 'init', built: input.initBuild }] : [])])
    const facetCuts = approvedCut.facets.map((facet) => ({
      facetAddress: facet.action === 'remove' ? zeroAddress : deployed.get(facet.name)!,
      action: facetCutActions.indexOf(facet.action),
      functionSelectors: facet.selectors,
    }))
    const initAddress = approvedCut.init === null ? zeroAddress : (approvedCut.init.address ?? deployed.get('init')!)
    const data = encodeFunctionData({ abi: diamondAbi, functionName: 'diamondCut', args: [facetCuts, initAddress, approvedCut.init?.calldata ?? '0x'] })
    await fork.client.setBalance({ address: owner, value: 10n ** 21n })
    const failure = await fork.client.call({ account: owner, to: diamond, data }).then(
      () => undefined,
      (error: unknown) => reasonOf(error),
    )
    if (failure !== undefined) {
      finding('diamond-cut-invalid', `${cut.name}: diamondCut reverts on a fork of block ${context.blockNumber} when the owner ${owner} sends it: ${failure}`, { owner })
      return { replayed: 0, rehearsed: false }
    }
    const hash = await sendImpersonated(fork, { from: owner, to: diamond, data })
    const receipt = await waitForForkReceipt(fork, hash)
    if (receipt.status !== 'success') {
      finding('diamond-cut-invalid', `${cut.name}: diamondCut transaction ${hash} reverted on the fork.`, { owner })
      return { replayed: 0, rehearsed: false }
    }
    for (const transaction of recent) {
      const request = { account: transaction.from, to: diamond, data: transaction.input, value: transaction.value }
      const before = await context.client.call({ ...request, blockNumber: context.blockNumber }).then(
        () => undefined,
        (error: unknown) => reasonOf(error),
      )
      if (before !== undefined) continue // it would fail without the cut too: nothing to learn from it
      const afterCut = await fork.client.call(request).then(
        () => undefined,
        (error: unknown) => reasonOf(error),
      )
      if (afterCut === undefined) continue
      const selector = transaction.input.slice(0, 10).toLowerCase() as Hex
      if (removed.has(selector) || functionMissing.test(afterCut)) {
        finding('diamond-selector-removed-in-use', `${cut.name}: transaction ${transaction.hash} (selector ${selector}) succeeds at block ${context.blockNumber} and fails with the cut: ${afterCut}`, {
          transaction: transaction.hash,
          selector,
          reason: afterCut,
        })
      } else {
        finding('replay-divergence', `${cut.name}: transaction ${transaction.hash} succeeds at block ${context.blockNumber} and fails with the cut: ${afterCut}`, { transaction: transaction.hash, selector, reason: afterCut })
      }
    }
    return { replayed: recent.length, rehearsed: true }
  } finally {
    await fork.stop()
  }
}

/** Deploys the facets (and the init contract) on the fork from the fork deployer; label → address. */
async function deployOnFork(fork: ValidationFork, contracts: readonly { label: string; built: BuiltContract }[]): Promise<Map<string, Address>> {
  await fork.client.setBalance({ address: forkDeployer, value: 10n ** 24n })
  const addresses = new Map<string, Address>()
  for (const { label, built } of contracts) {
    const receipt = await executeImpersonated(fork, `deploy ${built.contract}`, { from: forkDeployer, data: encodeDeployData({ abi: [], bytecode: built.artifact.bytecode }) })
    addresses.set(label, getAddress(receipt.contractAddress!))
  }
  return addresses
}

type RecentTransaction = { hash: Hash; from: Address; input: Hex; value: bigint }

/** The latest successful transactions sent to the diamond in the blocks before the pinned one (newest last). */
async function recentTransactions(context: StageContext, diamond: Address, replay: DiamondCutManifest['replay']): Promise<RecentTransaction[]> {
  const low = context.blockNumber >= BigInt(replay.blocks) ? context.blockNumber - BigInt(replay.blocks) + 1n : 0n
  const found: RecentTransaction[] = []
  for (let high = context.blockNumber; high >= low && found.length < replay.transactions; high -= 20n) {
    const numbers: bigint[] = []
    for (let block = high; block >= low && block > high - 20n; block--) numbers.push(block)
    const blocks = await Promise.all(numbers.map((blockNumber) => context.client.getBlock({ blockNumber, includeTransactions: true })))
    for (const block of blocks) {
      for (const transaction of [...block.transactions].reverse()) {
        if (transaction.to?.toLowerCase() !== diamond.toLowerCase() || found.length >= replay.transactions) continue
        const receipt = await context.client.getTransactionReceipt({ hash: transaction.hash })
        if (receipt.status === 'success') found.push({ hash: transaction.hash, from: transaction.from, input: transaction.input, value: transaction.value })
      }
    }
  }
  return found.reverse()
}

/** Selector → signature of every function in an ABI. */
function functionSelectors(abi: Abi): Map<Hex, string> {
  const selectors = new Map<Hex, string>()
  for (const item of abi) {
    if (item.type !== 'function') continue
    const fn = item as AbiFunction
    selectors.set(toFunctionSelector(fn).toLowerCase() as Hex, `${fn.name}(${fn.inputs.map((input) => input.type).join(',')})`)
  }
  return selectors
}

function selectorOf(value: string): Hex {
  return (value.startsWith('0x') ? value : toFunctionSelector(`function ${value}`)).toLowerCase() as Hex
}

function describe(selector: Hex, served: ReadonlyMap<Hex, string> | undefined): string {
  const signature = served?.get(selector)
  return signature ? `${signature} (${selector})` : selector
}

function encodeInitCall(init: NonNullable<DiamondCutManifest['init']>, build: BuiltContract | undefined): Hex | { problem: string } {
  try {
    if (build) {
      const wanted = init.function
      const candidates = build.artifact.abi.filter(
        (item): item is AbiFunction => item.type === 'function' && (wanted.includes('(') ? `${item.name}(${item.inputs.map((input) => input.type).join(',')})` === wanted.replace(/\s+/g, '') : item.name === wanted),
      )
      if (candidates.length !== 1) return { problem: candidates.length === 0 ? `${build.contract} has no such function` : 'the name is overloaded: give the full signature' }
      return encodeFunctionData({ abi: [candidates[0]!], functionName: candidates[0]!.name, args: init.args })
    }
    if (!init.function.includes('(')) return { problem: 'an init given by address needs the full signature, e.g. init(uint256)' }
    const item = parseAbiItem(`function ${init.function}`) as AbiFunction
    return encodeFunctionData({ abi: [item], functionName: item.name, args: init.args })
  } catch (error) {
    return { problem: `the arguments do not encode (${reasonOf(error)})` }
  }
}

function groupBySelector(map: ReadonlyMap<Hex, string>): ApprovedDiamondCut['selectorMap'] {
  const byFacet = new Map<string, Hex[]>()
  for (const [selector, facet] of map) byFacet.set(facet, [...(byFacet.get(facet) ?? []), selector])
  return [...byFacet.entries()].map(([facet, selectors]) => ({ facet, selectors: selectors.sort() })).sort((a, b) => (a.facet < b.facet ? -1 : a.facet > b.facet ? 1 : 0))
}
