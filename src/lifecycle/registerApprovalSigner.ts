import { z } from 'zod'
import type { LifecycleContext } from './context.js'
import { addressSchema, parseInput } from './input.js'
import { runChange } from './ledger.js'
import { assertCan } from './permissions.js'
import type { Actor } from './types.js'

export const registerApprovalSignerInputSchema = z
  .object({
    address: addressSchema,
    /** Who holds the key: a name people recognise in approvals and reports. */
    label: z.string().trim().min(1).max(200),
    /** Revoke instead: the address's signatures stop counting for approvals made from now on. */
    revoke: z.boolean().optional(),
  })
  .strict()

export type RegisterApprovalSignerInput = z.input<typeof registerApprovalSignerInputSchema>
export type ApprovalSigner = { address: `0x${string}`; label: string; registeredBy: string; registeredAt: Date; revokedAt: Date | null }

type SignerRow = { address: string; label: string; registered_by: string; registered_at: Date | string; revoked_at: Date | string | null }

const toSigner = (row: SignerRow): ApprovalSigner => ({
  address: row.address as `0x${string}`,
  label: row.label,
  registeredBy: row.registered_by,
  registeredAt: new Date(row.registered_at),
  revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
})

/**
 * Registers (or revokes) an address whose EIP-712 PatchApproval signatures count as approvals.
 * An admin act, audited as `signer.registered` / `signer.revoked`.
 */
export async function registerApprovalSigner(context: LifecycleContext, input: RegisterApprovalSignerInput, actor: Actor): Promise<ApprovalSigner> {
  assertCan(actor, 'config:write')
  const { address, label, revoke } = parseInput(registerApprovalSignerInputSchema, input)
  return runChange(context, actor, async (change) => {
    const entry = await change.audit(revoke ? 'signer.revoked' : 'signer.registered', { address, label })
    const [row] = revoke
      ? await change.tx.query<SignerRow>('UPDATE approval_signers SET revoked_at = $2 WHERE address = $1 RETURNING address, label, registered_by, registered_at, revoked_at', [address, change.at])
      : await change.tx.query<SignerRow>(
          `INSERT INTO approval_signers (address, label, registered_by, registered_at, audit_seq) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (address) DO UPDATE SET label = $2, registered_by = $3, registered_at = $4, revoked_at = NULL, audit_seq = $5
           RETURNING address, label, registered_by, registered_at, revoked_at`,
          [address, label, actor.id, change.at, entry.seq],
        )
    return row ? toSigner(row) : { address, label, registeredBy: actor.id, registeredAt: change.at, revokedAt: change.at }
  })
}

/** The registered approval signers, active ones first. */
export async function listApprovalSigners(context: Pick<LifecycleContext, 'store'>, actor: Actor): Promise<ApprovalSigner[]> {
  assertCan(actor, 'advisory:read')
  const rows = await context.store.query<SignerRow>('SELECT address, label, registered_by, registered_at, revoked_at FROM approval_signers ORDER BY revoked_at NULLS FIRST, registered_at, address')
  return rows.map(toSigner)
}
