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
