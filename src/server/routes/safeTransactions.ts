import { getAddress, isAddress, type Address, type Hex } from 'viem'
import { z } from 'zod'
import { SafeTransactionNotFoundError } from '../../authorize/errors.js'
import { getSignerView } from '../../authorize/getSignerView.js'
import { listPendingSafeTransactions } from '../../authorize/listPendingSafeTransactions.js'
import { proposeSafeTransaction } from '../../authorize/proposeSafeTransaction.js'
import type { ReportHashSource } from '../../authorize/safeTransactionRecords.js'
import { createReadClient } from '../../chain/clients.js'
import { RpcUnreachableError } from '../../chain/errors.js'
import type { LifecycleContext } from '../../lifecycle/context.js'
import { PatchNotFoundError } from '../../lifecycle/errors.js'
import { getPatch } from '../../lifecycle/getPatch.js'
import type { Actor } from '../../lifecycle/types.js'
import { InputInvalidError } from '../errors.js'
import { confirmRelease } from '../../operations/confirmRelease.js'
import { releasePatchId } from '../../operations/releaseChains.js'
import { releaseReportHash } from '../../operations/releaseReportHash.js'
import { defineRoute, type RouteEnvironment } from '../route.js'

/**
 * Safe Transaction Service–shaped endpoints (propose, confirm, list pending) plus the signer view.
 * Safe state is read live from the chain: the RPC endpoint of chain N is BULWARK_RPC_URL_<N>, else BULWARK_RPC_URL.
 */
function chainReader(chainId: number, env?: RouteEnvironment) {
  const rpcUrl = process.env[`BULWARK_RPC_URL_${chainId}`] ?? (env?.devnet?.chainId === chainId ? env.devnet.rpcUrl : undefined) ?? process.env.BULWARK_RPC_URL
  if (!rpcUrl) throw new RpcUnreachableError({ url: `BULWARK_RPC_URL_${chainId}`, cause: new Error(`no RPC endpoint is configured for chain ${chainId} (set BULWARK_RPC_URL_${chainId} or BULWARK_RPC_URL)`) })
  return createReadClient({ rpcUrl })
}

/**
 * The report hash a proposal is bound to, for a caller who may see its patch (embargo): the patch's
 * validated report hash, or for one chain of a multi-chain patch (`PATCH-3@10`) that chain's report
 * inside the patch's combined report (`releaseReportHash`, what `bulwark sign` checks too).
 */
export function lifecycleReportHash(context: LifecycleContext, actor: Actor): ReportHashSource {
  const ofRelease = releaseReportHash(context)
  return async (releaseId) => {
    await getPatch(context, releasePatchId(releaseId), actor)
    return ofRelease(releaseId)
  }
}

// A pattern, not only a refinement: Fastify validates the JSON Schema generated from it, before the handler runs.
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 20-byte hex address')
  .refine((value) => isAddress(value, { strict: false }), 'must be a 20-byte hex address')
const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be 32 bytes in hex')
const hex = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, 'must be hex')
const uint = z.string().regex(/^\d{1,78}$/, 'must be a decimal integer')
const uint256Max = 2n ** 256n - 1n
const chainQuery = z.strictObject({ chainId: z.coerce.number().int().positive() })
const jsonObject = z.record(z.string(), z.unknown())
const safeParams = z.strictObject({ address })
const hashParams = z.strictObject({ safeTxHash: bytes32 })

/**
 * Chain id of a stored proposal, to pick the RPC endpoint before anything else is read. A proposal
 * bound to a patch the caller may not see (embargo) is answered exactly like one that does not
 * exist, before any chain read: the safeTxHash routes are no existence oracle.
 */
async function chainOf(context: LifecycleContext, safeTxHash: string, actor: Actor): Promise<number> {
  const rows = await context.store.query<{ chain_id: string | number; patch_id: string }>('SELECT chain_id, patch_id FROM safe_transactions WHERE safe_tx_hash = $1', [safeTxHash.toLowerCase()])
  if (!rows[0] || !(await canSeePatch(context, rows[0].patch_id, actor))) throw new SafeTransactionNotFoundError({ safeTxHash })
  return Number(rows[0].chain_id)
}

async function canSeePatch(context: LifecycleContext, releaseId: string, actor: Actor): Promise<boolean> {
  try {
    await getPatch(context, releasePatchId(releaseId), actor)
    return true
  } catch (error) {
    if (error instanceof PatchNotFoundError) return false
    throw error
  }
}

const json = (value: unknown) => JSON.parse(JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner))) as Record<string, unknown>

