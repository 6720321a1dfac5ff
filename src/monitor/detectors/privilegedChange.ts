import { hexToBigInt, toFunctionSelector, type Address, type Hex } from 'viem'
import { z } from 'zod'
import { baselineConfigSchema, createBaseline } from '../baseline.js'
import type { Detector, DetectorContext, DetectorFinding } from '../types.js'
import { findingPlace, indexTransaction, scopeSetsOf, topicAddress, topics } from './traceIndex.js'

/** Admin functions watched by default: a successful call from outside governance is an alert. */
export const defaultPrivilegedFunctions = [
  'upgradeToAndCall(address,bytes)',
  'transferOwnership(address)',
  'grantRole(bytes32,address)',
  'initialize(address)',
  'mint(address,uint256)',
  'withdrawReserves(address,uint256)',
  'setInterestRateModel(address)',
  'setCircuitBreaker(address)',
  'sweep(address,uint256)',
] as const

export const privilegedChangeConfigSchema = z
  .object({
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('high'),
    /** Function signatures (`mint(address,uint256)`) or 4-byte selectors watched on scope contracts. */
    functions: z.array(z.string().regex(/^(0x[0-9a-fA-F]{8}|[A-Za-z_$][\w$]*\(.*\))$/, 'a function signature or a 4-byte selector')).default([...defaultPrivilegedFunctions]),
    /**
     * A role holder (owner, AccessControl role, proxy admin — from the chain and the project file)
     * calling a privileged function of its contract is doing its job. Once it has done so
     * `minSamples` times, a call whose size (its largest integer argument) exceeds `factor` × the
     * `percentile` of its usual sizes is reported: a minter minting 100× its usual amount.
     */
    baseline: baselineConfigSchema.prefault({ minSamples: 3, factor: 10 }),
    /**
     * Whose roles count: `protocol` (default) — a role held on any protocol contract (Aave's
     * ACLManager roles act on the Pool and the configurator); `contract` — only roles on the
     * contract called.
     */
    holders: z.enum(['protocol', 'contract']).default('protocol'),
  })
  .strict()
export type PrivilegedChangeConfig = z.infer<typeof privilegedChangeConfigSchema>

const eventNames = new Map<Hex, string>([
  [topics.roleGranted, 'RoleGranted'],
  [topics.roleRevoked, 'RoleRevoked'],
  [topics.ownershipTransferred, 'OwnershipTransferred'],
  [topics.initialized, 'Initialized'],
  [topics.initializedV4, 'Initialized'],
])

/**
 * Role grants, ownership transfers and (re-)initializations of scope contracts, and calls to
 * privileged functions, that did not come from governance (the authorities or a release gate):
 * a compromised key, an unprotected initializer, a broken access check.
 */
