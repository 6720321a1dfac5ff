import { afterAll, describe, expect, it } from 'vitest'
import { runWasmZ3, stopWasmZ3, wasmZ3Package } from './wasmZ3.js'
import { resolveZ3 } from './z3Solver.js'

/** The pigeonhole principle for n holes: unsatisfiable, and exponentially hard for z3's SAT core (n = 10 takes seconds). */
function pigeonhole(n: number): string {
  const lines: string[] = []
  for (let p = 0; p <= n; p++) for (let h = 0; h < n; h++) lines.push(`(declare-const p${p}h${h} Bool)`)
  for (let p = 0; p <= n; p++) lines.push(`(assert (or ${Array.from({ length: n }, (_, h) => `p${p}h${h}`).join(' ')}))`)
  for (let h = 0; h < n; h++) for (let a = 0; a <= n; a++) for (let b = a + 1; b <= n; b++) lines.push(`(assert (not (and p${a}h${h} p${b}h${h})))`)
  return `${lines.join('\n')}\n(check-sat)`
}

afterAll(() => stopWasmZ3())

describe('z3 from the npm registry (WebAssembly, in a worker)', () => {
  it('answers synchronously, with a proof for unsat, and each script in a fresh context', () => {
    const unsat = runWasmZ3('(set-option :produce-proofs true)\n(declare-const x Int)\n(assert (> x 3))\n(assert (< x 2))\n(check-sat)\n(get-proof)', 60_000, [])
    expect(unsat.output?.split('\n')[0]).toBe('unsat')
    expect(unsat.output).toContain('(asserted (< x 2))')
    // `x` was declared by the previous script only: a shared context would reject the redeclaration.
    expect(runWasmZ3('(declare-const x Bool)\n(assert x)\n(check-sat)', 10_000, [])).toEqual({ output: 'sat\n', timedOut: false })
  })

  it('stops at the soft :timeout with unknown, abandons a script at the hard limit, and answers the next one', () => {
    expect(runWasmZ3(`(set-option :timeout 200)\n${pigeonhole(12)}`, 30_000, []).output).toBe('unknown\n')
    const started = performance.now()
    expect(runWasmZ3(pigeonhole(12), 300, [])).toEqual({ timedOut: true, error: 'no answer within 300 ms' })
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(runWasmZ3('(declare-const y Int)\n(assert (> y 1))\n(check-sat)', 60_000, [])).toEqual({ output: 'sat\n', timedOut: false })
  })

  it('is the solver when no z3 is configured or on the PATH; a configured binary that does not run is an error', () => {
    const version = wasmZ3Package()?.version
    expect(version).toMatch(/^\d+\.\d+\.\d+$/)
    expect(resolveZ3(undefined, { PATH: '/nonexistent' })).toEqual({ kind: 'wasm', path: 'z3-solver', version: `z3-solver ${version} (WebAssembly)` })
    expect(() => resolveZ3(undefined, { PATH: '/nonexistent', BULWARK_Z3: '/nonexistent/z3' })).toThrow(/BW_SOLVER_UNAVAILABLE|cannot be run \(ENOENT\)/)
  })
})
