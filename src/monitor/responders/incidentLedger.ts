import type { Hash } from 'viem'
import type { Incident } from '../risk.js'
import type { ResponseTaken } from '../types.js'

/** Latency stamps of one response, from the event that triggered it to its transaction mined. */
export type ResponseLatency = {
  /** When the monitor received the block or pending transaction. */
  seenAt: Date
  /** When the policy chose the response. */
  decidedAt: Date
  broadcastAt?: Date | undefined
  minedAt?: Date | undefined
}

export type LedgerResponse = {
  /** The response's idempotency key (`responseKey`). */
  key: string
  kind: ResponseTaken['kind']
  status: string
  txHashes: readonly Hash[]
  latency: ResponseLatency
  summary: string
}

/**
 * Where the monitor records incidents as advisories. The lifecycle implements it
 * (`src/lifecycle/createMonitorIncidentLedger.ts`); the monitor sits below the lifecycle in the
 * module order, so it only knows this shape.
 */
export type IncidentLedger = {
  /** Opens the incident's advisory (first response) or records a further response on it; returns the advisory id. */
  recordResponse(incident: Readonly<Incident>, response: LedgerResponse): Promise<string>
  /** Marks the advisory contained (a pause, lockdown or breaker trip was mined), with the latency stamps as evidence. */
  markContained(advisoryId: string, response: LedgerResponse): Promise<void>
}