export const proposeSafeTransactionRoute = defineRoute({
  method: 'POST',
  url: '/safes/:address/multisig-transactions',
  summary: 'Proposes a Safe transaction (Safe Transaction Service shape) bound to a patch and its current validation report hash; an optional first signature is verified.',
  tag: 'safe-transactions',
  permission: 'safe-tx:propose',
  params: safeParams,
  body: z.strictObject({
    chainId: z.number().int().positive(),
    to: address,
    value: uint.optional(),
    data: hex.optional(),
    operation: z.union([z.literal(0), z.literal(1)]).optional(),
    safeTxGas: uint.optional(),
    baseGas: uint.optional(),
    gasPrice: uint.optional(),
    gasToken: address.optional(),
    refundReceiver: address.optional(),
    nonce: uint.optional(),
    contractTransactionHash: bytes32.optional(),
    sender: address.optional(),
    signature: hex.optional(),
    patchId: z.string().min(1).max(100),
    reportHash: bytes32,
    validation: z.strictObject({ verdict: z.string().min(1).max(100), rehearsal: z.string().max(2000).optional() }),
    multiSend: z.array(address).max(10).optional(),
  }),
  status: 201,
  response: jsonObject,
  handler: async ({ params, body, actor, env }) => {
    const big = (value: string | undefined, field: string) => {
      if (value === undefined) return undefined
      const number = BigInt(value)
      if (number > uint256Max) throw new InputInvalidError({ field: `body.${field}`, message: 'must be at most 2^256-1' })
      return number
    }
    const result = await proposeSafeTransaction(chainReader(body.chainId), env.context.store, {
      chainId: body.chainId,
      safe: getAddress(params.address),
      to: getAddress(body.to),
      value: big(body.value, 'value'),
      data: body.data as Hex | undefined,
      operation: body.operation,
      safeTxGas: big(body.safeTxGas, 'safeTxGas'),
      baseGas: big(body.baseGas, 'baseGas'),
      gasPrice: big(body.gasPrice, 'gasPrice'),
      gasToken: body.gasToken as Address | undefined,
      refundReceiver: body.refundReceiver as Address | undefined,
      nonce: big(body.nonce, 'nonce'),
      safeTxHash: body.contractTransactionHash as Hex | undefined,
      sender: body.sender as Address | undefined,
      signature: body.signature as Hex | undefined,
      patchId: body.patchId,
      reportHash: body.reportHash as Hex,
      validation: body.validation.rehearsal === undefined ? { verdict: body.validation.verdict } : { verdict: body.validation.verdict, rehearsal: body.validation.rehearsal },
      currentReportHash: lifecycleReportHash(env.context, actor),
      proposer: actor.id,
      multiSend: (body.multiSend ?? []) as Address[],
    })
    return json({ safeTxHash: result.hashes.safeTxHash, domainHash: result.hashes.domainHash, messageHash: result.hashes.messageHash, created: result.created, confirmedBy: result.confirmedBy, nonce: result.record.transaction.nonce })
  },
})

export const confirmSafeTransactionRoute = defineRoute({
  method: 'POST',
  url: '/multisig-transactions/:safeTxHash/confirmations',
  summary: "Adds an owner's confirmation (Safe Transaction Service shape): verified against the live owner set, nonce and the patch's current report hash.",
  tag: 'safe-transactions',
  permission: 'safe-tx:confirm',
  params: hashParams,
  body: z.strictObject({ signature: hex }),
  status: 201,
  response: jsonObject,
  handler: async ({ params, body, actor, env }) => {
    // The confirmation is stored, and the owners' confirmations of the patch's release become its approvals (operations/confirmRelease).
    const result = await confirmRelease(env.context, { client: chainReader(await chainOf(env.context, params.safeTxHash, actor), env), safeTxHash: params.safeTxHash as Hex, signature: body.signature as Hex, actor })
    env.feed.poke()
    return json(result)
  },
})

export const listPendingSafeTransactionsRoute = defineRoute({
  method: 'GET',
  url: '/safes/:address/multisig-transactions/pending',
  summary: "A Safe's proposals at or above its live nonce, with confirmation counts and whether each is still bound to its patch's current report.",
  tag: 'safe-transactions',
  permission: 'safe-tx:read',
  params: safeParams,
  querystring: chainQuery,
  response: jsonObject,
  handler: async ({ params, query, actor, env }) => {
    // Proposals bound to patches the caller may not see (embargo) are left out, as lists leave out their advisories.
    const hidden = new Set<string>()
    const reportHash = lifecycleReportHash(env.context, actor)
    const pending = await listPendingSafeTransactions(chainReader(Number(query.chainId)), env.context.store, {
      safe: getAddress(params.address),
      currentReportHash: async (patchId) => {
        if (await canSeePatch(env.context, patchId, actor)) return reportHash(patchId)
        hidden.add(patchId)
        return null
      },
    })
    return json({ ...pending, transactions: pending.transactions.filter((transaction) => !hidden.has(transaction.patchId)) })
  },
})

export const getSignerViewRoute = defineRoute({
  method: 'GET',
  url: '/multisig-transactions/:safeTxHash/signer-view',
  summary: 'What a signer must see: safeTxHash, domain and message hashes, the calldata decoded to each upgrade and codehash, DELEGATECALL alerts, the report hash, verdict and rehearsal.',
  tag: 'safe-transactions',
  permission: 'safe-tx:read',
  params: hashParams,
  response: jsonObject,
  handler: async ({ params, actor, env }) =>
    json(await getSignerView(chainReader(await chainOf(env.context, params.safeTxHash, actor)), env.context.store, { safeTxHash: params.safeTxHash as Hex, currentReportHash: lifecycleReportHash(env.context, actor) })),
})
