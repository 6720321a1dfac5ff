import { BaseError } from '../errors/BaseError.js'

/**
 * The server was started without a devnet (plain `bulwark serve`), or `bulwark demo` found no
 * running dashboard: the demo and the live inventory need `npm start`.
 */
export class DemoUnavailableError extends BaseError {
  override readonly name = 'DemoUnavailableError'
  constructor({ reason }: { reason?: string | undefined } = {}) {
    super('BW_DEMO_UNAVAILABLE', reason ?? 'No devnet is attached to this server: start it with `npm start` (bulwark devnet) to run the demo and read the inventory.')
  }
}

/** A demo incident is already being played; one at a time (they share the devnet's accounts and clock). */
export class DemoRunningError extends BaseError {
  override readonly name = 'DemoRunningError'
  constructor({ runId }: { runId: number }) {
    super('BW_DEMO_RUNNING', `Demo run ${runId} is still playing; wait for it to finish.`)
  }
}
