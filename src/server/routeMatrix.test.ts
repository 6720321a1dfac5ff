import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { getPatch } from '../lifecycle/getPatch.js'
import { patchApprovalTypedData } from '../lifecycle/patchApprovalTypedData.js'
import { registerApprovalSigner } from '../lifecycle/registerApprovalSigner.js'
import { moveTestPatch, testSignerAccount } from '../lifecycle/testing.js'
import { createAdvisory } from '../lifecycle/createAdvisory.js'
import { createPatch } from '../lifecycle/createPatch.js'
import { permissions } from '../lifecycle/permissions.js'
import { transitionAdvisory } from '../lifecycle/transitionAdvisory.js'
import { roles, type Actor, type Role } from '../lifecycle/types.js'
import { insertJob } from '../jobs/jobRecords.js'
import { createApiToken } from './auth.js'
import type { RouteDefinition } from './route.js'
import { apiRoutes } from './routes/all.js'
import { openApiResponseValidator, startTestServer, testBackends, type TestServer } from './testServer.js'

type Caller = Role | 'none'
const callers: readonly Caller[] = [...roles, 'none']

/** A valid request for each route, built fresh per call so that mutating routes can succeed for every allowed caller. */
type Probe = (t: TestServer) => Promise<Omit<InjectOptions, 'method' | 'headers'>>

const proxy = `0x${'11'.repeat(20)}`
const implementation = `0x${'22'.repeat(20)}`
let serial = 0

function responderOf(t: TestServer): Actor {
  return { id: t.labels.responder, roles: ['responder'] }
}

async function newAdvisory(t: TestServer, { triage = false } = {}) {
  const { advisory } = await createAdvisory(t.context, { title: `Oracle manipulation #${(serial += 1)}`, severity: 'high', reporter: 'whitehat' }, responderOf(t))
  if (triage) await transitionAdvisory(t.context, { id: advisory.id, to: 'triaged' }, responderOf(t))
  return advisory
}

async function newPatch(t: TestServer, { awaitingApproval = false } = {}) {
  const advisory = await newAdvisory(t, { triage: true })
  const { patch } = await createPatch(
    t.context,
    { advisoryId: advisory.id, title: 'Bound the oracle deviation', route: 'standard', targets: [{ proxy, newImplementation: implementation }] },
    responderOf(t),
  )
  if (awaitingApproval) {
    for (const to of ['validating', 'validated', 'awaiting_approval'] as const) await moveTestPatch(t.context, patch.id, to, responderOf(t))
  }
  return getPatch(t.context, patch.id, responderOf(t))
}

