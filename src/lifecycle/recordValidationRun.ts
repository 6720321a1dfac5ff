import { getAddress, isAddress, type Address, type Hex } from 'viem'
import { z } from 'zod'
import { canonicalHash } from '../release/canonicalHash.js'
import type { LifecycleContext } from './context.js'
import { TransitionIllegalError, ValidationRunInvalidError } from './errors.js'
import { parseInput } from './input.js'
import { runChange } from './ledger.js'
import { loadPatch } from './loadRecords.js'
import { assertCan } from './permissions.js'
import { nextPatchStatuses } from './stateMachine.js'
import { movePatch } from './transitionPatch.js'
import type { Actor, Patch, Transition } from './types.js'

/** The public validation report as `bulwark validate --report` writes it: `{ hash, ...document }`. */
export const recordValidationRunInputSchema = z
  .object({
    patchId: z.string().min(1).max(100),
    report: z
      .object({
        hash: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'is not a 32-byte hex hash'),
        verdict: z.enum(['pass', 'fail']),
        chain: z.object({ chainId: z.number().int().positive() }).passthrough(),
        // Empty for a diamond cut: its target is the diamond its diamond-cut stage names.
        targets: z.array(z.object({ proxy: z.string().refine((value) => isAddress(value, { strict: false }), 'is not an address') }).passthrough()),
        blockingFindings: z.number().int().min(0).optional(),
        erroredStages: z.array(z.string()).optional(),
      })
      .passthrough(),
  })
  .strict()

export type RecordValidationRunInput = z.input<typeof recordValidationRunInputSchema>
export type ValidationOutcome = 'validated' | 'rejected' | 'errored'
export type StoredValidationRun = { id: number; patchId: string; reportHash: Hex; verdict: 'pass' | 'fail' | 'errored'; chainId: number; actor: string; createdAt: Date }
export type RecordValidationRunReturnType = { patch: Patch; run: StoredValidationRun; outcome: ValidationOutcome; transitions: Transition[] }

/**
 * The only way a patch becomes `validated` (or `rejected` by validation): a validation run is
 * stored — the whole report, its hash in its own column — and the patch moves by its verdict in
 * the same transaction. The hash must be the keccak256 of the report's canonical JSON and the
 * report must validate exactly the patch's proxies. A run in which a stage could not run (and
 * nothing blocking was found) is stored as `errored` and leaves the patch `validating`: nothing
 * was judged. The validated patch keeps the report hash and chain id that approvals sign.
 *
 * @throws {ValidationRunInvalidError} BW_VALIDATION_RUN_INVALID: hash or targets do not match.
 */
