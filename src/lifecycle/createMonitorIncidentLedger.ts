import { getAddress, isAddress } from 'viem'
import type { IncidentLedger, LedgerResponse } from '../monitor/responders/incidentLedger.js'
import type { Incident } from '../monitor/risk.js'
import type { LifecycleContext } from './context.js'
import { createAdvisory } from './createAdvisory.js'
import { runChange } from './ledger.js'
import { setContainment } from './setContainment.js'
import type { Actor, Severity } from './types.js'

/** The monitor acts as this actor in the lifecycle and the audit log. */
export const monitorActor: Actor = { id: 'monitor', roles: ['responder'] }

function severityOf(score: number): Severity {
  return score >= 80 ? 'critical' : score >= 60 ? 'high' : score >= 30 ? 'medium' : 'low'
}

function stamps(response: LedgerResponse): Record<string, string | null> {
  const { seenAt, decidedAt, broadcastAt, minedAt } = response.latency
  return {
    seenAt: seenAt.toISOString(),
    decidedAt: decidedAt.toISOString(),
    broadcastAt: broadcastAt?.toISOString() ?? null,
    minedAt: minedAt?.toISOString() ?? null,
    reactionMs: broadcastAt ? String(broadcastAt.getTime() - seenAt.getTime()) : null,
  }
}

/**
 * The lifecycle side of the monitor's responses: the first response to an incident opens an
 * advisory (discovered when the triggering event was seen, so the exposure window starts there),
 * later ones are appended to it (alert ids, and an audit entry with the latency stamps), and a
 * mined pause, lockdown or breaker trip marks it contained — which ends the exposure window.
 */
export function createMonitorIncidentLedger(context: LifecycleContext, actor: Actor = monitorActor): IncidentLedger {
  return {
    async recordResponse(incident: Readonly<Incident>, response: LedgerResponse) {
      if (incident.advisoryId === null) {
        const { advisory } = await createAdvisory(
          context,
          {
            title: `Monitor incident on chain ${incident.chain}: ${incident.detectors.join(', ')}`,
            description: `${response.summary}\n\nIncident ${incident.key}, risk score ${incident.score}. Response: ${response.kind} (${response.status})${response.txHashes.length > 0 ? `, tx ${response.txHashes.join(', ')}` : ''}.`,
            severity: severityOf(incident.score),
            affectedContracts: isAddress(incident.target, { strict: false }) ? [{ address: getAddress(incident.target), chain: String(incident.chain) }] : [],
            reporter: `bulwark monitor (${incident.detectors.join(', ')})`,
            discoveredAt: response.latency.seenAt,
            alertIds: incident.alertIds.slice(0, 500),
          },
          actor,
        )
        await runChange(context, actor, (change) => change.audit('monitor.responded', { advisoryId: advisory.id, incident: incident.key, score: incident.score, response: response.key, kind: response.kind, status: response.status, txHashes: [...response.txHashes], latency: stamps(response) }))
        return advisory.id
      }
      const advisoryId = incident.advisoryId
      await runChange(context, actor, async (change) => {
        await change.tx.query(
          `UPDATE advisories SET alert_ids = (SELECT jsonb_agg(DISTINCT value) FROM jsonb_array_elements(alert_ids || $2::jsonb)), updated_at = $3 WHERE id = $1`,
          [advisoryId, JSON.stringify(incident.alertIds.slice(-500)), change.at],
        )
        await change.audit('monitor.responded', { advisoryId, incident: incident.key, score: incident.score, response: response.key, kind: response.kind, status: response.status, txHashes: [...response.txHashes], latency: stamps(response) })
      })
      return advisoryId
    },
    async markContained(advisoryId: string, response: LedgerResponse) {
      const [row] = await context.store.query<{ containment: string; status: string }>('SELECT containment, status FROM advisories WHERE id = $1', [advisoryId])
      // already contained (an earlier response of this incident), or released: nothing to move
      if (!row || row.containment === 'contained' || !['reported', 'triaged', 'patching'].includes(row.status)) return
      await setContainment(
        context,
        {
          id: advisoryId,
          to: 'contained',
          evidence: { note: `${response.kind} by the monitor: ${response.txHashes.join(', ')}`, data: { response: response.key, txHashes: [...response.txHashes], latency: stamps(response) } },
        },
        actor,
      )
    },
  }
}