export const privilegedChange: Detector<PrivilegedChangeConfig> = {
  id: 'privileged-change',
  description: 'Role grants, ownership transfers, initializations and privileged calls made outside governance.',
  configSchema: privilegedChangeConfigSchema as z.ZodType<PrivilegedChangeConfig>,
  create: (config) => {
    const selectors = new Map(config.functions.map((f) => [(f.startsWith('0x') ? f.toLowerCase() : toFunctionSelector(f)) as Hex, f]))
    const baseline = createBaseline(config.baseline)
    // role holders per contract: seeded from the scope, kept current by approved grants, revocations and transfers
    const holders = new Map<string, Set<string>>()
    let seeded: unknown
    const holderSet = (ctx: DetectorContext) => {
      if (seeded !== ctx.scope.roles) {
        seeded = ctx.scope.roles
        for (const role of ctx.scope.roles ?? []) {
          const key = role.contract.toLowerCase()
          holders.set(key, (holders.get(key) ?? new Set()).add(role.holder.toLowerCase()))
        }
      }
      return holders
    }
    const holds = (ctx: DetectorContext, contract: Address, account: Address) => {
      const sets = holderSet(ctx)
      if (config.holders === 'contract') return sets.get(contract.toLowerCase())?.has(account.toLowerCase()) ?? false
      const key = account.toLowerCase()
      for (const set of sets.values()) if (set.has(key)) return true
      return false
    }
    return {
      id: 'privileged-change',
      kinds: ['transaction', 'pending'],
      detect(event, ctx) {
        if (event.kind === 'block') return []
        const tx = event.transaction
        const { contracts } = scopeSetsOf(ctx)
        const index = indexTransaction(tx, ctx)
        const place = findingPlace(event.kind === 'transaction' ? { kind: event.kind, block: event.block } : event)
        const findings: DetectorFinding[] = []
        const base = { detector: 'privileged-change', severity: config.severity, chain: event.chain.id, ...place, tx: tx.hash }
        for (const frame of index.frames) {
          if (frame.reverted || frame.viaAuthority || frame.type === 'STATICCALL' || frame.type === 'DELEGATECALL') continue
          const name = selectors.get(frame.selector)
          if (!name || !frame.to || !contracts.has(frame.to.toLowerCase())) continue
          if (holds(ctx, frame.to, frame.from)) {
            // a role holder at work: judged on its usual size only
            const size = sizeOf(frame.frame.input)
            const key = `${frame.to}:${frame.selector}:${frame.from}`.toLowerCase()
            const usual = baseline.threshold(key)
            if (usual === undefined || size <= usual) {
              if (event.kind === 'transaction') baseline.observe(key, size)
              continue
            }
            findings.push({
              ...base,
              addresses: [frame.to, frame.from],
              summary: `Role holder ${frame.from} called ${name} on ${frame.to} with ${size}, more than ${usual} (${config.baseline.factor}× its usual).`,
              evidence: { function: name, target: frame.to, caller: frame.from, sender: tx.from, size: size.toString(), usualThreshold: usual.toString(), roleHolder: true },
            })
            continue
          }
          findings.push({
            ...base,
            addresses: [frame.to, frame.from],
            summary: `${frame.from} called ${name} on ${frame.to} outside governance.`,
            evidence: { function: name, target: frame.to, caller: frame.from, sender: tx.from },
          })
        }
        for (const log of index.logs) {
          const name = eventNames.get(log.topics[0] ?? '0x')
          if (!name || !contracts.has(log.address.toLowerCase())) continue
          // who made the change: the caller of the frame that emitted it
          const actor = callerOf(index.frames, log.frame) ?? tx.from
          const approved = log.viaAuthority || holds(ctx, log.address, actor)
          if (approved && event.kind === 'transaction') trackHolders(holderSet(ctx), log)
          if (approved) continue
          const subject =
            name === 'RoleGranted' ? topicAddress(log.topics[2]) : name === 'OwnershipTransferred' ? topicAddress(log.topics[2]) : tx.from
          findings.push({
            ...base,
            addresses: [log.address, subject],
            summary: `${name} on ${log.address} (to ${subject}) outside governance.`,
            evidence: { event: name, contract: log.address, subject, ...(name === 'RoleGranted' ? { role: log.topics[1] ?? null } : {}), sender: tx.from },
          })
        }
        return findings
      },
    }
  },
}

/** Keeps the holders current after an approved change: grants add, revocations remove, ownership moves. */
function trackHolders(holders: Map<string, Set<string>>, log: { address: Address; topics: readonly Hex[] }): void {
  const contract = log.address.toLowerCase()
  const set = holders.get(contract) ?? new Set<string>()
  holders.set(contract, set)
  if (log.topics[0] === topics.roleGranted) set.add(topicAddress(log.topics[2]).toLowerCase())
  else if (log.topics[0] === topics.roleRevoked) set.delete(topicAddress(log.topics[2]).toLowerCase())
  else if (log.topics[0] === topics.ownershipTransferred) {
    set.delete(topicAddress(log.topics[1]).toLowerCase())
    set.add(topicAddress(log.topics[2]).toLowerCase())
  }
}

/** The size of a call: its largest argument word that is not an address-sized value (amounts, not recipients). */
function sizeOf(input: Hex): bigint {
  let largest = 0n
  for (let i = 10; i + 64 <= input.length; i += 64) {
    const word = hexToBigInt(`0x${input.slice(i, i + 64)}`)
    // words that fit 160 bits and have a high byte set look like addresses; amounts rarely do
    if (word >= 2n ** 152n && word < 2n ** 160n) continue
    if (word > largest && word < 2n ** 200n) largest = word
  }
  return largest
}

/** The account that called the contract a frame runs for (a DELEGATECALL's caller is its proxy: look past it). */
function callerOf(frames: ReturnType<typeof indexTransaction>['frames'], index: number): Address | undefined {
  let frame = frames[index]
  while (frame && (frame.type === 'DELEGATECALL' || frame.type === 'CALLCODE') && frame.parent >= 0) frame = frames[frame.parent]
  return frame?.from
}
