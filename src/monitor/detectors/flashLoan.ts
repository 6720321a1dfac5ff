import { toFunctionSelector, type Address, type Hex } from 'viem'
import { z } from 'zod'
import { baselineConfigSchema, createBaseline } from '../baseline.js'
import type { Detector, DetectorFinding } from '../types.js'
import { findingPlace, indexTransaction, scopeSetsOf, type IndexedFrame, type TraceIndex } from './traceIndex.js'

/** Flash-loan entry points of the common lenders; a call to one of them that calls back into the borrower is a flash loan. */
export const knownFlashLoanFunctions = [
  // Aave V2/V3 Pool
  'flashLoan(address,address[],uint256[],uint256[],address,bytes,uint16)',
  'flashLoanSimple(address,address,uint256,bytes,uint16)',
  // Balancer V2 Vault
  'flashLoan(address,address[],uint256[],bytes)',
  // Uniswap V2 pair (a swap with callback data is a flash swap)
  'swap(uint256,uint256,address,bytes)',
  // Uniswap V3 pool
  'flash(address,uint256,uint256,bytes)',
  // ERC-3156 lenders (Maker's DssFlash, many others)
  'flashLoan(address,address,uint256,bytes)',
] as const

export const flashLoanConfigSchema = z
  .object({
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('medium'),
    /** Loans below this many base units are ignored (decimal string). */
    minAmount: z.string().regex(/^\d+$/).default('1'),
    /** More flash-loan entry points (signatures or 4-byte selectors) besides `knownFlashLoanFunctions`. */
    functions: z.array(z.string().regex(/^(0x[0-9a-fA-F]{8}|[A-Za-z_$][\w$]*\(.*\))$/, 'a function signature or a 4-byte selector')).default([]),
    /**
     * Per borrower and token, learned from history: a borrower that has taken flash loans before
     * (`minSamples` of them) and borrows no more than `factor` × its usual is doing what it always
     * does (an arbitrage or liquidation bot) and is not reported; a new borrower always is.
     */
    baseline: baselineConfigSchema.prefault({ factor: 4, minSamples: 5 }),
  })
  .strict()
export type FlashLoanConfig = z.infer<typeof flashLoanConfigSchema>

type Loan = { lender: Address; borrower: Address; token: Address | null; amount: bigint; source: Address | null; entry: number; callback: number; how: string }

/**
 * A flash loan from any lender, watched or not, whose borrowed funds were used on the protocol.
 * A loan is recognised by its shape, not by who lends: inside one call made by the borrower, the
 * called contract (the lender) calls back into the borrower (or the receiver named in the call),
 * with either a known flash-loan entry point (Aave, Balancer, Uniswap V2 flash swaps and V3
 * flash, ERC-3156) or value sent out before the callback and at least as much of it sent back to
 * the same place after (ERC-20 or native ETH). Reported when the callback calls a protocol
 * contract other than the lender.
 */
export const flashLoan: Detector<FlashLoanConfig> = {
  id: 'flash-loan',
  description: 'A flash loan, from any lender, whose callback calls the protocol.',
  configSchema: flashLoanConfigSchema as z.ZodType<FlashLoanConfig>,
  create: (config) => {
    const minAmount = BigInt(config.minAmount)
    const entryPoints = new Set<Hex>([...knownFlashLoanFunctions, ...config.functions].map((f) => (f.startsWith('0x') ? (f.toLowerCase() as Hex) : toFunctionSelector(f))))
    const baseline = createBaseline(config.baseline)
    return {
      id: 'flash-loan',
      kinds: ['transaction', 'pending'],
      detect(event, ctx) {
        if (event.kind === 'block') return []
        const tx = event.transaction
        const index = indexTransaction(tx, ctx)
        if (index.frames.length < 3) return []
        const { contracts } = scopeSetsOf(ctx)
        const findings: DetectorFinding[] = []
        for (const loan of findLoans(index, entryPoints)) {
          if (loan.token !== null && loan.amount < minAmount) continue
          const touched = touchedInCallback(index, loan, contracts)
          if (touched.length === 0) continue
          const key = `${loan.borrower}:${loan.token ?? '-'}`
          const usual = baseline.threshold(key)
          if (event.kind === 'transaction') baseline.observe(key, loan.amount)
          if (usual !== undefined && loan.amount <= usual) continue
          findings.push({
            detector: 'flash-loan',
            severity: config.severity,
            chain: event.chain.id,
            ...findingPlace(event.kind === 'transaction' ? { kind: event.kind, block: event.block } : event),
            tx: tx.hash,
            addresses: [...touched.slice(0, 4), loan.borrower, loan.lender],
            summary: `${loan.borrower} took a flash loan${loan.token ? ` of ${loan.amount} ${loan.token}` : ''} from ${loan.lender} (${loan.how}) and called the protocol (${touched.join(', ')}) inside it.`,
            evidence: {
              lender: loan.lender,
              borrower: loan.borrower,
              token: loan.token,
              amount: loan.amount.toString(),
              source: loan.source,
              recognisedBy: loan.how,
              touched,
              sender: tx.from,
            },
          })
          break
        }
        return findings
      },
    }
  },
}

