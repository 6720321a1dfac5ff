import { alertOfFinding } from '../alertStore.js'
import type { Hex, LocalAccount, PublicClient } from 'viem'
import type { Store } from '../../store/openStore.js'
import { responseKey, riskConfigOf, selectRule, type Policy, type PolicyResponse } from '../policy.js'
import { createRiskRollup, type Incident } from '../risk.js'
import type { AlertSink } from '../sinks/alertSink.js'
import type { Alert, DetectorFinding, ResponseTaken } from '../types.js'
import type { IncidentLedger, LedgerResponse } from './incidentLedger.js'
import type { PendingFees } from './priceAhead.js'
import { claimResponse, listResponses, loadIncidents, saveIncident, takeOverClaim, updateResponse } from './responseLedger.js'
import { responseCalls } from './responseCalls.js'
import { broadcastSigned, sendResponseCalls } from './sendResponseCalls.js'

export type ResponsePipelineParameters = {
  store: Store
  client: PublicClient
  chainId: number
  policy: Policy
  /** Signs responses; without it, every response is reported as notify-only (a dry run). */
  account?: LocalAccount | undefined
  sinks: readonly AlertSink[]
  ledger?: IncidentLedger | undefined
  /** Progress and problems, one line each; never given the key. */
  log?: ((line: string) => void) | undefined
  /** How long to wait for a response's receipt in the background (default 120 s). */
  receiptTimeoutMs?: number | undefined
}

/** One batch of findings from one event, with when the event was seen and the chain time it belongs to. */
export type FindingBatch = {
  findings: readonly DetectorFinding[]
  /** The drafted alerts of the findings, same order (`alertOfFinding`); drafted here when absent. */
  alerts?: readonly Alert[] | undefined
  /** When the monitor received the event (the reaction-time clock starts here). */
  seenAt: Date
  /** Chain time (seconds): the block's timestamp, or the latest block's for a pending transaction. */
  chainTime: number
}

export type ResponsePipeline = {
  /** Rolls the findings up and runs the policy's responses (idempotently); returns the alerts with risk score and response. */
  decide(batch: FindingBatch): Promise<Alert[]>
  /** Sends alerts to every sink (a failing sink is logged, the others still get them). */
  publish(alerts: readonly Alert[]): Promise<void>
  /** `decide`, then `publish`. */
  handle(batch: FindingBatch): Promise<Alert[]>
  /** Waits for the background receipt watchers (bounded by their timeout). */
  drain(): Promise<void>
}

const kindOf: Record<PolicyResponse['kind'], ResponseTaken['kind']> = {
  notify: 'notify',
  pause: 'pause',
  'partial-lockdown': 'partial-lockdown',
  'circuit-breaker': 'circuit-breaker',
}
// the alert carries the strongest response taken
const strength: Record<ResponseTaken['kind'], number> = { none: 0, notify: 1, 'circuit-breaker': 2, 'partial-lockdown': 3, pause: 4 }

/**
 * The part of the monitor after the detectors: findings → incident (risk roll-up) → policy →
 * responders → advisory → sinks. Batches are handled one at a time, in arrival order.
 */
