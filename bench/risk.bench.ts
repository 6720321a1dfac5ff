/**
 * Time for a route recommendation with 10,000 Monte Carlo samples per route option (all six
 * options: three routes, with and without pausing first), chart data included.
 * Prints figures and ratios; never fails on an absolute time. Target from issue 9: under 100 ms.
 */
import { assessRisk } from '../src/risk/assessRisk.js'
import type { RiskInput } from '../src/risk/model.js'

const iterations = Number(process.env.BENCH_ITERATIONS ?? 30)
const now = Date.parse('2026-03-01T12:00:00Z')
const input: RiskInput = {
  severity: 'critical',
  exposure: 'private',
  discoveredAt: now - 3 * 3_600_000,
  now,
  valueAtRiskUsd: 25_000_000,
  unpausableShare: 0.15,
  contained: false,
  history: { emergency: [3, 4.5, 6, 8, 12, 20], pause: [0.3, 0.5, 1, 2, 4] },
  constraints: { routes: ['standard', 'emergency', 'private'], timelockDelayHours: 48, pauseAvailable: true },
}

function measure(samples: number): { medianMs: number; p90Ms: number; options: number } {
  let options = 0
  assessRisk(input, { samples }) // warm-up (JIT, zod schemas)
  const times: number[] = []
  for (let i = 0; i < iterations; i += 1) {
    const started = performance.now()
    options = assessRisk(input, { samples, seed: i + 1 }).options.length
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return { medianMs: times[Math.floor(times.length / 2)]!, p90Ms: times[Math.floor(times.length * 0.9)]!, options }
}

const cold = performance.now()
assessRisk(input, { samples: 10_000 })
const coldMs = performance.now() - cold

const main = measure(10_000)
const small = measure(1_000)
console.log(`risk recommendation, 10,000 samples × ${main.options} route options: median ${main.medianMs.toFixed(1)} ms, p90 ${main.p90Ms.toFixed(1)} ms (first call ${coldMs.toFixed(1)} ms)`)
console.log(`  1,000 samples × ${small.options} options: median ${small.medianMs.toFixed(1)} ms; 10× samples cost ${(main.medianMs / small.medianMs).toFixed(1)}× the time`)
console.log(`  throughput: ${((10_000 * main.options) / (main.medianMs / 1000) / 1e6).toFixed(2)} M samples/s`)
console.log(`  target < 100 ms: median is ${(main.medianMs / 100).toFixed(2)}× the target`)
