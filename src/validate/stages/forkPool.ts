import type { Address, Hex } from 'viem'
import { ForkPreparationError } from '../dynamicStageErrors.js'
import type { StageContext } from '../stage.js'
import {
  deployImplementationsOnFork,
  planUpgradeRoutes,
  startValidationFork,
  upgradeOnFork,
  type UpgradeCallOptions,
  type UpgradeRoute,
  type ValidationFork,
} from './validationFork.js'

/** `unpatched`: the chain at the pinned block (new implementations deployed, nothing upgraded); `patched`: every target upgraded with its initializer. */
export type ForkKind = 'unpatched' | 'patched'

/** A fork of the pinned block prepared for the patch: the new implementations are deployed on it. */
export type PatchFork = ValidationFork & {
  readonly kind: ForkKind
  readonly routes: readonly UpgradeRoute[]
  /** Target name → its new implementation's address on this fork (the same on every fork of a run). */
  readonly implementations: ReadonlyMap<string, Address>
  /**
   * Upgrades one target as its upgrade authority (impersonated): `{ withInitializer: false }` leaves
   * the manifest's initializer uncalled. On a `patched` fork every target is already upgraded.
   *
   * @throws {ForkPreparationError} unknown target, or the upgrade reverted.
   */
  upgrade(target: string, options?: UpgradeCallOptions): Promise<void>
}

/** Forks held by one stage; `release()` puts them back exactly as they were handed out. */
export type ForkLease = { forks: PatchFork[]; release(): Promise<void> }

/**
 * The forks of one validation run, shared by its stages: each stage leases what it needs, works
 * on it, and on release the fork is reverted to its prepared snapshot for the next stage. So a run
 * starts (and warms the state cache of) one fork per kind instead of one or two per stage.
 */
export type ForkPool = {
  /** Waits until forks of these kinds are free (all at once, so two stages never deadlock) and leases them. */
  acquire(kinds: readonly ForkKind[]): Promise<ForkLease>
  /** How many forks the pool has started so far. */
  readonly forksStarted: number
  /** Stops every fork; waiting and later acquires fail. */
  stop(): Promise<void>
}

export type ForkPoolContext = Pick<StageContext, 'rpcUrl' | 'chainId' | 'blockNumber' | 'client' | 'builds' | 'signal'>

export type CreateForkPoolOptions = {
  /**
   * Forks of one kind that may exist at once (default 2): stages beyond that take turns. Two lets the
   * two longest stages (exploit replay and regression, both running Foundry) overlap, while the
   * others reuse their forks instead of starting (and filling the state cache of) forks of their own.
   */
  maxPerKind?: number | undefined
}

type Slot = { fork: PatchFork; snapshot: Hex }
type Waiter = { kinds: readonly ForkKind[]; resolve: (lease: ForkLease) => void; reject: (error: unknown) => void }

