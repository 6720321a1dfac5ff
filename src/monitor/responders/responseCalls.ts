import { encodeFunctionData, parseAbi, type Address, type Hex, type PublicClient } from 'viem'
import { circuitBreakerAbi } from '../../chain/circuitBreakerAbi.js'
import { emergencyPauseSealAbi } from '../../chain/emergencyPauseSealAbi.js'
import type { PolicyResponse } from '../policy.js'

/** The guardian-side functions of a contract inheriting PartialPausableUpgradeable (the demo's LendingPool shape). */
export const lockdownAbi = parseAbi([
  'function pauseFor(uint256 duration)',
  'function pausedUntil() view returns (uint256)',
  'function pauseSelector(bytes4 selector)',
  'function pauseAsset(address asset)',
  'function isSelectorPaused(bytes4 selector) view returns (bool)',
  'function isAssetPaused(address asset) view returns (bool)',
])

export type ResponseCall = { to: Address; data: Hex; description: string }

/**
 * The calls a response still needs, after reading the chain: what is already in place (a seal
 * used, a selector paused, a breaker tripped — by us before a crash, or by someone else) is not
 * sent again. This is the on-chain half of idempotency; the store's claim is the other half.
 */
export async function responseCalls(client: PublicClient, response: PolicyResponse): Promise<ResponseCall[]> {
  switch (response.kind) {
    case 'notify':
      return []
    case 'pause': {
      if (response.via === 'seal') {
        const seal = response.seal
        if (!seal) return []
        const usedAt = await client.readContract({ address: seal, abi: emergencyPauseSealAbi, functionName: 'usedAt' })
        if (usedAt !== 0n) return []
        return [{ to: seal, data: encodeFunctionData({ abi: emergencyPauseSealAbi, functionName: 'seal', args: [response.targets, BigInt(response.duration)] }), description: `seal(${response.targets.join(',')}, ${response.duration})` }]
      }
      const [block, until] = await Promise.all([
        client.getBlock({ blockTag: 'latest' }),
        Promise.all(response.targets.map((target) => client.readContract({ address: target, abi: lockdownAbi, functionName: 'pausedUntil' }))),
      ])
      return response.targets
        .filter((_, index) => (until[index] ?? 0n) <= block.timestamp)
        .map((target) => ({ to: target, data: encodeFunctionData({ abi: lockdownAbi, functionName: 'pauseFor', args: [BigInt(response.duration)] }), description: `${target}.pauseFor(${response.duration})` }))
    }
    case 'partial-lockdown': {
      const [selectorPaused, assetPaused] = await Promise.all([
        Promise.all(response.selectors.map((selector) => client.readContract({ address: response.contract, abi: lockdownAbi, functionName: 'isSelectorPaused', args: [selector] }))),
        Promise.all(response.assets.map((asset) => client.readContract({ address: response.contract, abi: lockdownAbi, functionName: 'isAssetPaused', args: [asset] }))),
      ])
      return [
        ...response.selectors
          .filter((_, index) => !selectorPaused[index])
          .map((selector) => ({ to: response.contract, data: encodeFunctionData({ abi: lockdownAbi, functionName: 'pauseSelector', args: [selector] }), description: `pauseSelector(${selector})` })),
        ...response.assets
          .filter((_, index) => !assetPaused[index])
          .map((asset) => ({ to: response.contract, data: encodeFunctionData({ abi: lockdownAbi, functionName: 'pauseAsset', args: [asset] }), description: `pauseAsset(${asset})` })),
      ]
    }
    case 'circuit-breaker': {
      const rule = await client.readContract({ address: response.breaker, abi: circuitBreakerAbi, functionName: 'ruleOf', args: [response.protectedContract, response.asset] })
      const [, , , tripped] = rule as unknown as readonly [bigint, bigint | number, bigint, boolean]
      if (tripped) return []
      return [
        {
          to: response.breaker,
          data: encodeFunctionData({ abi: circuitBreakerAbi, functionName: 'trip', args: [response.protectedContract, response.asset] }),
          description: `trip(${response.protectedContract}, ${response.asset})`,
        },
      ]
    }
  }
}