/** Every flash-loan-shaped call in the transaction, outermost first. */
function findLoans(index: TraceIndex, entryPoints: ReadonlySet<Hex>): Loan[] {
  const { frames, subtreeEnd, transfers } = index
  const loans: Loan[] = []
  for (let f = 0; f < frames.length; f++) {
    const entry = frames[f]!
    if (entry.reverted || entry.type !== 'CALL' || !entry.to) continue
    const end = subtreeEnd[f]!
    if (end - f < 2) continue
    const lender = entry.to
    const input = entry.frame.input.toLowerCase()
    const known = entryPoints.has(entry.selector)
    // the callback: the lender calls an account that is the caller or named in the call's arguments
    for (let c = f + 1; c < end; c++) {
      const callback = frames[c]!
      if (callback.reverted || callback.type !== 'CALL' || !callback.to || callback.from !== lender) continue
      const receiver = callback.to
      if (receiver === lender || (receiver !== entry.from && !input.includes(receiver.slice(2).toLowerCase()))) continue
      if (callback.selector === '0x' || callback.frame.input.length <= 10) continue // a plain transfer of ETH, or a token call without arguments
      // value out to the receiver before the callback, and as much back to the same place after it
      let loan: Loan | undefined
      for (const out of transfers) {
        if (out.frame < f || out.frame >= end || out.order >= c || out.to !== receiver) continue
        const back = transfers.find((t) => t.order >= c && t.frame < end && t.token === out.token && t.from === receiver && t.to === out.from && t.amount >= out.amount)
        if (back) {
          loan = { lender, borrower: receiver, token: out.token, amount: out.amount, source: out.from, entry: f, callback: c, how: known ? 'known entry point, repaid' : 'lent, called back and repaid' }
          break
        }
      }
      if (!loan && known && !isTokenTransferCall(callback)) {
        const out = transfers.find((t) => t.frame >= f && t.frame < end && t.order < c && t.to === receiver)
        loan = { lender, borrower: receiver, token: out?.token ?? null, amount: out?.amount ?? 0n, source: out?.from ?? null, entry: f, callback: c, how: 'known entry point with a callback' }
      }
      if (loan) {
        loans.push(loan)
        break
      }
    }
  }
  return loans
}

const tokenCalls = new Set<Hex>([toFunctionSelector('transfer(address,uint256)'), toFunctionSelector('transferFrom(address,address,uint256)'), toFunctionSelector('approve(address,uint256)')])
function isTokenTransferCall(frame: IndexedFrame): boolean {
  return tokenCalls.has(frame.selector)
}

/** Protocol contracts the callback used (state-changing calls, not token approvals or transfers), other than the lender and the loan's source. */
function touchedInCallback(index: TraceIndex, loan: Loan, contracts: ReadonlySet<string>): Address[] {
  const seen = new Set<Address>()
  const skip = new Set([loan.lender.toLowerCase(), loan.source?.toLowerCase()])
  for (let i = loan.callback + 1; i < index.subtreeEnd[loan.callback]!; i++) {
    const frame = index.frames[i]!
    const context = frame.context?.toLowerCase()
    if (frame.reverted || !context || skip.has(context) || !contracts.has(context)) continue
    // reading, approving or moving a watched token is not using the protocol (repaying the loan does it)
    if (frame.type === 'STATICCALL' || (frame.type !== 'DELEGATECALL' && isTokenTransferCall(frame))) continue
    if (frame.type === 'DELEGATECALL' && isTokenTransferCall(index.frames[frame.parent] ?? frame)) continue
    seen.add(frame.context!)
  }
  return [...seen]
}