const probes: Record<string, Probe> = {
  'GET /health': async () => ({ url: '/health' }),
  'GET /openapi.json': async () => ({ url: '/openapi.json' }),
  'GET /whoami': async () => ({ url: '/whoami' }),
  'GET /advisories': async () => ({ url: '/advisories?limit=5' }),
  'POST /advisories': async () => ({ url: '/advisories', payload: { title: 'Unchecked initializer', severity: 'critical', reporter: 'monitor' } }),
  'GET /advisories/:id': async (t) => ({ url: `/advisories/${(await newAdvisory(t)).id}` }),
  'GET /advisories/:id/transitions': async (t) => ({ url: `/advisories/${(await newAdvisory(t, { triage: true })).id}/transitions` }),
  'POST /advisories/:id/transitions': async (t) => ({
    url: `/advisories/${(await newAdvisory(t)).id}/transitions`,
    payload: { to: 'triaged', evidence: { note: 'reproduced on a fork' } },
  }),
  'POST /advisories/:id/containment': async (t) => ({ url: `/advisories/${(await newAdvisory(t)).id}/containment`, payload: { to: 'contained', evidence: { note: 'paused' } } }),
  'GET /advisories/:id/latency': async (t) => ({ url: `/advisories/${(await newAdvisory(t, { triage: true })).id}/latency` }),
  'GET /patches': async () => ({ url: '/patches?limit=5' }),
  'POST /patches': async (t) => ({
    url: '/patches',
    payload: { advisoryId: (await newAdvisory(t, { triage: true })).id, title: 'Fix', route: 'emergency', targets: [{ proxy, newImplementation: implementation }] },
  }),
  'GET /patches/:id': async (t) => ({ url: `/patches/${(await newPatch(t)).id}` }),
  'POST /patches/:id/transitions': async (t) => ({ url: `/patches/${(await newPatch(t)).id}/transitions`, payload: { to: 'validating' } }),
  'POST /patches/:id/approvals': async (t) => {
    const patch = await newPatch(t, { awaitingApproval: true })
    const signer = testSignerAccount('matrix-signer')
    await registerApprovalSigner(t.context, { address: signer.address, label: 'matrix' }, { id: 'setup', roles: ['admin'] })
    const signature = await signer.signTypedData(patchApprovalTypedData({ patchId: patch.id, reportHash: patch.reportHash!, chainId: patch.chainId! }))
    return { url: `/patches/${patch.id}/approvals`, payload: { signature, note: 'reviewed the diff' } }
  },
  'POST /approval-signers': async () => ({ url: '/approval-signers', payload: { address: testSignerAccount('matrix-registered').address, label: 'registered in the matrix' } }),
  'GET /approval-signers': async () => ({ url: '/approval-signers' }),
  'GET /latency': async () => ({ url: '/latency' }),
  'POST /risk': async () => ({
    url: '/risk',
    payload: {
      severity: 'critical',
      exposure: 'public',
      discoveredAt: '2026-03-01T09:00:00.000Z',
      now: '2026-03-01T12:00:00.000Z',
      valueAtRiskUsd: 2_000_000,
      unpausableShare: 0.25,
      contained: false,
      constraints: { routes: ['standard', 'emergency'], timelockDelayHours: 24, pauseAvailable: true },
      samples: 200,
      seed: 3,
    },
  }),
  'POST /advisories/:id/risk': async (t) => ({
    url: `/advisories/${(await newAdvisory(t)).id}/risk`,
    payload: { valueAtRiskUsd: 1_000_000, unpausableShare: 0.5, constraints: { routes: ['standard'], timelockDelayHours: 48, pauseAvailable: false }, samples: 200, seed: 1 },
  }),
  'POST /patches/:id/exposure-window': async (t) => {
    const advisory = await newAdvisory(t, { triage: true })
    const targets = ['1', '10'].map((chain) => ({ proxy, newImplementation: implementation, chain }))
    const { patch } = await createPatch(t.context, { advisoryId: advisory.id, title: 'Bound the oracle deviation on two chains', route: 'standard', targets }, responderOf(t))
    return { url: `/patches/${patch.id}/exposure-window`, payload: { chains: [{ chainId: 1, valueAtRiskUsd: 1_000_000, unpausableShare: 0.1, pauseAvailable: true }, { chainId: 10, valueAtRiskUsd: 250_000, unpausableShare: 0 }] } }
  },
  'GET /audit': async () => ({ url: '/audit?limit=5' }),
  'GET /audit/verify': async () => ({ url: '/audit/verify' }),
  'GET /events': async () => ({ url: '/events', payloadAsStream: true }),
  'GET /tokens': async () => ({ url: '/tokens' }),
  'GET /inventory': async () => ({ url: '/inventory' }),
  'GET /demo': async () => ({ url: '/demo' }),
  'GET /releases': async () => ({ url: '/releases' }),
  'GET /alerts': async () => ({ url: '/alerts' }),
  'POST /tokens': async () => ({ url: '/tokens', payload: { label: `ci-bot-${(serial += 1)}-${Math.random().toString(36).slice(2, 8)}`, roles: ['viewer'] } }),
  'GET /jobs/:id': async (t) => {
    const id = `matrix-job-${(serial += 1)}-${Math.random().toString(36).slice(2, 8)}`
    await insertJob(t.context.store, { id, kind: 'verify', input: { patchId: (await newPatch(t)).id }, createdBy: 'setup' })
    return { url: `/jobs/${id}` }
  },
  'DELETE /tokens/:id': async (t) => {
    const label = `to-revoke-${(serial += 1)}-${Math.random().toString(36).slice(2, 8)}`
    return { url: `/tokens/${(await createApiToken(t.context, { label, roles: ['viewer'] }, { id: 'test-setup', roles: ['admin'] })).id}` }
  },
}

/**
 * Routes whose success needs a live chain or starts one (Safe transactions, inventory, the demo):
 * here only their refusals are checked (no token → 401, a role not allowed → 403, with the
 * documented error shape); their own suites cover what allowed callers get. Each is named
 * with the reason, so a new route still has to be added to one table or the other.
 */
