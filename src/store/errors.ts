import { BaseError, redactSecrets } from '../errors/BaseError.js'

export class StoreError extends BaseError {
  override readonly name = 'StoreError'
  constructor({ action, cause }: { action: string; cause?: unknown }) {
    super('BW_STORE_FAILED', `The database could not ${action}.`, {
      ...(cause instanceof Error ? { details: redactSecrets(cause.message.split('\n')[0] ?? '') } : {}),
      cause,
    })
  }
}

export class NoSnapshotError extends BaseError {
  override readonly name = 'NoSnapshotError'
  constructor({ chainId, scope }: { chainId: number; scope: string }) {
    super('BW_NO_SNAPSHOT', `No earlier inventory snapshot for chain ${chainId} and these contracts to compare with.`, {
      metaMessages: [`Scope: ${scope}`, 'Run `bulwark inventory` once without --diff to record a baseline.'],
    })
  }
}

/** Who holds an embedded database: enough for an operator to find and stop it. */
export type StoreLockHolder = { pid: number; command: string; since: string; host: string }

/** Another process (or another open in this one) holds the embedded database: a second writer would lose writes. */
export class StoreLockedError extends BaseError {
  override readonly name = 'StoreLockedError'
  readonly holder: StoreLockHolder
  constructor({ dataDir, holder }: { dataDir: string; holder: StoreLockHolder }) {
    super('BW_STORE_LOCKED', `The embedded database ${dataDir} is in use by process ${holder.pid} (${holder.command}) on ${holder.host} since ${holder.since}.`, {
      metaMessages: [
        'PGlite serves one process: a second one on the same folder would lose its writes.',
        'Stop that process, send the command to it with --server URL --token TOKEN, or use PostgreSQL (DATABASE_URL) for several processes.',
      ],
    })
    this.holder = holder
  }
}
