/**
 * A seeded PRNG (mulberry32) so a risk assessment is reproducible: the same input and seed give
 * the same numbers on every machine. Not for anything secret.
 */
export type Prng = {
  /** Uniform in (0, 1): never exactly 0, so `-log(u)` is finite. */
  uniform(): number
  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number
}

export function createPrng(seed: number): Prng {
  let state = seed >>> 0
  let spare: number | undefined
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296
  }
  return {
    uniform,
    normal() {
      if (spare !== undefined) {
        const value = spare
        spare = undefined
        return value
      }
      const radius = Math.sqrt(-2 * Math.log(uniform()))
      const angle = 2 * Math.PI * uniform()
      spare = radius * Math.sin(angle)
      return radius * Math.cos(angle)
    },
  }
}
