import { BaseError, redactSecrets } from '../errors/BaseError.js'

/** A detector's config fails its schema (or the detector id is unknown). */
export class DetectorConfigError extends BaseError {
  override readonly name = 'DetectorConfigError'
  constructor({ detector, path, problem }: { detector: string; path: string; problem: string }) {
    super('BW_DETECTOR_CONFIG_INVALID', `Detector "${detector}" has an invalid config at ${path || '(root)'}: ${problem}`)
  }
}

/** A block, its receipts or its traces could not be read. */
export class MonitorSourceError extends BaseError {
  override readonly name = 'MonitorSourceError'
  constructor({ action, cause }: { action: string; cause: unknown }) {
    super('BW_MONITOR_SOURCE_FAILED', `The monitor could not ${action}.`, {
      details: cause instanceof Error ? cause.message.split('\n')[0]?.replace(/https?:\/\/\S+/g, '<rpc>') : String(cause),
      cause,
    })
  }
}

/**
 * The monitor no longer holds its chain's lease (its lock connection to PostgreSQL dropped, a
 * heartbeat failed, or another holder is recorded): it stops, and the standby that holds the lease
 * now carries on from the checkpoint.
 */
export class MonitorLeaseLostError extends BaseError {
  override readonly name = 'MonitorLeaseLostError'
  constructor({ shard, holder, reason, cause }: { shard: string; holder: string; reason: string; cause?: unknown }) {
    super('BW_MONITOR_LEASE_LOST', `The monitor ${holder} lost its lease on ${shard} (${reason}); it stops so that the holder of the lease carries on alone.`, {
      ...(cause instanceof Error ? { details: redactSecrets(cause.message.split('\n')[0] ?? '') } : {}),
      cause,
    })
  }
}
