import { parseAbiItem, type AbiFunction, type Address } from 'viem'
import { z } from 'zod'
import { probeContractRead } from '../../chain/probeContractRead.js'
import { MonitorSourceError } from '../errors.js'
import type { Detector, DetectorFinding } from '../types.js'

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 20-byte hex address')
const viewCall = z
  .object({
    address,
    /** A human-readable ABI function returning one integer: `function totalSupply() view returns (uint256)`. */
    function: z.string().startsWith('function '),
    args: z.array(z.union([z.string(), z.number(), z.boolean()])).default([]),
  })
  .strict()
const invariantSchema = z
  .object({
    name: z.string().min(1),
    left: viewCall,
    op: z.enum(['lte', 'lt', 'gte', 'gt', 'eq']),
    /** Another view call, or a constant (decimal string). */
    right: z.union([viewCall, z.string().regex(/^\d+$/)]),
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('critical'),
  })
  .strict()

export const invariantConfigSchema = z.object({ invariants: z.array(invariantSchema).default([]) }).strict()
export type InvariantConfig = z.infer<typeof invariantConfigSchema>
type ViewCall = z.infer<typeof viewCall>

/**
 * User-defined invariants: view calls that must hold, evaluated at the end of every block.
 * Reported when an invariant goes from holding to broken (not again on every block while broken).
 */
export const invariant: Detector<InvariantConfig> = {
  id: 'invariant',
  description: 'User-defined view-call invariants checked at the end of every block.',
  configSchema: invariantConfigSchema as z.ZodType<InvariantConfig>,
  create: (config) => {
    const parsed = config.invariants.map((inv) => ({ ...inv, leftAbi: abiOf(inv.left), rightAbi: typeof inv.right === 'string' ? undefined : abiOf(inv.right) }))
    return {
      id: 'invariant',
      kinds: ['block'],
      async detect(event, ctx) {
        if (event.kind !== 'block' || parsed.length === 0) return []
        const broken = (ctx.memory.get('invariant') as Set<string> | undefined) ?? new Set<string>()
        ctx.memory.set('invariant', broken)
        const blockNumber = event.block.number
        const client = ctx.client as Parameters<typeof probeContractRead>[0]
        // A view that reverts (or answers with something that is not an integer) is the contract's
        // answer: the invariant is broken. A call the node could not serve is no answer: it throws
        // BW_MONITOR_SOURCE_FAILED, the block is neither judged nor checkpointed, and the monitor reads it again.
        const call = async (c: ViewCall, abi: AbiFunction): Promise<bigint | undefined> => {
          try {
            const value = await probeContractRead(client, () => ctx.client.readContract({ address: c.address as Address, abi: [abi], functionName: abi.name, args: c.args, blockNumber }))
            return typeof value === 'bigint' || typeof value === 'number' ? BigInt(value) : undefined
          } catch (error) {
            throw new MonitorSourceError({ action: `read ${abi.name}() of ${c.address} for invariant checks at block ${blockNumber}`, cause: error })
          }
        }
        const results = await Promise.all(
          parsed.map(async (inv) => {
            const left = await call(inv.left, inv.leftAbi)
            const right = typeof inv.right === 'string' ? BigInt(inv.right) : await call(inv.right, inv.rightAbi!)
            if (left === undefined || right === undefined) return { inv, left, right, holds: false, error: `${left === undefined ? inv.left.function : (inv.right as ViewCall).function} reverted (the contract no longer answers)` }
            return { inv, left, right, holds: holds(left, inv.op, right), error: undefined }
          }),
        )
        const findings: DetectorFinding[] = []
        for (const r of results) {
          if (r.holds) {
            broken.delete(r.inv.name)
            continue
          }
          if (broken.has(r.inv.name)) continue
          broken.add(r.inv.name)
          findings.push({
            detector: 'invariant',
            severity: r.inv.severity,
            chain: event.chain.id,
            block: { number: event.block.number, hash: event.block.hash },
            addresses: [r.inv.left.address as Address, ...(typeof r.inv.right === 'string' ? [] : [r.inv.right.address as Address])],
            summary: `Invariant "${r.inv.name}" broke at block ${blockNumber}: ${r.left ?? '?'} ${r.inv.op} ${r.right ?? '?'} is false.`,
            evidence: { invariant: r.inv.name, op: r.inv.op, left: r.left?.toString() ?? null, right: r.right?.toString() ?? null, error: r.error ?? null },
            pending: false,
          })
        }
        return findings
      },
    }
  },
}

function abiOf(call: ViewCall): AbiFunction {
  const item = parseAbiItem(call.function) as AbiFunction
  return item
}

function holds(left: bigint, op: 'lte' | 'lt' | 'gte' | 'gt' | 'eq', right: bigint): boolean {
  switch (op) {
    case 'lte':
      return left <= right
    case 'lt':
      return left < right
    case 'gte':
      return left >= right
    case 'gt':
      return left > right
    case 'eq':
      return left === right
  }
}