/** A pool for one run. Nothing starts until the first `acquire`. */
export function createForkPool(context: ForkPoolContext, options: CreateForkPoolOptions = {}): ForkPool {
  const maxPerKind = options.maxPerKind ?? 2
  let routes: Promise<UpgradeRoute[]> | undefined
  const planned = () => (routes ??= planUpgradeRoutes(context))
  const idle: Record<ForkKind, Slot[]> = { unpatched: [], patched: [] }
  const count: Record<ForkKind, number> = { unpatched: 0, patched: 0 }
  const all = new Set<Promise<Slot | undefined>>()
  const waiting: Waiter[] = []
  let started = 0
  let stopped = false

  const prepare = async (kind: ForkKind): Promise<Slot> => {
    const plannedRoutes = await planned()
    const fork = await startValidationFork(context)
    started += 1
    try {
      const addresses = await deployImplementationsOnFork(fork, plannedRoutes)
      const implementations = new Map(plannedRoutes.map((route, index) => [route.target, addresses[index]!]))
      if (kind === 'patched') for (const [index, route] of plannedRoutes.entries()) await upgradeOnFork(fork, route, addresses[index]!)
      const upgrade = async (target: string, upgradeOptions?: UpgradeCallOptions) => {
        const route = plannedRoutes.find((candidate) => candidate.target === target)
        if (!route) throw new ForkPreparationError({ step: `upgrade ${target}`, reason: `"${target}" is not a target of the manifest` })
        await upgradeOnFork(fork, route, implementations.get(target)!, upgradeOptions)
      }
      const patchFork: PatchFork = { ...fork, kind, routes: plannedRoutes, implementations, upgrade }
      return { fork: patchFork, snapshot: await fork.client.snapshot() }
    } catch (error) {
      await fork.stop()
      throw error
    }
  }

  const pump = () => {
    for (let index = 0; index < waiting.length; ) {
      const waiter = waiting[index]!
      const needed = { unpatched: 0, patched: 0 }
      for (const kind of waiter.kinds) needed[kind] += 1
      const fits = (['unpatched', 'patched'] as const).every((kind) => idle[kind].length + (maxPerKind - count[kind]) >= needed[kind] || needed[kind] === 0)
      if (!fits) {
        index += 1
        continue
      }
      waiting.splice(index, 1)
      const slots = waiter.kinds.map((kind): Promise<Slot> => {
        const free = idle[kind].shift()
        if (free) return Promise.resolve(free)
        count[kind] += 1
        const preparing = prepare(kind)
        const tracked = preparing.catch(() => {
          count[kind] -= 1
          return undefined
        })
        all.add(tracked)
        return preparing
      })
      Promise.allSettled(slots).then((settled) => {
        const ready = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
        const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected')
        if (failure || stopped) {
          for (const slot of ready) idle[slot.fork.kind].push(slot)
          waiter.reject(failure ? failure.reason : new ForkPreparationError({ step: 'lease a validation fork', reason: 'the run is over' }))
          pump()
          return
        }
        let released = false
        waiter.resolve({
          forks: ready.map((slot) => slot.fork),
          release: async () => {
            if (released) return
            released = true
            await Promise.all(ready.map(async (slot) => {
              try {
                await slot.fork.client.revert({ id: slot.snapshot })
                slot.snapshot = await slot.fork.client.snapshot()
                idle[slot.fork.kind].push(slot)
              } catch {
                // A fork that cannot be reset is dropped; the next stage gets a fresh one.
                count[slot.fork.kind] -= 1
                await slot.fork.stop()
              }
            }))
            pump()
          },
        })
      }, waiter.reject)
    }
  }

  return {
    acquire(kinds) {
      if (stopped) return Promise.reject(new ForkPreparationError({ step: 'lease a validation fork', reason: 'the run is over' }))
      return new Promise<ForkLease>((resolve, reject) => {
        waiting.push({ kinds, resolve, reject })
        pump()
      })
    },
    get forksStarted() {
      return started
    },
    async stop() {
      stopped = true
      for (const waiter of waiting.splice(0)) waiter.reject(new ForkPreparationError({ step: 'lease a validation fork', reason: 'the run is over' }))
      const slots = await Promise.all(all)
      await Promise.all(slots.map((slot) => slot?.fork.stop()))
    },
  }
}

/**
 * Runs `body` with leased forks of the given kinds, from the run's pool (`context.forks`) or, when the
 * stage runs alone, from a pool of its own that is stopped afterwards.
 */
export async function withForks<T>(context: ForkPoolContext & Pick<StageContext, 'forks'>, kinds: readonly ForkKind[], body: (forks: PatchFork[]) => Promise<T>): Promise<T> {
  const pool = context.forks ?? createForkPool(context)
  try {
    const lease = await pool.acquire(kinds)
    try {
      return await body(lease.forks)
    } finally {
      if (context.forks) await lease.release()
    }
  } finally {
    if (!context.forks) await pool.stop()
  }
}
