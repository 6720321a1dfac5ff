import type { Address, LocalAccount, PublicClient } from 'viem'
import { responseKey, strengthOf, type Policy, type PolicyResponse, type ResponseStrength } from '../policy.js'
import { explainRevert, shortMessageOf } from './decodeRevertReason.js'
import { ResponseNotArmedError } from './errors.js'
import { responseCalls, type ResponseCall } from './responseCalls.js'
import { readSafeSigners, routeThroughSafe, safeShortfall } from './routeThroughSafe.js'

/**
 * `armed`: every call would succeed if sent now by the responder; `in-place`: the chain already
 * shows what the response would do (a guard holds, the seal is used, the breaker tripped), which
 * counts as armed; `not-armed`: a call would revert, or the keys cannot send it; `unchecked`: no
 * responder key was given, so nothing can be simulated.
 */
export type ResponseCheckStatus = 'armed' | 'in-place' | 'not-armed' | 'unchecked'

export type ResponseCallCheck = {
  target: Address
  function: string
  status: 'would succeed' | 'in place' | 'would revert'
  reason?: string | undefined
}

export type ResponseCheck = {
  /** The first rule that orders this response (its name, or `rules[i]`). */
  rule: string
  /** The response's idempotency key. */
  response: string
  label: string
  kind: PolicyResponse['kind']
  strength: ResponseStrength
  /** Who sends the transactions. */
  sender: string
  status: ResponseCheckStatus
  calls: ResponseCallCheck[]
  /** Why it is not armed (or unchecked). */
  reason?: string | undefined
}

export type CheckResponsesReturnType = {
  ok: boolean
  responder: Address | null
  /** The block the simulations ran against. */
  block: string
  checks: ResponseCheck[]
}

export type CheckResponsesParameters = {
  client: PublicClient
  chainId: number
  policy: Policy
  /** The responder key; without it every on-chain response is `unchecked`. */
  account?: LocalAccount | undefined
  /** Further owner keys of a guardian Safe the responder signs with. */
  cosigners?: readonly LocalAccount[] | undefined
}

/** What a response is called in messages: a contract call's name, else its kind and calls. */
export function labelOf(response: PolicyResponse): string {
  switch (response.kind) {
    case 'contract-call':
      return response.name ?? response.calls.map((call) => `${call.target}.${call.signature}`).join(', ')
    case 'pause':
      return `pause via ${response.via} of ${response.targets.join(', ')}`
    case 'partial-lockdown':
      return `partial lockdown of ${response.contract}`
    case 'circuit-breaker':
      return `circuit-breaker trip on ${response.breaker}`
    case 'notify':
      return 'notify'
  }
}

/**
 * Simulates every response the policy can order, as the responder would send it now, against the
 * latest block: `eth_call` from the responder key (or, through a Safe, the inner call from the Safe
 * and the signed `execTransaction` from the responder), then a gas estimate against its balance.
 * Reverts are decoded: the call's own errors, then common ones (OpenZeppelin AccessControl, Ownable,
 * Pausable; Aave, Balancer and Safe error codes); an empty revert is checked against the code for a
 * function that does not exist.
 */
