import type { Store } from '../../store/openStore.js'
import type { Alert } from '../types.js'
import type { AlertSink } from './alertSink.js'

/**
 * The server's live stream: alerts are written to `monitor_alert_stream`, which any process sharing
 * the database reads in id order (the server's `/events` feed polls it like the transitions table).
 */
export function createAlertStreamSink(store: Store): AlertSink {
  return {
    name: 'stream',
    async send(alert: Alert) {
      await store.query('INSERT INTO monitor_alert_stream (chain_id, alert, raised_at) VALUES ($1, $2, $3)', [alert.chain, JSON.stringify(alert), alert.raisedAt])
    },
  }
}

/** Alerts written after `afterId` (exclusive), oldest first, at most `limit`. */
export async function listStreamAlerts(store: Store, { afterId = 0, limit = 500 }: { afterId?: number | undefined; limit?: number | undefined } = {}): Promise<{ id: number; alert: Alert }[]> {
  const rows = await store.query<{ id: string | number; alert: unknown }>('SELECT id, alert FROM monitor_alert_stream WHERE id > $1 ORDER BY id LIMIT $2', [afterId, limit])
  return rows.map((row) => ({ id: Number(row.id), alert: (typeof row.alert === 'string' ? JSON.parse(row.alert) : row.alert) as Alert }))
}

/** The newest stream id (0 when empty): a live subscriber starts after it. */
export async function latestStreamAlertId(store: Store): Promise<number> {
  const [row] = await store.query<{ id: string | number | null }>('SELECT max(id) AS id FROM monitor_alert_stream')
  return Number(row?.id ?? 0)
}
