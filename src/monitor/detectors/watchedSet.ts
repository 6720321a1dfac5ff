import { decodeEventLog, type Address, type Hex } from 'viem'
import { diamondAbi } from '../../chain/diamondAbi.js'
import { z } from 'zod'
import type { Detector } from '../types.js'
import { growScope, indexTransaction, scopeSetsOf, topicAddress, topics } from './traceIndex.js'

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 20-byte hex address')

export const watchedSetConfigSchema = z
  .object({
    /** Contracts created by a watched contract (a pool factory, a vault deployer) join the watched set. */
    createdByWatched: z.boolean().default(true),
    /** More factories whose creations join the watched set (factories that are not themselves protocol contracts). */
    factories: z.array(address).default([]),
    /** Beacons whose beacon proxies join the watched set when they are deployed (watched beacons count too). */
    beacons: z.array(address).default([]),
    /** An implementation installed on a watched proxy through the approved path (governance, the release gate) joins the watched set. */
    approvedImplementations: z.boolean().default(true),
  })
  .strict()
export type WatchedSetConfig = z.infer<typeof watchedSetConfigSchema>

/**
 * Grows the watched set while the monitor runs, so later detectors see what the protocol becomes:
 * contracts created (CREATE/CREATE2 frames of mined transactions) by watched contracts or
 * configured factories, beacon proxies of a watched or configured beacon (their constructor
 * emits `BeaconUpgraded`), and implementations installed through the approved path. It runs
 * first and reports nothing; what joined is listed by `grownContracts(scope)`.
 */
export const watchedSet: Detector<WatchedSetConfig> = {
  id: 'watched-set',
  description: 'Adds contracts created by watched contracts and factories, beacon proxies of watched beacons, and approved implementations to the watched set.',
  configSchema: watchedSetConfigSchema as z.ZodType<WatchedSetConfig>,
  create: (config) => {
    const factories = new Set(config.factories.map((f) => f.toLowerCase()))
    const beacons = new Set(config.beacons.map((b) => b.toLowerCase()))
    return {
      id: 'watched-set',
      kinds: ['transaction'],
      detect(event, ctx) {
        if (event.kind !== 'transaction' || event.transaction.status !== 'success') return []
        const index = indexTransaction(event.transaction, ctx)
        const block = event.block.number
        const created = new Set<string>()
        for (const frame of index.frames) {
          if (frame.reverted || !frame.to || (frame.type !== 'CREATE' && frame.type !== 'CREATE2')) continue
          created.add(frame.to.toLowerCase())
          const creator = frame.from.toLowerCase()
          const { contracts } = scopeSetsOf(ctx)
          if ((config.createdByWatched && contracts.has(creator)) || factories.has(creator)) growScope(ctx.scope, frame.to, `created by ${frame.from}`, block)
        }
        if (index.frames.length === 0 && event.transaction.contractAddress) created.add(event.transaction.contractAddress.toLowerCase())
        for (const log of index.logs) {
          const topic = log.topics[0]
          if (topic === topics.beaconUpgraded && created.has(log.address.toLowerCase())) {
            const beacon = topicAddress(log.topics[1]).toLowerCase()
            if (beacons.has(beacon) || scopeSetsOf(ctx).contracts.has(beacon)) growScope(ctx.scope, log.address, `beacon proxy of ${topicAddress(log.topics[1])}`, block)
          } else if (config.approvedImplementations && topic === topics.upgraded && (log.viaGate || log.viaAuthority) && scopeSetsOf(ctx).contracts.has(log.address.toLowerCase())) {
            const implementation: Address = topicAddress(log.topics[1])
            growScope(ctx.scope, implementation, `implementation of ${log.address} installed through governance`, block)
          } else if (config.approvedImplementations && topic === topics.diamondCut && (log.viaGate || log.viaAuthority) && scopeSetsOf(ctx).contracts.has(log.address.toLowerCase())) {
            // a diamond's implementations are its facets: those added or replaced through governance join
            for (const facet of cutFacets(log.topics as [Hex, ...Hex[]], log.data)) growScope(ctx.scope, facet, `facet of ${log.address} cut in through governance`, block)
          }
        }
        return []
      },
    }
  },
}

/** Facets an EIP-2535 `DiamondCut` adds or replaces (remove cuts name the zero address). */
function cutFacets(logTopics: [Hex, ...Hex[]], data: Hex): Address[] {
  const { args } = decodeEventLog({ abi: diamondAbi, eventName: 'DiamondCut', topics: logTopics, data })
  return args._diamondCut.filter((cut) => cut.action !== 2).map((cut) => cut.facetAddress)
}
