import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { openStore, type Store } from '../store/openStore.js'
import { testDatabaseUrl } from '../store/testDatabaseUrl.js'
import { keccak256, stringToHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { canonicalHash } from '../release/canonicalHash.js'
import type { LifecycleContext } from './context.js'
import { getPatch } from './getPatch.js'
import { patchApprovalTypedData } from './patchApprovalTypedData.js'
import { recordApproval } from './recordApproval.js'
import { recordValidationRun } from './recordValidationRun.js'
import { registerApprovalSigner } from './registerApprovalSigner.js'
import { signingKeyFromPem } from './signingKey.js'
import { transitionPatch } from './transitionPatch.js'
import type { Actor, Patch, PatchStatus } from './types.js'

/**
 * Test support (used by lifecycle, CLI and server tests): the backends the store suites run
 * on, each giving a fresh, isolated database — in-memory PGlite, or a schema of its own on
 * the PostgreSQL server of `testDatabaseUrl` (so parallel test files sharing one server never
 * see each other's audit log). Both always: without a PostgreSQL server its variant fails.
 */
export type TestBackend = { name: 'PGlite' | 'PostgreSQL'; open: () => Promise<Store> }

export function testBackends(env: NodeJS.ProcessEnv = process.env): TestBackend[] {
  return [
    { name: 'PGlite', open: () => openStore({ dataDir: 'memory://' }) },
    { name: 'PostgreSQL', open: () => openIsolatedPostgres(testDatabaseUrl(env)) },
  ]
}

/** A fresh schema on the server, migrated; dropped when the store is closed. */
export async function openIsolatedPostgres(url: string): Promise<Store> {
  const schema = `bulwark_test_${randomBytes(6).toString('hex')}`
  const admin = await openStore({ databaseUrl: url })
  await admin.query(`CREATE SCHEMA ${schema}`)
  await admin.close()
  const separator = url.includes('?') ? '&' : '?'
  const store = await openStore({ databaseUrl: `${url}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}` })
  return {
    ...store,
    async close() {
      await store.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined)
      await store.close()
    },
  }
}

/** A context with a throwaway signing key and a settable clock. */
export function testContext(store: Store, start = new Date('2025-01-01T00:00:00.000Z')) {
  let now = start.getTime()
  const { privateKey } = generateKeyPairSync('ed25519')
  const signingKey = signingKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'test')
  const context: LifecycleContext & { now: () => Date } = { store, signingKey, now: () => new Date(now) }
  return {
    context,
    /** Moves the clock forward. */
    advance(ms: number) {
      now += ms
    },
  }
}

export const testActors = {
  admin: { id: 'alice', roles: ['admin'] },
  responder: { id: 'rita', roles: ['responder'] },
  auditor: { id: 'audra', roles: ['auditor'] },
  signer1: { id: 'sam', roles: ['signer'] },
  signer2: { id: 'sue', roles: ['signer'] },
  viewer: { id: 'vic', roles: ['viewer'] },
} as const satisfies Record<string, Actor>

/** Deterministic keys of the test signers (by actor id), for EIP-712 PatchApproval signatures. */
export function testSignerAccount(actorId: string) {
  return privateKeyToAccount(keccak256(stringToHex(`bulwark test signer ${actorId}`)))
}

/** A well-formed validation report for a patch's proxies (what `bulwark validate --report` writes), hashed canonically. */
export function testValidationReport(patch: Pick<Patch, 'targets'>, { verdict = 'pass', chainId = 31337 }: { verdict?: 'pass' | 'fail'; chainId?: number } = {}) {
  const document = {
    reportVersion: 1,
    verdict,
    chain: { chainId, blockNumber: '1' },
    targets: patch.targets.map((target, index) => ({ name: `Target${index}`, proxy: target.proxy })),
    blockingFindings: verdict === 'pass' ? 0 : 1,
    erroredStages: [] as string[],
  }
  return { hash: canonicalHash(document), ...document }
}

/** Registers the test signer of `actor` (as the admin) and approves the patch with its EIP-712 signature. */
export async function approveAs(context: LifecycleContext, patchId: string, actor: Actor, { register = true }: { register?: boolean } = {}) {
  const account = testSignerAccount(actor.id)
  if (register) await registerApprovalSigner(context, { address: account.address, label: actor.id }, testActors.admin)
  const patch = await getPatch(context, patchId, testActors.admin)
  const signature = await account.signTypedData(patchApprovalTypedData({ patchId, reportHash: patch.reportHash!, chainId: patch.chainId! }))
  return recordApproval(context, { patchId, signature }, actor)
}

/**
 * Moves a test patch one step the way the product does where that needs no chain: `validated`
 * (and `rejected` from validating, by verdict) from a stored validation run, `approved` from a
 * signer's EIP-712 signature; `scheduled`, `released` and `verified` need a chain, so here they
 * are an admin's audited override (the chain-checked path is tested end to end on anvil).
 */
export async function moveTestPatch(context: LifecycleContext, patchId: string, to: PatchStatus, actor: Actor, signer: Actor = testActors.signer1) {
  if (to === 'validated') {
    const patch = await getPatch(context, patchId, testActors.admin)
    return (await recordValidationRun(context, { patchId, report: testValidationReport(patch) }, actor)).patch
  }
  if (to === 'approved') return (await approveAs(context, patchId, signer)).patch
  if (to === 'scheduled' || to === 'released' || to === 'verified') {
    return (await transitionPatch(context, { id: patchId, to, override: { reason: `test: ${to} without a chain` } }, testActors.admin)).patch
  }
  return (await transitionPatch(context, { id: patchId, to }, actor)).patch
}
