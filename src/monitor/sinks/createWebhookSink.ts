import type { Alert } from '../types.js'
import type { AlertSink } from './alertSink.js'

export type WebhookSinkParameters = {
  url: string
  /** `json`: the alert as is; `slack`: a Slack-compatible `{ text, blocks }` message (Slack, Mattermost, Discord's /slack endpoint). */
  format: 'json' | 'slack'
  /** Per request, in milliseconds (default 5000). */
  timeoutMs?: number | undefined
  /** Extra headers (for example an Authorization for a JSON receiver). */
  headers?: Record<string, string> | undefined
}

/** The Slack-compatible message for an alert: a one-line text plus a section with the fields a responder reads first. */
export function slackMessageOf(alert: Alert): { text: string; blocks: unknown[] } {
  const where = alert.block ? `block ${alert.block.number}` : 'mempool (pending)'
  const response = alert.response.kind === 'none' ? 'no response' : `${alert.response.kind}${alert.response.tx ? ` (tx ${alert.response.tx})` : ''}`
  const text = `[${alert.severity.toUpperCase()}] ${alert.detector} on chain ${alert.chain}, ${where}: ${alert.summary} — risk ${alert.riskScore}, ${response}`
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${alert.severity.toUpperCase()}* \`${alert.detector}\` — ${alert.summary}` } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Risk*\n${alert.riskScore}` },
          { type: 'mrkdwn', text: `*Response*\n${response}` },
          { type: 'mrkdwn', text: `*Chain*\n${alert.chain} (${where})` },
          { type: 'mrkdwn', text: `*Tx*\n${alert.tx ?? '—'}` },
        ],
      },
    ],
  }
}

/** POSTs each alert to a webhook. A non-2xx answer or a timeout is an error (logged by the pipeline, not retried). */
export function createWebhookSink({ url, format, timeoutMs = 5000, headers = {} }: WebhookSinkParameters): AlertSink {
  const label = new URL(url).host
  return {
    name: `${format === 'slack' ? 'slack' : 'webhook'}:${label}`,
    async send(alert: Alert) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(format === 'slack' ? slackMessageOf(alert) : alert),
        signal: AbortSignal.timeout(timeoutMs),
      })
      await response.arrayBuffer().catch(() => undefined)
      if (!response.ok) throw new Error(`webhook ${label} answered HTTP ${response.status}`)
    },
  }
}
