import { jobSeconds } from './registry.js'

export const jobMetrics = {
  observe({ kind, outcome, seconds }: { kind: string; outcome: string; seconds: number }): void {
    jobSeconds.observe({ kind, outcome }, seconds)
  },
}
