import type { Alert } from '../types.js'

/** Where alerts go. `send` may fail; the pipeline logs the failure and carries on with the other sinks. */
export type AlertSink = {
  readonly name: string
  send(alert: Alert): Promise<void>
}
