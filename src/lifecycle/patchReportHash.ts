import type { Hex } from 'viem'
import type { Store } from '../store/openStore.js'

/**
 * The validated report hash of a patch, from its own column (set only by `recordValidationRun`).
 * What Safe proposals and confirmations are bound to; `null` when the patch has none.
 */
export function patchReportHash(store: Pick<Store, 'query'>): (patchId: string) => Promise<Hex | null> {
  return async (patchId) => {
    const [row] = await store.query<{ report_hash: string | null }>('SELECT report_hash FROM patches WHERE id = $1', [patchId])
    return (row?.report_hash ?? null) as Hex | null
  }
}
