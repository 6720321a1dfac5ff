import { z } from 'zod'
import { listAuditEntries, listAuditEntriesFilterSchema } from '../../lifecycle/listAuditEntries.js'
import { auditPublicKeyFromPem } from '../../lifecycle/signingKey.js'
import { roles } from '../../lifecycle/types.js'
import { auditFindingReasons, verifyAuditLog } from '../../lifecycle/verifyAuditLog.js'
import { defineRoute } from '../route.js'
import { toJsonValue } from '../schemas.js'

const hash = z.string().regex(/^0x[0-9a-f]{64}$/)

export const listAuditRoute = defineRoute({
  method: 'GET',
  url: '/audit',
  summary: 'Audit log entries in sequence order, as stored and signed (admins and auditors: the log holds embargoed details).',
  tag: 'audit',
  permission: 'audit:read',
  querystring: listAuditEntriesFilterSchema,
  response: z.strictObject({
    entries: z.array(
      z.strictObject({
        seq: z.number().int(),
        prevHash: hash,
        hash,
        time: z.string(),
        actor: z.strictObject({ id: z.string(), roles: z.array(z.enum(roles)) }),
        action: z.string(),
        payload: z.record(z.string(), z.unknown()),
        keyId: z.string(),
        signature: z.string(),
      }),
    ),
  }),
  handler: async ({ query, actor, env }) => ({ entries: toJsonValue(await listAuditEntries(env.context, query, actor)) }),
})

export const verifyAuditRoute = defineRoute({
  method: 'GET',
  url: '/audit/verify',
  summary:
    "Re-derives the hash chain, checks each entry's signature with the key registered for it in the log (or only the given keys), and every token, advisory and patch row against the entry that bound it; reports the first bad entry.",
  tag: 'audit',
  permission: 'audit:verify',
  querystring: z.strictObject({
    /** A head kept outside the database from an earlier verify: catches a truncated tail. */
    expectSeq: z.number().int().min(1).optional(),
    expectHash: hash.optional(),
    /** Trust only these public keys (SPKI PEM; repeat for several hosts) instead of the keys the log registers. */
    publicKey: z.array(z.string().min(1).max(2_000)).max(32).optional(),
  }),
  response: z.strictObject({
    ok: z.boolean(),
    entries: z.number().int(),
    head: z.strictObject({ seq: z.number().int(), hash: z.string() }).optional(),
    firstBad: z.strictObject({ seq: z.number().int(), reason: z.enum(auditFindingReasons), message: z.string() }).optional(),
    keys: z.array(
      z.strictObject({
        keyId: z.string(),
        publicKey: z.string().optional(),
        registeredAt: z.number().int().optional(),
        given: z.boolean(),
        entries: z.number().int(),
        firstSeq: z.number().int().optional(),
        lastSeq: z.number().int().optional(),
      }),
    ),
    stateRows: z.number().int(),
  }),
  handler: async ({ query, env }) => {
    const { expectSeq, expectHash, publicKey } = query
    const pinned = publicKey !== undefined && publicKey.length > 0
    const keys = pinned ? publicKey.map((pem, index) => auditPublicKeyFromPem(pem, `querystring.publicKey[${index}]`)) : [env.context.signingKey.publicKey]
    return verifyAuditLog(env.context.store, {
      trustedKeys: keys,
      trust: pinned ? 'pinned' : 'registered',
      ...(expectSeq !== undefined && expectHash !== undefined ? { expectHead: { seq: expectSeq, hash: expectHash } } : {}),
    })
  },
})
