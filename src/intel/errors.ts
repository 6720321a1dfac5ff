import { BaseError, redactSecrets } from '../errors/BaseError.js'

/**
 * The feed as a whole could not be read: the file or folder is missing, the URL did not answer,
 * or the document is not JSON in a form Bulwark reads. A single malformed entry is not an
 * error: it is reported with its id and skipped (see `readFeed`).
 */
export class IntelFeedUnreadableError extends BaseError {
  override readonly name = 'IntelFeedUnreadableError'
  readonly location: string

  constructor({ location, problem, cause }: { location: string; problem: string; cause?: unknown }) {
    super('BW_INTEL_FEED_UNREADABLE', `Advisory feed ${redactSecrets(location)} is not readable: ${problem}.`, {
      metaMessages: [
        'A feed is an OSV advisory (.json), a JSON array of them, a folder of .json files, a Bulwark snapshot',
        '({ "entries": [{ "source", "osv" }] }), an OSV API answer ({ "vulns": [...] }), or team patterns; see docs/intel.md.',
      ],
      ...(cause instanceof Error ? { details: redactSecrets(cause.message.split('\n')[0] ?? cause.message) } : {}),
      cause,
    })
    this.location = redactSecrets(location)
  }
}
