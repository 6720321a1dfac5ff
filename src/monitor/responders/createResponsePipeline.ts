import { alertOfFinding } from '../alertStore.js'
import type { Hash, Hex, LocalAccount, PublicClient } from 'viem'
import { monitorResponses } from '../../metrics/registry.js'
import type { Store } from '../../store/openStore.js'
import { rankOf, responseKey, riskConfigOf, selectRule, strengthOf, type Policy, type PolicyResponse } from '../policy.js'
import { createRiskRollup, type Incident } from '../risk.js'
import type { AlertSink } from '../sinks/alertSink.js'
import type { Alert, DetectorFinding, ResponseTaken } from '../types.js'
import type { IncidentLedger, LedgerResponse } from './incidentLedger.js'
import type { PendingFees } from './priceAhead.js'
import { claimResponse, listResponses, loadIncidents, saveIncident, takeOverClaim, updateResponse } from './responseLedger.js'
import { shortMessageOf } from './decodeRevertReason.js'
import { responseCalls, type ResponseCall } from './responseCalls.js'
import { routeThroughSafe } from './routeThroughSafe.js'
import { broadcastSigned, sendResponseCalls } from './sendResponseCalls.js'

export type ResponsePipelineParameters = {
  store: Store
  client: PublicClient
  chainId: number
  policy: Policy
  /** Signs responses; without it, every response is reported as notify-only (a dry run). */
  account?: LocalAccount | undefined
  /** Further owner keys of a guardian Safe, signing beside `account` for `via: "safe"` responses. */
  cosigners?: readonly LocalAccount[] | undefined
  /** Decide, and say what would be sent, but sign and send nothing. */
  dryRun?: boolean | undefined
  sinks: readonly AlertSink[]
  ledger?: IncidentLedger | undefined
  /** Progress and problems, one line each; never given the key. */
  log?: ((line: string) => void) | undefined
  /** How long one attempt's receipt is awaited before the response is re-sent (default 30 s). */
  receiptTimeoutMs?: number | undefined
  retry?: ResponseRetry | undefined
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

/** The alert's `response.kind` of a response: a contract call reports what it amounts to (its strength). */
function takenKindOf(response: PolicyResponse): ResponseTaken['kind'] {
  return strengthOf(response)
}

/** Retry bounds of one response (defaults: 5 attempts, 500 ms doubling to 8 s, 3 minutes in all). */
export type ResponseRetry = {
  attempts?: number | undefined
  backoffMs?: number | undefined
  totalMs?: number | undefined
}

/** One signed and broadcast set of transactions of a response. */
type Attempt = { hashes: Hash[]; nonce?: number | undefined; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint; broadcastAt: Date; calls: readonly ResponseCall[] }

/**
 * The part of the monitor after the detectors: findings → incident (risk roll-up) → policy →
 * responders → advisory → sinks. Batches are handled one at a time, in arrival order.
 */
export async function createResponsePipeline(parameters: ResponsePipelineParameters): Promise<ResponsePipeline> {
  const { store, client, chainId, policy, account, sinks, ledger } = parameters
  const cosigners = parameters.cosigners ?? []
  const dryRun = parameters.dryRun === true || !account
  const log = parameters.log ?? (() => undefined)
  const retry = { attempts: parameters.retry?.attempts ?? 5, backoffMs: parameters.retry?.backoffMs ?? 500, totalMs: parameters.retry?.totalMs ?? 180_000 }
  const receiptTimeoutMs = parameters.receiptTimeoutMs ?? 30_000
  const rollup = createRiskRollup(riskConfigOf(policy))
  rollup.load(await loadIncidents(store, chainId))
  /** Every status a response reaches is stored and counted (`bulwark_monitor_responses_total` by outcome). */
  const recordOutcome = (key: Parameters<typeof updateResponse>[1], update: Parameters<typeof updateResponse>[2]) => {
    monitorResponses.inc({ chain: String(chainId), outcome: update.status })
    return updateResponse(store, key, update)
  }
  const watchers = new Set<Promise<void>>()
  let queue: Promise<unknown> = Promise.resolve()
  // nonces come from one place at a time: a retry in the background and a new response must not take the same one
  let nonceLock: Promise<unknown> = Promise.resolve()
  resumeUnfinished()

  function withNonceLock<T>(work: () => Promise<T>): Promise<T> {
    const next = nonceLock.then(work)
    nonceLock = next.catch(() => undefined)
    return next
  }

  async function respondOnce(incident: Incident, response: PolicyResponse, finding: DetectorFinding, batch: FindingBatch): Promise<ResponseTaken> {
    const key = responseKey(response)
    const kind = takenKindOf(response)
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
    const stamp = { incidentKey: incident.key, response: key }
    if (response.kind === 'notify') {
      await recordOutcome(stamp, { status: 'skipped', detail: { reason: 'notify only' } })
      await recordOnLedger(incident, { key, kind: 'notify', status: 'skipped', txHashes: [], latency: { seenAt: batch.seenAt, decidedAt }, summary: finding.summary })
      return { kind: 'notify' }
    }
    if (dryRun) {
      // decided, and what would be sent is read from the chain, but nothing is signed
      const wouldSend = await responseCalls(client, response).then(
        (calls) => (calls.length === 0 ? 'nothing (already in place on chain)' : calls.map((call) => call.description).join('; ')),
        (error: unknown) => `nothing: the chain could not be read (${shortMessageOf(error)})`,
      )
      const reason = account ? 'dry run (--dry-run)' : 'no responder key (dry run)'
      await recordOutcome(stamp, { status: 'skipped', detail: { reason, wouldSend } })
      await recordOnLedger(incident, { key, kind: 'notify', status: 'skipped', txHashes: [], latency: { seenAt: batch.seenAt, decidedAt }, summary: finding.summary })
      log(`dry run: would ${kind} for incident ${incident.key}: ${wouldSend}`)
      return { kind: 'notify', detail: `dry run: would ${kind}: ${wouldSend}` }
    }
    const attack = finding.pending && finding.tx ? client.getTransaction({ hash: finding.tx }).then(feesOf, () => undefined) : Promise.resolve(undefined)
    return send(incident, response, { seenAt: batch.seenAt, decidedAt, summary: finding.summary, attack })
  }

  /**
   * Re-checks the chain, signs (through the Safe when the response says so), records the signed
   * transactions and broadcasts: that first attempt is what the alert reports. The response then
   * lands in the background: its receipts are awaited and a failed attempt (refused by the node,
   * reverted, not mined in time) is retried with a fresh nonce and fees — or replaces its own
   * pending transactions — with backoff, until it is mined, superseded (the chain already shows
   * its effect) or its attempts and time run out. Failures are recorded, never thrown.
   */
  async function send(
    incident: Incident,
    response: PolicyResponse,
    { seenAt, decidedAt, summary, attack }: { seenAt: Date; decidedAt: Date; summary: string; attack: Promise<PendingFees | undefined> },
  ): Promise<ResponseTaken> {
    const key = responseKey(response)
    const kind = takenKindOf(response)
    const stamp = { incidentKey: incident.key, response: key }
    const startedAt = Date.now()
    const ledgerResponse = (attempt: Attempt | undefined, status: string): LedgerResponse => ({ key, kind, status, txHashes: attempt?.hashes ?? [], latency: { seenAt, decidedAt, broadcastAt: attempt?.broadcastAt }, summary })
    let first: Attempt | 'in-place'
    try {
      first = await attemptOnce(response, stamp, attack, undefined)
    } catch (error) {
      const reason = shortMessageOf(error)
      await recordOutcome(stamp, { status: 'claimed', detail: { attempts: 1, lastError: reason } })
      log(`${response.kind} attempt 1 of ${retry.attempts} failed for incident ${incident.key}: ${reason}; retrying`)
      land(incident, response, stamp, { startedAt, attempts: 1, lastError: reason, current: undefined, ledgerResponse, record: true, attack })
      return { kind, detail: `failed: ${reason}; retrying (attempt 1 of ${retry.attempts})` }
    }
    if (first === 'in-place') {
      await recordOutcome(stamp, { status: 'skipped', detail: { reason: 'already in place on chain' } })
      return { kind, detail: 'already in place on chain' }
    }
    await recordBroadcast(stamp, first, seenAt, 1)
    log(`${response.kind} broadcast for incident ${incident.key}: ${first.hashes.join(', ')} (${first.broadcastAt.getTime() - seenAt.getTime()} ms after seen)`)
    land(incident, response, stamp, { startedAt, attempts: 1, lastError: undefined, current: first, ledgerResponse, record: true, attack })
    return { kind, tx: first.hashes[0], detail: first.calls.map((call) => call.description).join('; ') }
  }

  async function recordBroadcast(stamp: { incidentKey: string; response: string }, attempt: Attempt, seenAt: Date, attempts: number): Promise<void> {
    await recordOutcome(stamp, {
      status: 'broadcast',
      txHashes: attempt.hashes,
      broadcastAt: attempt.broadcastAt,
      detail: { calls: attempt.calls.map((call) => call.description), maxPriorityFeePerGas: attempt.maxPriorityFeePerGas.toString(), reactionMs: attempt.broadcastAt.getTime() - seenAt.getTime(), attempts },
    })
  }

  /** One attempt: the calls still needed (re-read from the chain), routed through the Safe if asked, signed, stored and broadcast. */
  async function attemptOnce(response: PolicyResponse, stamp: { incidentKey: string; response: string }, attack: Promise<PendingFees | undefined> | undefined, previous: Attempt | undefined): Promise<Attempt | 'in-place'> {
    const [needed, fees] = await Promise.all([responseCalls(client, response), attack])
    if (needed.length === 0) return 'in-place'
    return withNonceLock(async () => {
      const calls = response.kind === 'contract-call' && response.via === 'safe' ? await routeThroughSafe(client, { safe: response.safe!, chainId, calls: needed, signers: [account!, ...cosigners] }) : needed
      // the previous attempt's transactions still waiting in the pool are replaced, not queued behind
      const replace = previous?.nonce !== undefined && (await anyPending(previous.hashes)) ? { nonce: previous.nonce, maxFeePerGas: previous.maxFeePerGas, maxPriorityFeePerGas: previous.maxPriorityFeePerGas } : undefined
      const sent = await sendResponseCalls({
        client,
        account: account!,
        chainId,
        calls,
        attack: fees,
        response: stamp.response,
        replace,
        beforeBroadcast: ({ hashes, raw }) => recordOutcome(stamp, { status: 'signed', txHashes: hashes, detail: { raw } }),
      })
      return { ...sent, calls }
    })
  }

  async function anyPending(hashes: readonly Hash[]): Promise<boolean> {
    for (const hash of hashes) {
      const mined = await client.getTransactionReceipt({ hash }).then(() => true, () => false)
      if (mined) continue
      if (await client.getTransaction({ hash }).then(() => true, () => false)) return true
    }
    return false
  }

  type Landing = {
    startedAt: number
    attempts: number
    lastError: string | undefined
    current: Attempt | undefined
    ledgerResponse: (attempt: Attempt | undefined, status: string) => LedgerResponse
    record: boolean
    /** The pending attack's fees: a retry still outbids it. */
    attack?: Promise<PendingFees | undefined> | undefined
  }

  /** The background half of a response: receipts, retries, the final status, the advisory. */
  function land(incident: Incident, response: PolicyResponse | undefined, stamp: { incidentKey: string; response: string }, landing: Landing): void {
    const watcher = (async () => {
      let { attempts, lastError, current } = landing
      let previous: Attempt | undefined
      const earlier: Hash[] = []
      const deadline = landing.startedAt + retry.totalMs
      if (current && landing.record) await recordOnLedger(incident, landing.ledgerResponse(current, 'broadcast'))
      let recorded = Boolean(current && landing.record)
      for (;;) {
        if (current) {
          earlier.push(...current.hashes)
          const outcome = await receiptsOf(current.hashes, Math.max(1_000, Math.min(receiptTimeoutMs, deadline - Date.now())))
          if (outcome.status === 'mined') {
            const minedAt = new Date()
            await recordOutcome(stamp, { status: 'mined', txHashes: current.hashes, minedAt, detail: { blocks: outcome.blocks, attempts } })
            log(`${landing.ledgerResponse(current, 'mined').kind} for incident ${incident.key} mined in block ${outcome.blocks[0]}${attempts > 1 ? ` (attempt ${attempts})` : ''}`)
            if (!recorded) await recordOnLedger(incident, landing.ledgerResponse(current, 'broadcast'))
            // a contract call that only amounts to a notification does not contain anything
            if (ledger && incident.advisoryId && landing.ledgerResponse(current, 'mined').kind !== 'notify') await ledger.markContained(incident.advisoryId, { ...landing.ledgerResponse(current, 'mined'), latency: { ...landing.ledgerResponse(current, 'mined').latency, minedAt } })
            return
          }
          lastError = outcome.status === 'reverted' ? `reverted in block ${outcome.blocks[0]}` : `not mined within ${Math.round(receiptTimeoutMs / 1000)} s`
          log(`${stamp.response} for incident ${incident.key}: attempt ${attempts} ${lastError}`)
          previous = current
          current = undefined
        }
        const backoff = Math.min(8_000, retry.backoffMs * 2 ** (attempts - 1))
        if (!response || attempts >= retry.attempts || Date.now() + backoff >= deadline) {
          await recordOutcome(stamp, { status: outcome(lastError), detail: { error: lastError ?? 'no attempt left', attempts } })
          log(`${stamp.response} for incident ${incident.key} FAILED after ${attempts} attempt(s): ${lastError ?? 'no attempt left'}`)
          return
        }
        await new Promise((resolve) => setTimeout(resolve, backoff))
        attempts++
        try {
          // an earlier attempt mined late (its receipt came after the timeout) settles it
          const late = await firstMined(earlier)
          const next = late ? 'in-place' : await attemptOnce(response, stamp, landing.attack, previous)
          if (next === 'in-place') {
            await recordOutcome(stamp, late ? { status: 'mined', txHashes: [late.hash], minedAt: new Date(), detail: { blocks: [late.block], attempts } } : { status: 'skipped', detail: { reason: 'already in place on chain (superseded)', attempts } })
            log(`${stamp.response} for incident ${incident.key}: ${late ? `an earlier attempt was mined in block ${late.block}` : 'already in place on chain: superseded'}`)
            return
          }
          await recordBroadcast(stamp, next, landing.ledgerResponse(undefined, 'broadcast').latency.seenAt, attempts)
          log(`${stamp.response} for incident ${incident.key}: attempt ${attempts} broadcast ${next.hashes.join(', ')}`)
          if (!recorded) await recordOnLedger(incident, landing.ledgerResponse(next, 'broadcast'))
          recorded = true
          current = next
        } catch (error) {
          lastError = shortMessageOf(error)
          await recordOutcome(stamp, { status: 'claimed', detail: { attempts, lastError } })
          log(`${stamp.response} for incident ${incident.key}: attempt ${attempts} failed: ${lastError}`)
        }
      }
    })()
      .catch((error: unknown) => log(`response ${stamp.response} for incident ${incident.key}: ${shortMessageOf(error)}`))
      .finally(() => watchers.delete(watcher))
    watchers.add(watcher)
  }

  function outcome(lastError: string | undefined): 'reverted' | 'failed' {
    return lastError?.startsWith('reverted') ? 'reverted' : 'failed'
  }

  async function receiptsOf(hashes: readonly Hash[], timeout: number): Promise<{ status: 'mined' | 'reverted' | 'timeout'; blocks: string[] }> {
    try {
      const receipts = await Promise.all(hashes.map((hash) => client.waitForTransactionReceipt({ hash, pollingInterval: 100, timeout })))
      return { status: receipts.every((receipt) => receipt.status === 'success') ? 'mined' : 'reverted', blocks: receipts.map((receipt) => receipt.blockNumber.toString()) }
    } catch {
      return { status: 'timeout', blocks: [] }
    }
  }

  async function firstMined(hashes: readonly Hash[]): Promise<{ hash: Hash; block: string } | undefined> {
    for (const hash of hashes) {
      const receipt = await client.getTransactionReceipt({ hash }).catch(() => undefined)
      if (receipt?.status === 'success') return { hash, block: receipt.blockNumber.toString() }
    }
    return undefined
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

  /** Watches transactions sent before a restart until they land (and retries them if the policy still has the response). */
  function watch(incident: Incident, response: LedgerResponse, { record = true }: { record?: boolean } = {}): void {
    const resumed = account && !dryRun ? policyResponseOf(response.key) : undefined
    const current: Attempt = { hashes: [...response.txHashes], maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, broadcastAt: response.latency.broadcastAt ?? new Date(), calls: [] }
    land(incident, resumed, { incidentKey: incident.key, response: response.key }, {
      startedAt: Date.now(),
      attempts: 1,
      lastError: undefined,
      current,
      ledgerResponse: (attempt, status) => ({ ...response, status, txHashes: attempt?.hashes ?? response.txHashes }),
      record,
    })
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
        const known = policyResponseOf(row.response)
        const kind: ResponseTaken['kind'] = known ? takenKindOf(known) : row.kind === 'contract-call' ? 'pause' : ((row.kind as ResponseTaken['kind']) ?? 'notify')
        if (row.status === 'claimed') {
          const response = account && !dryRun ? known : undefined
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
            await recordOutcome(stamp, { status: 'failed', detail: { error: `re-sending the signed transactions after a restart: ${reason}` } })
            log(`${row.kind} for incident ${row.incidentKey}: the signed transactions could not be re-sent (${reason})`)
            continue
          }
          const broadcastAt = new Date()
          await recordOutcome(stamp, { status: 'broadcast', broadcastAt, detail: { resent: true } })
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
        const onNode = await client.getTransactionReceipt({ hash: row.txHashes[0]! }).then(
          () => true,
          () => client.getTransaction({ hash: row.txHashes[0]! }).then(() => true, () => false),
        )
        if (!onNode) {
          await recordOutcome(stamp, { status: 'failed', detail: { error: 'the transaction is no longer known to the node (dropped or reorged out)' } })
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
      const rule = selectRule(policy, incident, finding)
      const taken: ResponseTaken[] = []
      for (const response of rule?.respond ?? []) taken.push(await respondOnce(incident, response, finding, batch))
      const best = taken.reduce<ResponseTaken>((current, next) => (rankOf(next.kind) > rankOf(current.kind) ? next : current), { kind: 'none' })
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

