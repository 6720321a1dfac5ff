import { getAddress, keccak256, type Address, type Hex } from 'viem'
import type { ReadClient } from '../chain/clients.js'
import { getDiamondFacets } from '../chain/getDiamondFacets.js'
import type { SignedDiamondCutPlan } from './buildDiamondCutPlan.js'

/** One check of a released diamond cut, with what was expected and what the chain shows. */
export type DiamondCutCheck = { check: 'facet-code' | 'selector-map'; subject: string; ok: boolean; expected: string; actual: string }

export type VerifyDiamondCutReturnType = { ok: boolean; checks: DiamondCutCheck[] }

/**
 * Verifies a released diamond cut against its plan (and so the report it was built from): each facet
 * the release deployed runs exactly the validated runtime code (its codehash equals the planned one
 * and the report's), and the loupe routes exactly the approved selector map — no selector more, none
 * less, none to another facet.
 */
export async function verifyDiamondCut(client: ReadClient, { plan, blockNumber }: { plan: SignedDiamondCutPlan; blockNumber?: bigint | undefined }): Promise<VerifyDiamondCutReturnType> {
  const at = blockNumber === undefined ? {} : { blockNumber }
  const checks: DiamondCutCheck[] = []
  for (const deployment of plan.deployments) {
    const code = (await client.getCode({ address: deployment.address, ...at })) ?? '0x'
    const actual = code === '0x' ? 'no code' : keccak256(code)
    checks.push({
      check: 'facet-code',
      subject: `${deployment.name} (${deployment.contract}) at ${deployment.address}`,
      ok: actual === deployment.codehash && actual === deployment.reportRuntimeCodeHash,
      expected: deployment.codehash,
      actual,
    })
  }
  const facets = (await getDiamondFacets(client, { address: plan.diamond, ...at })) ?? []
  const onChain = new Map<Address, Hex[]>(facets.map((facet) => [getAddress(facet.address), [...facet.selectors].sort()]))
  const approved = new Map<Address, Hex[]>(plan.selectorMap.map((entry) => [getAddress(entry.facet), entry.selectors]))
  for (const facet of new Set([...approved.keys(), ...onChain.keys()])) {
    const expected = (approved.get(facet) ?? []).join(',')
    const actual = (onChain.get(facet) ?? []).join(',')
    checks.push({ check: 'selector-map', subject: `${plan.diamond} → ${facet}`, ok: expected === actual, expected: expected || '(none)', actual: actual || '(none)' })
  }
  return { ok: checks.every((check) => check.ok), checks }
}
