import { spawnSync } from 'node:child_process'
import { SolverUnavailableError } from './errors.js'

export type Z3Solver = {
  path: string
  /** e.g. `4.8.12`; part of the result cache key. */
  version: string
}

/**
 * Finds z3: `solverPath`, else `$BULWARK_Z3`, else `z3` on the PATH, and checks it runs.
 *
 * @throws {SolverUnavailableError} the binary is missing or does not answer `-version`.
 */
export function resolveZ3(solverPath?: string, env: NodeJS.ProcessEnv = process.env): Z3Solver {
  const path = solverPath ?? env['BULWARK_Z3'] ?? 'z3'
  const probe = spawnSync(path, ['-version'], { encoding: 'utf8', timeout: 10_000 })
  if (probe.error || probe.status !== 0) {
    throw new SolverUnavailableError({ solverPath: path, reason: probe.error ? (probe.error as NodeJS.ErrnoException).code ?? probe.error.message : `exit ${probe.status}` })
  }
  const version = /Z3 version (\S+)/.exec(probe.stdout)?.[1] ?? probe.stdout.trim()
  return { path, version }
}

/** One answered query: the solver's verdict and, for `unsat` (a reachable error), the proof it gave. */
export type SolverAnswer = { result: 'sat' | 'unsat' | 'unknown' | 'error'; proof?: string; timedOut: boolean; durationMs: number }

/**
 * The callback solc-js calls for each CHC query (`smtSolver`; solc-js is synchronous, so is this).
 * Every query runs in its own `z3 -in -smt2` with a hard per-query limit (`-T:`), on top of the
 * `(set-option :timeout …)` solc writes. A reachable error target (`unsat` for HORN queries) is
 * asked for its refutation proof, which `parseCounterexample` reads the call sequence from.
 */
export function createZ3Callback(solver: Z3Solver, timeoutMs: number) {
  const answers: SolverAnswer[] = []
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000))
  const callback = (query: string): { contents: string } | { error: string } => {
    const started = performance.now()
    const input = `(set-option :produce-proofs true)\n${query.replace(/\(check-sat\)\s*$/m, '(check-sat)\n(get-proof)')}`
    const run = spawnSync(
      solver.path,
      ['-in', '-smt2', `-T:${seconds}`, 'rewriter.pull_cheap_ite=true', 'fp.spacer.q3.use_qgen=true', 'fp.spacer.mbqi=false', 'fp.spacer.ground_pobs=false'],
      { input, encoding: 'utf8', timeout: (seconds + 5) * 1000, maxBuffer: 256 * 1024 * 1024 },
    )
    const durationMs = performance.now() - started
    const out = run.stdout ?? ''
    const first = out.split('\n', 1)[0]?.trim() ?? ''
    const timedOut = run.error !== undefined || first === 'timeout' || first === 'unknown'
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