export async function checkResponses({ client, chainId, policy, account, cosigners = [] }: CheckResponsesParameters): Promise<CheckResponsesReturnType> {
  const block = await client.getBlock({ blockTag: 'latest' })
  const seen = new Set<string>()
  const checks: ResponseCheck[] = []
  for (const [ruleIndex, rule] of policy.rules.entries()) {
    for (const response of rule.respond) {
      const key = responseKey(response)
      if (seen.has(key)) continue
      seen.add(key)
      const base = {
        rule: rule.name ?? `rules[${ruleIndex}]`,
        response: key,
        label: labelOf(response),
        kind: response.kind,
        strength: strengthOf(response),
        sender: response.kind === 'contract-call' && response.via === 'safe' ? `Safe ${response.safe} (signed by the responder key(s))` : account ? `responder ${account.address}` : 'responder (no key)',
      }
      checks.push({ ...base, ...(await checkOne(response)) })
    }
  }
  return { ok: checks.every((check) => check.status !== 'not-armed'), responder: account?.address ?? null, block: block.number.toString(), checks }

  async function checkOne(response: PolicyResponse): Promise<Pick<ResponseCheck, 'status' | 'calls' | 'reason'>> {
    if (response.kind === 'notify') return { status: 'armed', calls: [] }
    const inPlace: ResponseCallCheck[] = []
    let needed: ResponseCall[]
    try {
      needed = await responseCalls(client, response)
      if (response.kind === 'contract-call') {
        for (const call of response.calls) {
          if (!needed.some((item) => item.to === call.target && item.data === call.data)) inPlace.push({ target: call.target, function: call.signature, status: 'in place', reason: call.skipIf ? `${call.skipIf.signature} answers ${String(call.skipIf.equals)}` : undefined })
        }
      }
    } catch (error) {
      return { status: 'not-armed', calls: [], reason: `the chain could not be read before the response (${shortMessageOf(error)}); ${response.kind === 'pause' && response.via === 'pauser' ? "the targets do not implement Bulwark's pauseFor/pausedUntil: use a contract-call response with the protocol's own pause" : 'is it the right contract?'}` }
    }
    if (needed.length === 0) return { status: 'in-place', calls: inPlace }
    if (!account) return { status: 'unchecked', calls: [...inPlace, ...needed.map((call) => ({ target: call.to, function: call.signature ?? call.description, status: 'would succeed' as const, reason: 'not simulated: no responder key' }))], reason: 'no responder key (--key): nothing was simulated' }

    const results: ResponseCallCheck[] = [...inPlace]
    let sent: ResponseCall[] = needed
    if (response.kind === 'contract-call' && response.via === 'safe') {
      const safe = response.safe!
      const info = await readSafeSigners(client, { safe, signers: [account, ...cosigners] })
      const shortfall = safeShortfall(info)
      if (shortfall) {
        const first = needed[0]!
        return { status: 'not-armed', calls: [...results, { target: first.to, function: first.signature ?? first.description, status: 'would revert', reason: shortfall }], reason: shortfall }
      }
      // the inner calls as the Safe makes them: their own revert reason, which execTransaction would hide behind GS013
      for (const call of needed) {
        const failure = await simulate(call, safe)
        if (failure) return { status: 'not-armed', calls: [...results, { target: call.to, function: call.signature ?? call.description, status: 'would revert', reason: `as Safe ${safe}: ${failure}` }], reason: `as Safe ${safe}: ${failure}` }
      }
      sent = await routeThroughSafe(client, { safe, chainId, calls: needed, signers: [account, ...cosigners] })
    }
    // each call on the current state (a Safe's later calls are signed for later nonces: only the first can be executed now)
    for (const [index, call] of sent.entries()) {
      if (call.inner && index > 0) {
        results.push({ target: call.inner.to, function: call.inner.signature ?? call.inner.description, status: 'would succeed' })
        continue
      }
      const failure = await simulate(call, account.address)
      const target = call.inner?.to ?? call.to
      const fn = call.inner?.signature ?? call.signature ?? call.description
      if (failure) return { status: 'not-armed', calls: [...results, { target, function: fn, status: 'would revert', reason: failure }], reason: failure }
      results.push({ target, function: fn, status: 'would succeed' })
    }
    const shortOfGas = await gasShortfall(sent, account.address, block.baseFeePerGas ?? 0n)
    if (shortOfGas) return { status: 'not-armed', calls: results, reason: shortOfGas }
    return { status: 'armed', calls: results }
  }

  async function simulate(call: ResponseCall, from: Address): Promise<string | undefined> {
    try {
      await client.call({ account: from, to: call.to, data: call.data, value: call.value ?? 0n, blockTag: 'latest' })
      return undefined
    } catch (error) {
      const inner = call.inner
      return explainRevert(client, { error, target: inner?.to ?? call.to, signature: inner ? 'execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)' : call.signature, errors: call.errors })
    }
  }

  async function gasShortfall(calls: readonly ResponseCall[], from: Address, baseFeePerGas: bigint): Promise<string | undefined> {
    // only the first call of a Safe batch can be estimated on the current nonce; the rest cost about the same
    const first = calls[0]
    if (!first) return undefined
    const [gas, balance] = await Promise.all([client.estimateGas({ account: from, to: first.to, data: first.data, value: first.value ?? 0n }).catch(() => 100_000n), client.getBalance({ address: from })])
    const need = gas * BigInt(calls.length) * (2n * baseFeePerGas + 2_000_000_000n) + calls.reduce((sum, call) => sum + (call.inner ? 0n : (call.value ?? 0n)), 0n)
    return balance < need ? `the responder ${from} holds ${balance} wei; sending the response needs about ${need} wei (gas at twice the base fee plus 2 gwei tip)` : undefined
  }
}

/** Throws BW_RESPONSE_NOT_ARMED for the first response that is not armed, listing every other one. */
export function assertResponsesArmed(result: CheckResponsesReturnType): void {
  const failed = result.checks.filter((check) => check.status === 'not-armed')
  const first = failed[0]
  if (!first) return
  const call = first.calls.find((item) => item.status === 'would revert')
  throw new ResponseNotArmedError({
    rule: first.rule,
    label: first.label,
    target: call?.target,
    fn: call?.function,
    sender: first.sender,
    block: result.block,
    reason: first.reason ?? 'would revert',
    others: failed.slice(1).map((check) => `rule "${check.rule}", ${check.label}: ${check.reason ?? 'would revert'}`),
  })
}

