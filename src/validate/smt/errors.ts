import { BaseError } from '../../errors/BaseError.js'

/** The SMT solver (z3) is not installed or cannot be started: the prover did not run, so nothing was proved. */
export class SolverUnavailableError extends BaseError {
  override readonly name = 'SolverUnavailableError'
  readonly solverPath: string
  constructor({ solverPath, reason }: { solverPath: string; reason: string }) {
    super('BW_SOLVER_UNAVAILABLE', `The SMT solver "${solverPath}" cannot be run (${reason}): the prover stage did not run and proved nothing. Without a configured solver Bulwark uses z3 on the PATH, else the z3-solver package installed with it (npm install); BULWARK_Z3 or specification.solverPath must name a z3 binary that runs.`)
    this.solverPath = solverPath
  }
}
