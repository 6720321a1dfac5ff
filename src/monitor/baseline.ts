import { z } from 'zod'

/**
 * Per-protocol baselines: what "usual" looks like, learned from the protocol's own history
 * (a warm-up replay of past blocks, then every mined block). A detector keys its samples by what
 * it judges — a function selector and caller, a token and holder and flow direction — and asks
 * for the threshold of a key: `factor` × the `percentile` of its recent samples, once it has seen
 * `minSamples` of them. Before that the key is still warming up and the detector's fixed
 * thresholds apply alone.
 */
export const baselineConfigSchema = z
  .object({
    /** Samples a key needs before its threshold counts (the warm-up). */
    minSamples: z.number().int().min(1).max(100_000).default(20),
    /** The percentile of recent samples the threshold is built on (0..1). */
    percentile: z.number().min(0).max(1).default(0.99),
    /** How far above that percentile a value must be to be unusual. */
    factor: z.number().min(1).max(1_000_000).default(10),
    /** Recent samples kept per key (a ring: older ones are forgotten). */
    window: z.number().int().min(8).max(100_000).default(512),
  })
  .strict()
export type BaselineConfig = z.infer<typeof baselineConfigSchema>

export type Baseline = {
  /** Records one observed value (mined history only; a pending transaction is judged, never learned). */
  observe(key: string, value: bigint): void
  /** `factor` × the percentile of the key's samples, or undefined while the key is warming up. */
  threshold(key: string): bigint | undefined
  /** How many samples the key holds. */
  samples(key: string): number
  /** Every key with its sample count and current threshold (for reports). */
  summary(): { key: string; samples: number; threshold: string | null }[]
}

/** Keys beyond this are not learned (a flood of one-off callers must not grow memory without bound). */
const maxKeys = 20_000

export function createBaseline(config: BaselineConfig): Baseline {
  const rings = new Map<string, { values: bigint[]; next: number; total: number; cached: bigint | undefined; stale: boolean }>()
  const factorScaled = BigInt(Math.round(config.factor * 1000))
  function threshold(key: string): bigint | undefined {
    const ring = rings.get(key)
    if (!ring || ring.total < config.minSamples) return undefined
    if (ring.stale) {
      const sorted = [...ring.values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(config.percentile * sorted.length) - 1))
      ring.cached = (sorted[rank]! * factorScaled) / 1000n
      ring.stale = false
    }
    return ring.cached
  }
  return {
    observe(key, value) {
      let ring = rings.get(key)
      if (!ring) {
        if (rings.size >= maxKeys) return
        rings.set(key, (ring = { values: [], next: 0, total: 0, cached: undefined, stale: true }))
      }
      if (ring.values.length < config.window) ring.values.push(value)
      else ring.values[ring.next] = value
      ring.next = (ring.next + 1) % config.window
      ring.total++
      // re-sorted every 16 samples: a threshold runs a little behind, at a fraction of the cost
      if (ring.cached === undefined || ring.total % 16 === 0) ring.stale = true
    },
    threshold,
    samples: (key) => rings.get(key)?.total ?? 0,
    summary: () => [...rings.keys()].map((key) => ({ key, samples: rings.get(key)!.total, threshold: threshold(key)?.toString() ?? null })),
  }
}
