import type { Alert } from '../types.js'
import type { AlertSink } from './alertSink.js'

/** One alert per line, as JSON (the stable shape documented in docs/monitor.md), to `write` (stdout). */
export function createStdoutSink(write: (line: string) => void): AlertSink {
  return {
    name: 'stdout',
    async send(alert: Alert) {
      write(JSON.stringify(alert))
    },
  }
}
