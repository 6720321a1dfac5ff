import { z } from 'zod'
import type { Detector, DetectorFinding } from '../types.js'
import { findingPlace, indexTransaction, scopeSetsOf } from './traceIndex.js'

export const flashLoanConfigSchema = z
  .object({
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('high'),
    /** Loans below this many base units are ignored (decimal string). */
    minAmount: z.string().regex(/^\d+$/).default('1'),
  })
  .strict()
export type FlashLoanConfig = z.infer<typeof flashLoanConfigSchema>

/**
 * A flash loan touching the protocol: in one transaction an outside account sends a token to
 * another outside account and later gets at least as much of it back, and a scope contract is
 * called in between (the borrowed funds were used on the protocol).
 */
export const flashLoan: Detector<FlashLoanConfig> = {
  id: 'flash-loan',
  description: 'Borrow and repay of the same token in one transaction that touches the protocol.',
  configSchema: flashLoanConfigSchema as z.ZodType<FlashLoanConfig>,
  create: (config) => {
    const minAmount = BigInt(config.minAmount)
    return {
      id: 'flash-loan',
      kinds: ['transaction', 'pending'],
      detect(event, ctx) {
        if (event.kind === 'block') return []
        const tx = event.transaction
        const index = indexTransaction(tx, ctx)
        if (index.transfers.length < 2) return []
        const { contracts } = scopeSetsOf(ctx)
        const touched = index.frames.some((f) => !f.reverted && f.context !== undefined && contracts.has(f.context.toLowerCase()))
        if (!touched) return []
        const findings: DetectorFinding[] = []
        const { transfers } = index
        for (let i = 0; i < transfers.length; i++) {
          const loan = transfers[i]!
          if (loan.amount < minAmount || contracts.has(loan.from.toLowerCase()) || contracts.has(loan.to.toLowerCase())) continue
          const repaid = transfers.slice(i + 1).find((t) => t.token === loan.token && t.to === loan.from && t.amount >= loan.amount)
          if (!repaid) continue
          findings.push({
            detector: 'flash-loan',
            severity: config.severity,
            chain: event.chain.id,
            ...findingPlace(event.kind === 'transaction' ? { kind: event.kind, block: event.block } : event),
            tx: tx.hash,
            addresses: [...scopeTouched(index.frames, contracts), loan.to, loan.from],
            summary: `${loan.to} borrowed ${loan.amount} of ${loan.token} from ${loan.from} and repaid it in the same transaction, calling the protocol in between.`,
            evidence: { lender: loan.from, borrower: loan.to, token: loan.token, amount: loan.amount.toString(), repaid: repaid.amount.toString(), sender: tx.from },
          })
          break
        }
        return findings
      },
    }
  },
}

function scopeTouched(frames: ReturnType<typeof indexTransaction>['frames'], contracts: ReadonlySet<string>) {
  const seen = new Set<`0x${string}`>()
  for (const f of frames) if (f.context && contracts.has(f.context.toLowerCase())) seen.add(f.context)
  return [...seen].slice(0, 4)
}
