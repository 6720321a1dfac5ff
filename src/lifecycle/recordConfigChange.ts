import { z } from 'zod'
import type { AuditEntry } from './appendAuditEntry.js'
import type { LifecycleContext } from './context.js'
import { parseInput } from './input.js'
import { runChange } from './ledger.js'
import { assertCan } from './permissions.js'
import type { Actor } from './types.js'

export const recordConfigChangeInputSchema = z
  .object({
    /** What changed: `project`, `monitor.thresholds`, `token`… */
    subject: z.string().min(1).max(200),
    before: z.unknown().optional(),
    after: z.unknown().optional(),
    note: z.string().max(10_000).optional(),
  })
  .strict()

export type RecordConfigChangeInput = z.input<typeof recordConfigChangeInputSchema>

/**
 * Records a configuration change in the audit log. A caller that stores the change in the
 * database itself should instead call `appendAuditEntry` inside its own transaction.
 * Never pass secrets (tokens, keys) in `before`/`after`: pass their ids or hashes.
 */
export async function recordConfigChange(context: LifecycleContext, input: RecordConfigChangeInput, actor: Actor): Promise<AuditEntry> {
  assertCan(actor, 'config:write')
  const { subject, before, after, note } = parseInput(recordConfigChangeInputSchema, input)
  return runChange(context, actor, (change) => change.audit('config.changed', { subject, before: before ?? null, after: after ?? null, note: note ?? null }))
}
