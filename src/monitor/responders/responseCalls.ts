import { decodeAbiParameters, encodeFunctionData, parseAbi, type Abi, type Address, type Hex, type PublicClient } from 'viem'
import { circuitBreakerAbi } from '../../chain/circuitBreakerAbi.js'
import { emergencyPauseSealAbi } from '../../chain/emergencyPauseSealAbi.js'
import type { PolicyContractCall, PolicyResponse } from '../policy.js'

/** The guardian-side functions of a contract inheriting PartialPausableUpgradeable (the demo's LendingPool shape). */
export const lockdownAbi = parseAbi([
  'function pauseFor(uint256 duration)',
  'function pausedUntil() view returns (uint256)',
  'function pauseSelector(bytes4 selector)',
  'function pauseAsset(address asset)',
  'function isSelectorPaused(bytes4 selector) view returns (bool)',
  'function isAssetPaused(address asset) view returns (bool)',
])

export type ResponseCall = {
  to: Address
  data: Hex
  /** Wei sent with the call (contract calls only). */
  value?: bigint | undefined
  description: string
  /** The function called (`pause()`), for messages that name target and function. */
  signature?: string | undefined
  /** Custom errors the policy gave for decoding this call's revert. */
  errors?: Abi | undefined
  /** For a call routed through a Safe (`execTransaction`): the call the Safe makes. */
  inner?: ResponseCall | undefined
}

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
        return [{ to: seal, data: encodeFunctionData({ abi: emergencyPauseSealAbi, functionName: 'seal', args: [response.targets, BigInt(response.duration)] }), description: `seal(${response.targets.join(',')}, ${response.duration})`, signature: 'seal(address[],uint256)' }]
      }
      const [block, until] = await Promise.all([
        client.getBlock({ blockTag: 'latest' }),
        Promise.all(response.targets.map((target) => client.readContract({ address: target, abi: lockdownAbi, functionName: 'pausedUntil' }))),
      ])
      return response.targets
        .filter((_, index) => (until[index] ?? 0n) <= block.timestamp)
        .map((target) => ({ to: target, data: encodeFunctionData({ abi: lockdownAbi, functionName: 'pauseFor', args: [BigInt(response.duration)] }), description: `${target}.pauseFor(${response.duration})`, signature: 'pauseFor(uint256)' }))
    }
    case 'partial-lockdown': {
      const [selectorPaused, assetPaused] = await Promise.all([
        Promise.all(response.selectors.map((selector) => client.readContract({ address: response.contract, abi: lockdownAbi, functionName: 'isSelectorPaused', args: [selector] }))),
        Promise.all(response.assets.map((asset) => client.readContract({ address: response.contract, abi: lockdownAbi, functionName: 'isAssetPaused', args: [asset] }))),
      ])
      return [
        ...response.selectors
          .filter((_, index) => !selectorPaused[index])
          .map((selector) => ({ to: response.contract, data: encodeFunctionData({ abi: lockdownAbi, functionName: 'pauseSelector', args: [selector] }), description: `pauseSelector(${selector})`, signature: 'pauseSelector(bytes4)' })),
        ...response.assets
          .filter((_, index) => !assetPaused[index])
          .map((asset) => ({ to: response.contract, data: encodeFunctionData({ abi: lockdownAbi, functionName: 'pauseAsset', args: [asset] }), description: `pauseAsset(${asset})`, signature: 'pauseAsset(address)' })),
      ]
    }
    case 'contract-call': {
      const wanted = await Promise.all(response.calls.map((call) => guardHolds(client, call).then((holds) => !holds)))
      return response.calls
        .filter((_, index) => wanted[index])
        .map((call) => ({ to: call.target, data: call.data, value: call.value, description: `${call.target}.${call.signature}`, signature: call.signature, errors: call.errors }))
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
          signature: 'trip(address,address)',
        },
      ]
    }
  }
}

/** Whether a call's `skipIf` view already answers the wanted state (false without a guard). */
export async function guardHolds(client: PublicClient, call: PolicyContractCall): Promise<boolean> {
  const guard = call.skipIf
  if (!guard) return false
  const target = guard.target ?? call.target
  let result: Hex | undefined
  try {
    ;({ data: result } = await client.call({ to: target, data: guard.data }))
  } catch (error) {
    throw new Error(`the guard ${target}.${guard.signature} reverted (${((error as { shortMessage?: string }).shortMessage ?? String(error)).split('\n')[0]})`, { cause: error })
  }
  if (!result || result === '0x') throw new Error(`the guard ${target}.${guard.signature} returned nothing (no such view on the target?)`)
  const [value] = decodeAbiParameters([guard.returns], result)
  return normalized(value) === normalized(guard.equals)
}

function normalized(value: unknown): string {
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'string') return value.toLowerCase()
  return JSON.stringify(value, (_, item: unknown) => (typeof item === 'bigint' ? item.toString() : item))
}