const refusalOnly: Record<string, string> = {
  'POST /safes/:address/multisig-transactions': 'signs against a live Safe on an RPC endpoint',
  'POST /multisig-transactions/:safeTxHash/confirmations': 'needs a proposed Safe transaction on a live chain',
  'GET /safes/:address/multisig-transactions/pending': 'reads a live Safe',
  'GET /multisig-transactions/:safeTxHash/signer-view': 'decodes a Safe transaction read from a live chain',
  'POST /patches/:id/validation-runs': 'validates on a live chain (src/server/routes/operations.test.ts covers it, with its 4xx)',
  'POST /patches/:id/release/plan': 'plans against a live Safe and gate (src/server/routes/operations.test.ts)',
  'POST /patches/:id/release/execute': 'submits to a live Safe (src/server/routes/operations.test.ts)',
  'POST /patches/:id/verifications': 'reads a released patch from a live chain (src/server/routes/operations.test.ts)',
  'POST /demo/runs': 'plays the demo incident on an attached devnet (409 BW_DEMO_UNAVAILABLE without one; test/dashboard.api.test.ts covers it)',
}

function keyOf(route: Pick<RouteDefinition, 'method' | 'url'>): string {
  return `${route.method} ${route.url}`
}

/** Who the permission table lets through a route: the expectation is derived, never listed by hand. */
function allowedCallers(route: RouteDefinition): readonly Caller[] {
  if (route.permission === null) return callers
  if (route.permission === 'authenticated') return roles
  return permissions[route.permission]
}

test('every route has a probe or a named reason for refusal-only checks, and every entry a route (the matrix cannot silently skip a route)', () => {
  expect([...Object.keys(probes), ...Object.keys(refusalOnly)].sort()).toEqual(apiRoutes.map(keyOf).sort())
})

describe.each(testBackends())('route × role matrix on %s', (_name, store) => {
  let t: TestServer
  let validate: ReturnType<typeof openApiResponseValidator>
  beforeAll(async () => {
    t = await startTestServer(store, { rateLimitPerMinute: 100_000 })
    validate = openApiResponseValidator((await t.app.inject({ method: 'GET', url: '/openapi.json' })).json())
  })
  afterAll(async () => t?.close())

  async function call(route: RouteDefinition, caller: Caller): Promise<{ response: LightMyRequestResponse; body: string }> {
    // Refusal-only routes are called only by callers who must be refused, with placeholder parameters.
    const refusalProbe: Probe = async () => ({ url: route.url.replace(/:[A-Za-z]+/g, '0x00'), ...(route.method === 'GET' ? {} : { payload: {} }) })
    const probe = await (probes[keyOf(route)] ?? refusalProbe)(t)
    const response = await t.app.inject({
      ...probe,
      method: route.method,
      headers: caller === 'none' ? {} : { authorization: `Bearer ${t.tokens[caller]}` },
    } as InjectOptions)
    if (!probe.payloadAsStream) return { response, body: response.body }
    // An event stream never ends: read the JSON of a refusal, or just drop the open stream.
    const stream = response.stream()
    if (response.statusCode !== 200) return { response, body: await readAll(stream) }
    stream.destroy()
    return { response, body: '' }
  }

  test.each(apiRoutes.map((route) => [keyOf(route), route] as const))('%s', async (_key, route) => {
    const allowed = allowedCallers(route)
    const outcomes: Record<string, number> = {}
    const expected: Record<string, number> = {}
    const problems: string[] = []
    for (const caller of callers) {
      if (keyOf(route) in refusalOnly && allowed.includes(caller as never)) continue
      const { response, body } = await call(route, caller)
      outcomes[caller] = response.statusCode
      expected[caller] = allowed.includes(caller as never) ? route.status : caller === 'none' ? 401 : 403
      problems.push(...validate(route, { statusCode: response.statusCode, headers: response.headers, body }).map((p) => `${caller}: ${p}`))
      if (response.statusCode === 401) expect(JSON.parse(body).error.code).toBe('BW_UNAUTHENTICATED')
      if (response.statusCode === 403) expect(JSON.parse(body).error.code).toBe('BW_FORBIDDEN')
      if (response.statusCode >= 300 && expected[caller] < 300) problems.push(`${caller}: ${body}`)
    }
    expect(outcomes).toEqual(expected)
    expect(problems).toEqual([])
  })
})

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = ''
  for await (const chunk of stream) text += String(chunk)
  return text
}