export async function createResponsePipeline(parameters: ResponsePipelineParameters): Promise<ResponsePipeline> {
  const { store, client, chainId, policy, account, sinks, ledger } = parameters
  const log = parameters.log ?? (() => undefined)
  const rollup = createRiskRollup(riskConfigOf(policy))
  rollup.load(await loadIncidents(store, chainId))
  const watchers = new Set<Promise<void>>()
  let queue: Promise<unknown> = Promise.resolve()
  resumeUnfinished()

  async function respondOnce(incident: Incident, response: PolicyResponse, finding: DetectorFinding, batch: FindingBatch): Promise<ResponseTaken> {
    const key = responseKey(response)
    const kind = kindOf[response.kind]
    const decidedAt = new Date()
    const claimed = await claimResponse(store, {
      incidentKey: incident.key,
      response: key,
      kind: response.kind,
      chainId,
      score: incident.score,
      seenAt: batch.seenAt,
      decidedAt,
      detail: { trigger: finding.tx ?? null, detector: finding.detector, pending: finding.pending },
    })
    if (!claimed) {
      log(`${response.kind} already taken for incident ${incident.key}: not repeated`)
      return { kind, detail: `already taken for incident ${incident.key}` }
    }
    if (response.kind === 'notify' || !account) {
      const stamp = { incidentKey: incident.key, response: key }
      await updateResponse(store, stamp, { status: 'skipped', detail: { reason: account ? 'notify only' : 'no responder key (dry run)' } })
      await recordOnLedger(incident, { key, kind: account ? kind : 'notify', status: 'skipped', txHashes: [], latency: { seenAt: batch.seenAt, decidedAt }, summary: finding.summary })
      return account ? { kind: 'notify' } : { kind: 'notify', detail: `dry run: would ${response.kind}` }
    }
    const attack = finding.pending && finding.tx ? client.getTransaction({ hash: finding.tx }).then(feesOf, () => undefined) : Promise.resolve(undefined)
    return send(incident, response, { seenAt: batch.seenAt, decidedAt, summary: finding.summary, attack })
  }

  /**
   * Re-checks the chain, signs, records the signed transactions, broadcasts, and starts the
   * receipt watcher. Returns what the alert reports; failures are recorded, not thrown.
   */
  async function send(
    incident: Incident,
    response: PolicyResponse,
    { seenAt, decidedAt, summary, attack }: { seenAt: Date; decidedAt: Date; summary: string; attack: Promise<PendingFees | undefined> },
  ): Promise<ResponseTaken> {
    const key = responseKey(response)
    const kind = kindOf[response.kind]
    const stamp = { incidentKey: incident.key, response: key }
    try {
      // the attack's fees (to outbid) are read while the chain is checked for what is already in place
      const [calls, fees] = await Promise.all([responseCalls(client, response), attack])
      if (calls.length === 0) {
        await updateResponse(store, stamp, { status: 'skipped', detail: { reason: 'already in place on chain' } })
        return { kind, detail: 'already in place on chain' }
      }
      const sent = await sendResponseCalls({
        client,
        account: account!,
        chainId,
        calls,
        attack: fees,
        response: key,
        beforeBroadcast: ({ hashes, raw }) => updateResponse(store, stamp, { status: 'signed', txHashes: hashes, detail: { raw } }),
      })
      await updateResponse(store, stamp, {
        status: 'broadcast',
        txHashes: sent.hashes,
        broadcastAt: sent.broadcastAt,
        detail: { calls: calls.map((call) => call.description), maxPriorityFeePerGas: sent.maxPriorityFeePerGas.toString(), reactionMs: sent.broadcastAt.getTime() - seenAt.getTime() },
      })
      const ledgerResponse: LedgerResponse = { key, kind, status: 'broadcast', txHashes: sent.hashes, latency: { seenAt, decidedAt, broadcastAt: sent.broadcastAt }, summary }
      log(`${response.kind} broadcast for incident ${incident.key}: ${sent.hashes.join(', ')} (${sent.broadcastAt.getTime() - seenAt.getTime()} ms after seen)`)
      watch(incident, ledgerResponse)
      return { kind, tx: sent.hashes[0], detail: calls.map((call) => call.description).join('; ') }
    } catch (error) {
      const reason = error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : String(error)
      await updateResponse(store, stamp, { status: 'failed', detail: { error: reason.split('\n')[0] } })
      log(`${response.kind} failed for incident ${incident.key}: ${reason.split('\n')[0]}`)
      return { kind, detail: `failed: ${reason.split('\n')[0]}` }
    }
  }

  // ledger writes are serialized: two responses of one incident must open one advisory, not two
  let ledgerQueue: Promise<unknown> = Promise.resolve()
  function recordOnLedger(incident: Incident, response: LedgerResponse): Promise<void> {
    const next = ledgerQueue.then(() => recordOnLedgerNow(incident, response))
    ledgerQueue = next
    return next
  }

  async function recordOnLedgerNow(incident: Incident, response: LedgerResponse): Promise<void> {
    if (!ledger) return
    try {
      incident.advisoryId = await ledger.recordResponse(incident, response)
      await saveIncident(store, incident)
    } catch (error) {
      log(`advisory for incident ${incident.key} not recorded: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`)
    }
  }

  function watch(incident: Incident, response: LedgerResponse, { record = true }: { record?: boolean } = {}): void {
    const watcher = (async () => {
      if (record) await recordOnLedger(incident, response)
      const receipts = await Promise.all(
        response.txHashes.map((hash) => client.waitForTransactionReceipt({ hash, pollingInterval: 100, timeout: parameters.receiptTimeoutMs ?? 120_000 })),
      )
      const minedAt = new Date()
      const ok = receipts.every((receipt) => receipt.status === 'success')
      await updateResponse(store, { incidentKey: incident.key, response: response.key }, { status: ok ? 'mined' : 'reverted', minedAt, detail: { blocks: receipts.map((receipt) => receipt.blockNumber.toString()) } })
      log(`${response.kind} for incident ${incident.key} ${ok ? 'mined' : 'REVERTED'} in block ${receipts[0]?.blockNumber}`)
      if (ok && ledger && incident.advisoryId) await ledger.markContained(incident.advisoryId, { ...response, status: 'mined', latency: { ...response.latency, minedAt } })
    })()
      .catch((error: unknown) => log(`response ${response.key} for incident ${incident.key}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`))
      .finally(() => watchers.delete(watcher))
    watchers.add(watcher)
  }

  /**
   * After a restart (or SIGKILL), each response the last process left unfinished is finished once:
   * - `broadcast`/`mined` without a recorded outcome: watched again (receipt, advisory, containment);
   * - `signed` (killed between signing and broadcast): exactly the stored transactions are sent
   *   again — a copy the node already has is the same transaction, and their nonces rule out a
   *   second one — then watched;
   * - `claimed` (killed before signing: nothing left the process), decided in the last ten minutes
   *   by a process that is gone: taken over by one monitor, re-checked on chain and sent.
   */
  function resumeUnfinished(): void {
    const startedAt = Date.now()
    const watcher = (async () => {
      // signed rows first: their transactions hold the nonces a fresh signature would otherwise take
      const rows = (await listResponses(store, { chainId })).sort((a, b) => Number(b.status === 'signed') - Number(a.status === 'signed'))
      const incidents = new Map(rollup.incidents().map((incident) => [incident.key, incident]))
      for (const row of rows) {
        const incident = incidents.get(row.incidentKey)
        // rows of this process (decided after it started) are its own business; day-old ones are history
        if (!incident || row.decidedAt.getTime() >= startedAt || row.decidedAt.getTime() < startedAt - 24 * 3600 * 1000) continue
        const stamp = { incidentKey: row.incidentKey, response: row.response }
        const kind = kindOf[row.kind as PolicyResponse['kind']] ?? 'notify'
        if (row.status === 'claimed') {
          const response = account ? policyResponseOf(row.response) : undefined
          // a claim recent enough to still matter
          if (!response || row.decidedAt.getTime() < startedAt - 10 * 60 * 1000) continue
          if (!(await takeOverClaim(store, stamp, `${process.pid}@${new Date(startedAt).toISOString()}`))) continue
          log(`${row.kind} for incident ${row.incidentKey} was claimed but never signed before a restart: sending it now`)
          await send(incident, response, { seenAt: row.seenAt, decidedAt: row.decidedAt, summary: `resumed after a restart: ${row.kind} for incident ${row.incidentKey}`, attack: Promise.resolve(undefined) })
          continue
        }
        if (row.status === 'signed') {
          const raw = Array.isArray(row.detail['raw']) ? (row.detail['raw'] as Hex[]) : []
          try {
            for (const [index, serialized] of raw.entries()) {
              const known = await client.getTransaction({ hash: row.txHashes[index]! }).then(() => true, () => false)
              if (!known) await broadcastSigned(client, [serialized])
            }
          } catch (error) {
            const reason = error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message).split('\n')[0] : String(error)
            await updateResponse(store, stamp, { status: 'failed', detail: { error: `re-sending the signed transactions after a restart: ${reason}` } })
            log(`${row.kind} for incident ${row.incidentKey}: the signed transactions could not be re-sent (${reason})`)
            continue
          }
          const broadcastAt = new Date()
          await updateResponse(store, stamp, { status: 'broadcast', broadcastAt, detail: { resent: true } })
          log(`${row.kind} for incident ${row.incidentKey}: signed before a restart, sent now (${row.txHashes.join(', ')})`)
          watch(incident, { key: row.response, kind, status: 'broadcast', txHashes: row.txHashes, latency: { seenAt: row.seenAt, decidedAt: row.decidedAt, broadcastAt }, summary: `resumed after a restart: ${row.kind} for incident ${row.incidentKey}` })
          continue
        }
        if ((row.status !== 'broadcast' && row.status !== 'mined') || row.txHashes.length === 0) continue
        const ledgerResponse: LedgerResponse = {
          key: row.response,
          kind,
          status: row.status,
          txHashes: row.txHashes,
          latency: { seenAt: row.seenAt, decidedAt: row.decidedAt, broadcastAt: row.broadcastAt ?? undefined },
          summary: `resumed after a restart: ${row.kind} for incident ${row.incidentKey}`,
        }
        // a transaction the node no longer knows (dropped, or reorged out) is not waited for
        const known = await client.getTransactionReceipt({ hash: row.txHashes[0]! }).then(
          () => true,
          () => client.getTransaction({ hash: row.txHashes[0]! }).then(() => true, () => false),
        )
        if (!known) {
          await updateResponse(store, stamp, { status: 'failed', detail: { error: 'the transaction is no longer known to the node (dropped or reorged out)' } })
          log(`${row.kind} for incident ${row.incidentKey}: transaction ${row.txHashes[0]} no longer known to the node; not re-sent`)
          continue
        }
        watch(incident, ledgerResponse, { record: incident.advisoryId === null })
      }
    })()
      .catch((error: unknown) => log(`resuming responses: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`))
      .finally(() => watchers.delete(watcher))
    watchers.add(watcher)
  }

  /** The policy's response with this key (undefined when the policy changed since). */
  function policyResponseOf(key: string): PolicyResponse | undefined {
    for (const rule of policy.rules) for (const response of rule.respond) if (response.kind !== 'notify' && responseKey(response) === key) return response
    return undefined
  }

  function draft(findings: readonly DetectorFinding[]): Alert[] {
    const ordinals = new Map<string, number>()
    const raisedAt = new Date()
    return findings.map((finding) => {
      const key = `${finding.tx ?? '-'}:${finding.detector}`
      const ordinal = ordinals.get(key) ?? 0
      ordinals.set(key, ordinal + 1)
      return alertOfFinding(finding, ordinal, raisedAt)
    })
  }

  async function decideNow(batch: FindingBatch): Promise<Alert[]> {
    const alerts: Alert[] = []
    const drafts = batch.alerts ?? draft(batch.findings)
    for (const [index, finding] of batch.findings.entries()) {
      const drafted = drafts[index]
      const id = drafted?.id ?? draft([finding])[0]!.id
      const incident = rollup.add(finding, id, batch.chainTime)
      await saveIncident(store, incident)
      const rule = selectRule(policy, incident)
      const taken: ResponseTaken[] = []
      for (const response of rule?.respond ?? []) taken.push(await respondOnce(incident, response, finding, batch))
      const best = taken.reduce<ResponseTaken>((current, next) => (strength[next.kind] > strength[current.kind] ? next : current), { kind: 'none' })
      const alert: Alert = {
        id,
        detector: finding.detector,
        severity: finding.severity,
        chain: finding.chain,
        block: finding.block ? { number: finding.block.number.toString(), hash: finding.block.hash } : null,
        tx: finding.tx ?? null,
        addresses: finding.addresses,
        summary: finding.summary,
        evidence: { ...finding.evidence, incident: incident.key, ...(rule?.name ? { rule: rule.name } : {}), ...(incident.advisoryId ? { advisory: incident.advisoryId } : {}) },
        pending: finding.pending,
        riskScore: incident.score,
        response: best,
        raisedAt: drafted?.raisedAt ?? new Date().toISOString(),
      }
      alerts.push(alert)
    }
    return alerts
  }

  async function publish(alerts: readonly Alert[]): Promise<void> {
    for (const alert of alerts) {
      await Promise.all(
        sinks.map((sink) => sink.send(alert).catch((error: unknown) => log(`sink ${sink.name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`))),
      )
    }
  }

  function decide(batch: FindingBatch): Promise<Alert[]> {
    const next = queue.then(() => decideNow(batch))
    queue = next.catch(() => undefined)
    return next
  }

  return {
    decide,
    publish,
    async handle(batch) {
      const alerts = await decide(batch)
      await publish(alerts)
      return alerts
    },
    async drain() {
      await queue
      while (watchers.size > 0) await Promise.all([...watchers])
    },
  }
}

function feesOf(transaction: { maxFeePerGas?: bigint | undefined; maxPriorityFeePerGas?: bigint | undefined; gasPrice?: bigint | undefined }): PendingFees {
  return { maxFeePerGas: transaction.maxFeePerGas, maxPriorityFeePerGas: transaction.maxPriorityFeePerGas, gasPrice: transaction.gasPrice }
}

