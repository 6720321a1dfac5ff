import { spawnSync } from 'node:child_process'
import { SolverUnavailableError } from './errors.js'
import { runWasmZ3, wasmZ3Package } from './wasmZ3.js'

/**
 * The z3 that answers the SMTChecker: a z3 binary, or the `z3-solver` npm package (z3 compiled to
 * WebAssembly, run in a worker thread) when no binary is configured or on the PATH.
 */
export type Z3Solver =
  | { kind: 'binary'; path: string; /** e.g. `4.8.12`; part of the result cache key. */ version: string }
  | { kind: 'wasm'; path: 'z3-solver'; /** e.g. `z3-solver 5.2.0 (WebAssembly)`; part of the result cache key. */ version: string }

/**
 * Finds z3: `solverPath`, else `$BULWARK_Z3` (both must be a runnable binary), else `z3` on the
 * PATH, else the `z3-solver` package installed with Bulwark.
 *
 * @throws {SolverUnavailableError} the configured binary does not answer `-version`, or there is
 * neither a z3 on the PATH nor the `z3-solver` package.
 */
export function resolveZ3(solverPath?: string, env: NodeJS.ProcessEnv = process.env): Z3Solver {
  const configured = solverPath ?? env['BULWARK_Z3']
  const path = configured ?? 'z3'
  const probe = spawnSync(path, ['-version'], { encoding: 'utf8', timeout: 10_000, env })
  if (!probe.error && probe.status === 0) {
    const version = /Z3 version (\S+)/.exec(probe.stdout)?.[1] ?? probe.stdout.trim()
    return { kind: 'binary', path, version }
  }
  const reason = probe.error ? ((probe.error as NodeJS.ErrnoException).code ?? probe.error.message) : `exit ${probe.status}`
  if (configured !== undefined) throw new SolverUnavailableError({ solverPath: path, reason })
  const wasm = wasmZ3Package()
  if (!wasm) throw new SolverUnavailableError({ solverPath: path, reason: `${reason}; the z3-solver package is not installed either` })
  return { kind: 'wasm', path: 'z3-solver', version: `z3-solver ${wasm.version} (WebAssembly)` }
}

/** One answered query: the solver's verdict and, for `unsat` (a reachable error), the proof it gave. */
export type SolverAnswer = { result: 'sat' | 'unsat' | 'unknown' | 'error'; proof?: string; timedOut: boolean; durationMs: number }

// The options solc itself gives z3 for CHC queries (solc's Z3CHCInterface), so both solvers see the same problem.
const spacerParams = [
  ['rewriter.pull_cheap_ite', 'true'],
  ['fp.spacer.q3.use_qgen', 'true'],
  ['fp.spacer.mbqi', 'false'],
  ['fp.spacer.ground_pobs', 'false'],
] as const

/**
 * The callback solc-js calls for each CHC query (`smtSolver`; solc-js is synchronous, so is this).
 * A binary z3 runs each query in its own `z3 -in -smt2` with a hard per-query limit (`-T:`); the
 * WebAssembly z3 answers in a persistent worker, with a soft limit (`:timeout`) and a hard one
 * (the worker is abandoned). Both come on top of the `(set-option :timeout …)` solc writes. A
 * reachable error target (`unsat` for HORN queries) is asked for its refutation proof, which
 * `parseCounterexample` reads the call sequence from.
 */
export function createZ3Callback(solver: Z3Solver, timeoutMs: number) {
  const answers: SolverAnswer[] = []
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000))
  const callback = (query: string): { contents: string } | { error: string } => {
    const started = performance.now()
    const withProof = query.replace(/\(check-sat\)\s*$/m, '(check-sat)\n(get-proof)')
    let out = ''
    let failed = false
    if (solver.kind === 'binary') {
      const run = spawnSync(
        solver.path,
        ['-in', '-smt2', `-T:${seconds}`, ...spacerParams.map(([name, value]) => `${name}=${value}`)],
        { input: `(set-option :produce-proofs true)\n${withProof}`, encoding: 'utf8', timeout: (seconds + 5) * 1000, maxBuffer: 256 * 1024 * 1024 },
      )
      out = run.stdout ?? ''
      failed = run.error !== undefined
    } else {
      const run = runWasmZ3(`(set-option :produce-proofs true)\n(set-option :timeout ${seconds * 1000})\n${withProof}`, (seconds + 5) * 1000, spacerParams)
      out = run.output ?? ''
      failed = run.output === undefined && run.timedOut
    }
    const durationMs = performance.now() - started
    const first = out.split('\n', 1)[0]?.trim() ?? ''
    const timedOut = failed || first === 'timeout' || first === 'unknown'
    if (first === 'sat' || first === 'unsat') {
      const answer: SolverAnswer = { result: first, timedOut: false, durationMs }
      if (first === 'unsat') answer.proof = out.slice(out.indexOf('\n') + 1)
      answers.push(answer)
      // solc reads the verdict from the first line; the proof is for us.
      return { contents: `${first}\n` }
    }
    answers.push({ result: timedOut ? 'unknown' : 'error', timedOut, durationMs })
    return { contents: 'unknown\n' }
  }
  return { callback, answers }
}
