import { createPublicKey, type KeyObject } from 'node:crypto'
import { z } from 'zod'
import { listAuditEntries, listAuditEntriesFilterSchema } from '../../lifecycle/listAuditEntries.js'
import { publicKeyId } from '../../lifecycle/signingKey.js'
import { roles } from '../../lifecycle/types.js'
import { auditFindingReasons, verifyAuditLog } from '../../lifecycle/verifyAuditLog.js'
import { InputInvalidError } from '../errors.js'
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
  summary: "Re-derives the hash chain and checks every signature with the server's key; reports the first bad entry.",
  tag: 'audit',
  permission: 'audit:verify',
  querystring: z.strictObject({
    /** A head kept outside the database from an earlier verify: catches a truncated tail. */
    expectSeq: z.number().int().min(1).optional(),
    expectHash: hash.optional(),
    /** Verify with this public key (SPKI PEM) instead of the server's own, e.g. one published earlier. */
    publicKey: z.string().min(1).max(2_000).optional(),
  }),
  response: z.strictObject({
    ok: z.boolean(),
    entries: z.number().int(),
    head: z.strictObject({ seq: z.number().int(), hash: z.string() }).optional(),
    firstBad: z.strictObject({ seq: z.number().int(), reason: z.enum(auditFindingReasons), message: z.string() }).optional(),
    keyId: z.string(),
    publicKeyPem: z.string(),
  }),
  handler: async ({ query, env }) => {
    const { expectSeq, expectHash, publicKey } = query
    let key: KeyObject
    try {
      key = publicKey === undefined ? env.context.signingKey.publicKey : createPublicKey(publicKey)
    } catch {
      throw new InputInvalidError({ field: 'querystring.publicKey', message: 'is not a PEM public key' })
    }
    const result = await verifyAuditLog(env.context.store, {
      publicKey: key,
      ...(expectSeq !== undefined && expectHash !== undefined ? { expectHead: { seq: expectSeq, hash: expectHash } } : {}),
    })
    return { ...result, keyId: publicKeyId(key), publicKeyPem: key.export({ type: 'spki', format: 'pem' }).toString() }
  },
})
