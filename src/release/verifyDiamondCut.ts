import { getAddress, keccak256, parseAbiItem, zeroAddress, type Address, type Hex } from 'viem'
import type { ReadClient } from '../chain/clients.js'
import { facetCutActions } from '../chain/diamondAbi.js'
import { getDiamondFacets } from '../chain/getDiamondFacets.js'
import { diamondCutHash, type ReportedDiamondCut } from './buildDiamondCutPlan.js'

export type DiamondCutCheck = { check: string; ok: boolean; detail: string }

export type VerifyDiamondCutParameters = {
  cut: ReportedDiamondCut
  gate: Address
  gatePatchId: Hex
  /** The codehashes the gate approved for the patch (its PatchApproved event), the cut hash last. */
  approvedCodehashes: readonly Hex[]
  fromBlock: bigint
  blockNumber?: bigint | undefined
}

const diamondCutReleasedEvent = parseAbiItem('event DiamondCutReleased(bytes32 indexed patchId, address indexed diamond, bytes32 cutHash, address init, bytes32 initDataHash)')

/**
 * Checks a released diamond cut from the chain and the public report alone: the gate's
 * `DiamondCutReleased` for the patch; the loupe routes exactly the report's selector map (no
 * selector more, none less, none to another facet), a facet the release deployed being found by
 * the selectors it serves; each such facet runs the validated runtime and its codehash is approved;
 * the init contract (if the cut has one) runs the validated runtime and its codehash is approved;
 * and the cut rebuilt from the report with those addresses hashes to the cut hash the auditors
 * attested (the gate's last approved codehash) and the gate released. Findings are data.
 */
export async function verifyDiamondCut(client: ReadClient, { cut, gate, gatePatchId, approvedCodehashes, fromBlock, blockNumber }: VerifyDiamondCutParameters): Promise<DiamondCutCheck[]> {
  const checks: DiamondCutCheck[] = []
  const add = (check: string, ok: boolean, detail: string) => checks.push({ check, ok, detail })
  const at = blockNumber === undefined ? {} : { blockNumber }
  const diamond = getAddress(cut.diamond)
  const released = (await client.getLogs({ address: gate, event: diamondCutReleasedEvent, args: { patchId: gatePatchId }, fromBlock, toBlock: blockNumber ?? 'latest' }))[0]
  add('gate cut the diamond', released !== undefined && getAddress(released.args.diamond!) === diamond, released ? `DiamondCutReleased(${released.args.cutHash}) on ${released.args.diamond} in ${released.transactionHash}` : `no DiamondCutReleased event for gate patch ${gatePatchId}`)

  const facets = (await getDiamondFacets(client, { address: diamond, ...at })) ?? []
  const onChain = new Map<Address, Hex[]>(facets.map((facet) => [getAddress(facet.address), [...facet.selectors].map((selector) => selector.toLowerCase() as Hex).sort()]))
  const routeOf = (selector: Hex) => [...onChain].find(([, selectors]) => selectors.includes(selector.toLowerCase() as Hex))?.[0]
  // A facet the release deployed is found by the selectors the report gives it.
  const deployed = new Map<string, Address | undefined>(cut.facets.filter((facet) => facet.action !== 'remove').map((facet) => [facet.name, facet.selectors[0] === undefined ? undefined : routeOf(facet.selectors[0])]))

  const approved = new Map<Address, Hex[]>()
  for (const entry of cut.selectorMap) {
    const facet = entry.facet.startsWith('new:') ? deployed.get(entry.facet.slice(4)) : getAddress(entry.facet)
    if (facet === undefined) {
      add(`selector map: ${entry.facet}`, false, `no facet serves ${entry.selectors[0] ?? 'its selectors'}`)
      continue
    }
    approved.set(facet, [...(approved.get(facet) ?? []), ...entry.selectors.map((selector) => selector.toLowerCase() as Hex)].sort())
  }
  for (const facet of new Set([...approved.keys(), ...onChain.keys()])) {
    const expected = (approved.get(facet) ?? []).join(',')
    const actual = (onChain.get(facet) ?? []).join(',')
    add(`selector map: ${facet}`, expected === actual, expected === actual ? `${onChain.get(facet)!.length} selector(s) as approved` : `approved ${expected || '(none)'}; the loupe routes ${actual || '(none)'}`)
  }

  for (const facet of cut.facets) {
    if (facet.action === 'remove') continue
    const address = deployed.get(facet.name)
    const code = address === undefined ? '0x' : ((await client.getCode({ address, ...at })) ?? '0x')
    const codehash = code === '0x' ? undefined : keccak256(code)
    add(`${facet.name}: facet code`, codehash !== undefined && codehash === facet.runtimeCodeHash && approvedCodehashes.includes(codehash), codehash ? `${address} runs ${codehash} (validated ${facet.runtimeCodeHash ?? 'none'}${approvedCodehashes.includes(codehash) ? ', approved by the gate' : ', NOT approved by the gate'})` : `no code at the facet serving ${facet.selectors[0] ?? '(no selector)'}`)
  }

  const init = cut.init === null ? zeroAddress : cut.init.address !== undefined ? getAddress(cut.init.address) : released?.args.init !== undefined ? getAddress(released.args.init) : zeroAddress
  // The init runs by delegatecall with the diamond's storage and authority: its code must be the approved one too.
  if (cut.init !== null) {
    const code = init === zeroAddress ? '0x' : ((await client.getCode({ address: init, ...at })) ?? '0x')
    const codehash = code === '0x' ? undefined : keccak256(code)
    add(
      `${cut.init.contract === undefined ? '' : `${cut.init.contract.split(':').at(-1)!}: `}init code`,
      codehash !== undefined && codehash === cut.init.runtimeCodeHash && approvedCodehashes.includes(codehash),
      codehash ? `${init} runs ${codehash} (validated ${cut.init.runtimeCodeHash}${approvedCodehashes.includes(codehash) ? ', approved by the gate' : ', NOT approved by the gate'})` : `no code at the init ${init}`,
    )
  }
  const rebuilt = diamondCutHash({
    diamond,
    cuts: cut.facets.map((facet) => ({ facetAddress: facet.action === 'remove' ? zeroAddress : (deployed.get(facet.name) ?? zeroAddress), action: facetCutActions.indexOf(facet.action), functionSelectors: facet.selectors })),
    init,
    initCalldata: cut.init?.calldata ?? '0x',
  })
  const attested = approvedCodehashes.at(-1)
  add('cut hash attested', rebuilt === attested && rebuilt === released?.args.cutHash, `the report's cut hashes to ${rebuilt}; the auditors attested ${attested ?? 'nothing'}, the gate released ${released?.args.cutHash ?? 'nothing'}`)
  return checks
}