export async function recordValidationRun(context: LifecycleContext, input: RecordValidationRunInput, actor: Actor): Promise<RecordValidationRunReturnType> {
  assertCan(actor, 'patch:transition')
  const { patchId, report } = parseInput(recordValidationRunInputSchema, input)
  const recomputed = canonicalHash(report)
  if (recomputed !== report.hash.toLowerCase()) throw new ValidationRunInvalidError({ patchId, reason: `the report's hash ${report.hash} is not the keccak256 of its canonical JSON (${recomputed}).` })
  const reportHash = recomputed
  const errored = (report.erroredStages?.length ?? 0) > 0 && (report.blockingFindings ?? 0) === 0
  const verdict = errored ? 'errored' : report.verdict
  return runChange(context, actor, async (change) => {
    const { patch, advisory } = await loadPatch(change.tx, patchId, actor, { forUpdate: true })
    const inReport = new Set([...report.targets.map((target) => getAddress(target.proxy)), ...diamondOf(report)])
    if (inReport.size === 0) throw new ValidationRunInvalidError({ patchId, reason: 'the report validates no proxy and no diamond cut.' })
    const inPatch = new Set(patch.targets.map((target) => getAddress(target.proxy)))
    const differ = [...inPatch].filter((proxy) => !inReport.has(proxy)).concat([...inReport].filter((proxy) => !inPatch.has(proxy)))
    if (differ.length > 0) throw new ValidationRunInvalidError({ patchId, reason: `the report and the patch name different proxies (${differ.join(', ')}).` })
    const outcome: ValidationOutcome = verdict === 'errored' ? 'errored' : verdict === 'pass' && (report.erroredStages?.length ?? 0) === 0 ? 'validated' : 'rejected'
    if (patch.status !== 'validating') {
      throw new TransitionIllegalError({
        subject: `Patch ${patchId}`,
        current: patch.status,
        requested: outcome === 'errored' ? 'validated' : outcome,
        allowed: nextPatchStatuses(patch.status),
        hint: 'A validation run is recorded for a patch in "validating" (`bulwark validate --patch` moves it there first).',
      })
    }
    // One audit entry per change: the transition's own entry carries the run (an errored run, which moves nothing, gets one of its own).
    const [allocated] = await change.tx.query<{ id: string | number }>("SELECT nextval('validation_runs_id_seq') AS id")
    const run: StoredValidationRun = { id: Number(allocated!.id), patchId, reportHash, verdict, chainId: report.chain.chainId, actor: actor.id, createdAt: change.at }
    const summary = { id: run.id, reportHash, verdict, chainId: run.chainId }
    // The run row first (its audit_seq set once the entry exists), then the patch's columns, then the entry that binds them.
    await change.tx.query('INSERT INTO validation_runs (id, patch_id, report_hash, verdict, chain_id, report, actor, audit_seq, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)', [
      run.id,
      patchId,
      reportHash,
      verdict,
      run.chainId,
      JSON.stringify(report),
      actor.id,
      change.at,
    ])
    const stamp = (auditSeq: number) => change.tx.query('UPDATE validation_runs SET audit_seq = $2 WHERE id = $1', [run.id, auditSeq])
    if (outcome === 'errored') {
      await stamp((await change.audit('patch.validation-recorded', { patchId, advisoryId: advisory.id, validationRun: summary })).seq)
      return { patch, run, outcome, transitions: [] }
    }
    if (outcome === 'validated') {
      await change.tx.query('UPDATE patches SET report_hash = $2, validation_run_id = $3, chain_id = $4 WHERE id = $1', [patchId, reportHash, run.id, run.chainId])
    }
    const moved = await movePatch(change, {
      patch: outcome === 'validated' ? { ...patch, reportHash, chainId: run.chainId } : patch,
      advisory,
      to: outcome,
      evidence: {
        note: `validation ${report.verdict}: ${report.blockingFindings ?? 0} blocking finding(s); report ${reportHash}`,
        data: { reportHash, validationRunId: run.id, verdict: report.verdict, chainId: run.chainId },
      },
      extra: { validationRun: summary },
    })
    await stamp(moved.transitions[0]!.auditSeq)
    return { patch: moved.patch, run, outcome, transitions: moved.transitions }
  })
}

/** The stored report of a patch's validation run (the validated one by default), as its public file `{ hash, ...document }`. */
export async function loadValidationReport(context: Pick<LifecycleContext, 'store'>, { patchId, runId }: { patchId: string; runId?: number | undefined }): Promise<(Record<string, unknown> & { hash: Hex }) | null> {
  const rows = await context.store.query<{ report: unknown }>(
    runId === undefined
      ? 'SELECT v.report FROM validation_runs v JOIN patches p ON p.validation_run_id = v.id WHERE p.id = $1'
      : 'SELECT report FROM validation_runs WHERE patch_id = $1 AND id = $2',
    runId === undefined ? [patchId] : [patchId, runId],
  )
  const report = rows[0]?.report
  if (report === undefined) return null
  return (typeof report === 'string' ? JSON.parse(report) : report) as Record<string, unknown> & { hash: Hex }
}

/** The diamond a report's diamond-cut stage approved a cut of (none for a proxy patch). */
function diamondOf(report: Record<string, unknown>): Address[] {
  const stages = Array.isArray(report.stages) ? (report.stages as { stage?: unknown; data?: { cut?: { diamond?: unknown } } }[]) : []
  const diamond = stages.find((stage) => stage?.stage === 'diamond-cut')?.data?.cut?.diamond
  return typeof diamond === 'string' && isAddress(diamond, { strict: false }) ? [getAddress(diamond)] : []
}
