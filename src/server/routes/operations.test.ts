import { generateKeyPairSync } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { getAddress, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createReadClient, createTestChainClient } from '../../chain/clients.js'
import { deployDemoProtocol, type DemoProtocol } from '../../chain/deployDemoProtocol.js'
import { devAccount, devRoles } from '../../chain/devAccounts.js'
import { startAnvil, type Anvil } from '../../chain/startAnvil.js'
import { bulwarkRoot } from '../../compile/bulwarkRoot.js'
import { compileProject } from '../../compile/compileProject.js'
import type { LifecycleContext } from '../../lifecycle/context.js'
import { signingKeyFromPem } from '../../lifecycle/signingKey.js'
import type { Role } from '../../lifecycle/types.js'
import { loadRelease } from '../../release/releaseRecords.js'
import { signPlannedSafeTransaction } from '../../release/safeTransactions.js'
import { openStore } from '../../store/openStore.js'
import { createApiToken } from '../auth.js'
import { createServer } from '../createServer.js'

// The lifecycle's long steps through the API, on a real anvil with the demo protocol (Safe 1.4.1,
// TimelockController, ReleaseGate): validate → plan → confirm → execute (schedule, then execute) → verify.
describe('operations through the API', () => {
  let anvil: Anvil
  let demo: DemoProtocol
  let app: FastifyInstance
  let context: LifecycleContext
  let base: string
  const tokens = {} as Record<Role, string>

  beforeAll(async () => {
    anvil = await startAnvil()
    const build = await compileProject({ root: bulwarkRoot() })
    demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
    const { privateKey } = generateKeyPairSync('ed25519')
    context = { store: await openStore({ dataDir: 'memory://' }), signingKey: signingKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()) }
    for (const role of ['admin', 'responder', 'signer', 'viewer'] as const) tokens[role] = (await createApiToken(context, { roles: [role], label: `${role}-ops` }, { id: 'test-setup', roles: ['admin'] })).token
    app = await createServer({ context, options: { logLevel: 'silent', eventsPollMs: 50 }, devnet: { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, protocol: demo } })
    await app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  }, 240_000)

  afterAll(async () => {
    await app?.close()
    await context?.store.close()
    await anvil?.stop()
  })

  const call = async (method: 'GET' | 'POST', url: string, role: Role, payload?: unknown) => {
    const response = await app.inject({ method, url, headers: { authorization: `Bearer ${tokens[role]}` }, ...(payload === undefined ? {} : { payload: payload as object }) })
    return { status: response.statusCode, body: response.json() }
  }
  type Job = { id: string; kind: string; state: string; input: Record<string, unknown>; result: Record<string, unknown> | null; error: { code: string; message: string } | null }
  const finished = async (id: string): Promise<Job> => {
    for (const deadline = Date.now() + 600_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 250))) {
      const { body } = await call('GET', `/jobs/${id}`, 'responder')
      if (body.job.state === 'completed' || body.job.state === 'failed') return body.job as Job
    }
    throw new Error(`job ${id} did not end`)
  }
  const started = async (url: string, role: Role, payload?: unknown): Promise<Job> => {
    const response = await call('POST', url, role, payload)
    expect(response.status, JSON.stringify(response.body)).toBe(201)
    expect(response.body.job.state).toBe('queued')
    const job = await finished(response.body.job.id)
    expect(job.error, JSON.stringify(job.error)).toBeNull()
    expect(job.state).toBe('completed')
    return job
  }
  const patchStatus = async (id: string) => (await call('GET', `/patches/${id}`, 'admin')).body.patch.status as string
  const manifestOf = (advisoryId: string, proxy = demo.lendingPool.proxy) => ({
    version: 1,
    advisory: { id: advisoryId, title: 'LendingPool reentrancy', severity: 'critical' },
    chain: { chainId: anvil.chainId },
    targets: [{ name: 'LendingPool', proxy, kind: 'uups', implementation: { sources: ['contracts/examples/LendingPool.sol', 'contracts/examples/LendingPoolV2.sol'], contract: 'LendingPoolV2' } }],
  })
  const validation = { stages: ['build', 'upgrade-safety', 'diff-review'], noRebuild: true }

  async function openPatch(embargoed: boolean) {
    const { body: created } = await call('POST', '/advisories', 'responder', { title: 'LendingPool reentrancy', severity: 'critical', reporter: 'ops test', embargoed })
    expect((await call('POST', `/advisories/${created.advisory.id}/transitions`, 'responder', { to: 'triaged' })).status).toBe(200)
    const { body } = await call('POST', '/patches', 'responder', {
      advisoryId: created.advisory.id,
      title: 'LendingPool V2',
      route: 'standard',
      targets: [{ proxy: demo.lendingPool.proxy, newImplementation: demo.lendingPool.implementation }],
      requiredApprovals: demo.threshold,
    })
    return { advisoryId: created.advisory.id as string, patchId: body.patch.id as string }
  }

  test('bad requests get coded 4xx before any job starts; roles and embargo hold', async () => {
    const { advisoryId, patchId } = await openPatch(true)
    const jobsBefore = await context.store.query('SELECT id FROM bulwark_jobs')
    // Roles: a viewer or a signer may not start a validation, a signer may not plan a release.
    expect((await call('POST', `/patches/${patchId}/validation-runs`, 'viewer', { manifest: manifestOf(advisoryId) })).body.error.code).toBe('BW_FORBIDDEN')
    expect((await call('POST', `/patches/${patchId}/release/plan`, 'signer', {})).body.error.code).toBe('BW_FORBIDDEN')
    // Unknown patch.
    const unknown = await call('POST', '/patches/PATCH-404/validation-runs', 'responder', { manifest: manifestOf(advisoryId) })
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'BW_PATCH_NOT_FOUND'])
    // A manifest about another proxy says nothing about this patch.
    const other = await call('POST', `/patches/${patchId}/validation-runs`, 'responder', { manifest: manifestOf(advisoryId, getAddress(demo.tokens.asset)) })
    expect([other.status, other.body.error.code]).toEqual([400, 'BW_MANIFEST_INVALID'])
    expect(JSON.stringify(other.body.error)).toContain('is not a target of patch')
    // Paths outside the project folder.
    const escaping = manifestOf(advisoryId)
    escaping.targets[0]!.implementation.sources = ['../../etc/passwd']
    const traversal = await call('POST', `/patches/${patchId}/validation-runs`, 'responder', { manifest: escaping })
    expect([traversal.status, traversal.body.error.code]).toEqual([400, 'BW_INPUT_INVALID'])
    expect(traversal.body.error.message).toContain('body.manifest.targets.0.implementation.sources.0')
    // Schema: an unknown stage, an unknown field.
    expect((await call('POST', `/patches/${patchId}/validation-runs`, 'responder', { manifest: manifestOf(advisoryId), stages: ['nope'] })).body.error.code).toBe('BW_INPUT_INVALID')
    expect((await call('POST', `/patches/${patchId}/release/plan`, 'responder', { route: 'fast' })).body.error.code).toBe('BW_INPUT_INVALID')
    // Out of order: no plan before validation, no execution or verification without a plan.
    const early = await call('POST', `/patches/${patchId}/release/plan`, 'responder', {})
    expect([early.status, early.body.error.code]).toEqual([422, 'BW_RELEASE_PLAN_INVALID'])
    expect((await call('POST', `/patches/${patchId}/release/execute`, 'responder')).body.error.code).toBe('BW_RELEASE_NOT_FOUND')
    expect((await call('POST', `/patches/${patchId}/verifications`, 'admin')).body.error.code).toBe('BW_RELEASE_NOT_FOUND')
    expect(await context.store.query('SELECT id FROM bulwark_jobs')).toEqual(jobsBefore)
    expect(await patchStatus(patchId)).toBe('proposed')
    // A missing job and another's job the caller may not see (embargoed patch) answer alike.
    expect((await call('GET', '/jobs/no-such-job', 'viewer')).body.error.code).toBe('BW_JOB_NOT_FOUND')
  })

  test('validate, plan, confirm, execute (schedule, then execute), verify: each started through the API, with progress on /events', async () => {
    const { advisoryId, patchId } = await openPatch(false)
    const stream = new AbortController()
    const events = await fetch(`${base}/events`, { headers: { authorization: `Bearer ${tokens.viewer}` }, signal: stream.signal })
    expect(events.status).toBe(200)

    // 1. Validation: the stored run validates the patch.
    const validated = await started(`/patches/${patchId}/validation-runs`, 'responder', { manifest: manifestOf(advisoryId), ...validation })
    expect(validated.kind).toBe('validate')
    expect(validated.result).toMatchObject({ ok: true, verdict: 'pass', patch: { id: patchId, status: 'validated' } })
    const { body: afterValidation } = await call('GET', `/patches/${patchId}`, 'viewer')
    expect(afterValidation.patch).toMatchObject({ status: 'validated', reportHash: validated.result!['hash'] })
    // Neither the stored input nor the API's view of it holds the RPC endpoint (it may carry a key) or server paths.
    const [stored] = await context.store.query<{ input: unknown }>('SELECT input FROM bulwark_jobs WHERE id = $1', [validated.id])
    expect(JSON.stringify(stored?.input)).not.toContain(anvil.rpcUrl)
    expect(Object.keys(validated.input).sort()).toEqual(['actor', 'manifest', 'noRebuild', 'patchId', 'rpcOfChain', 'stages'])
    const [run] = await context.store.query<{ report_hash: string }>('SELECT report_hash FROM validation_runs WHERE patch_id = $1', [patchId])
    expect(run?.report_hash).toBe(validated.result!['hash'])
    // A second validation of a validated patch is refused.
    expect((await call('POST', `/patches/${patchId}/validation-runs`, 'responder', { manifest: manifestOf(advisoryId) })).body.error.code).toBe('BW_TRANSITION_ILLEGAL')

    // 2. The plan on the standard route: two Safe transactions (schedule, execute) proposed to the owners.
    const planned = await started(`/patches/${patchId}/release/plan`, 'responder', { route: 'standard' })
    expect(planned.result).toMatchObject({ route: 'standard', safe: demo.safe, reportHash: validated.result!['hash'], patch: { status: 'awaiting_approval' } })
    const { plan } = await loadRelease(context.store, patchId)
    expect((planned.result!['proposals'] as { safeTxHash: Hex }[]).map((p) => p.safeTxHash)).toEqual(plan.safeTransactions.map((t) => t.safeTxHash))

    // 3. Owners confirm through the Safe routes, then the release module executes each step.
    const owners = devRoles.safeOwners.map((index) => devAccount(index))
    const confirm = async (step: number) => {
      for (const owner of owners.slice(0, demo.threshold)) {
        const { signature } = await signPlannedSafeTransaction(owner, plan.safeTransactions[step]!)
        expect((await call('POST', `/multisig-transactions/${plan.safeTransactions[step]!.safeTxHash}/confirmations`, 'signer', { signature })).status).toBe(201)
      }
    }
    const reader = createReadClient({ rpcUrl: anvil.rpcUrl })
    await confirm(0)
    const scheduled = await started(`/patches/${patchId}/release/execute`, 'responder')
    expect(scheduled.result).toMatchObject({ step: 0, purpose: 'schedule', patch: { status: 'scheduled' } })
    const scheduleReceipt = await reader.getTransactionReceipt({ hash: scheduled.result!['transactionHash'] as Hex })
    expect(scheduleReceipt.status).toBe('success')
    expect(getAddress(scheduleReceipt.to!)).toBe(demo.safe)
    // Before the delay the step is refused by the release module (the job fails with its code), nothing is sent.
    await confirm(1)
    const tooEarly = await call('POST', `/patches/${patchId}/release/execute`, 'responder')
    const refused = await finished(tooEarly.body.job.id)
    expect([refused.state, refused.error?.code]).toEqual(['failed', 'BW_RELEASE_NOT_READY'])
    const chain = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
    await chain.increaseTime({ seconds: plan.route.delay + 1 })
    await chain.mine({ blocks: 1 })
    const released = await started(`/patches/${patchId}/release/execute`, 'responder')
    expect(released.result).toMatchObject({ step: 1, purpose: 'execute', releaseStatus: 'released', patch: { status: 'released' } })
    expect((await reader.getTransactionReceipt({ hash: released.result!['transactionHash'] as Hex })).status).toBe('success')
    const slot = await reader.getStorageAt({ address: demo.lendingPool.proxy, slot: '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc' })
    expect(getAddress(`0x${slot!.slice(26)}`)).toBe(getAddress(plan.upgrades[0]!.implementation))
    const again = await call('POST', `/patches/${patchId}/release/execute`, 'responder')
    expect([again.status, again.body.error.code]).toEqual([409, 'BW_RELEASE_ALREADY_EXECUTED'])

    // 4. Verification from the chain: stored, and the patch is verified.
    const verified = await started(`/patches/${patchId}/verifications`, 'admin')
    expect(verified.result).toMatchObject({ ok: true, reportHash: validated.result!['hash'], patch: { status: 'verified' } })
    expect(await patchStatus(patchId)).toBe('verified')

    // /events carried each job's progress and result, and the patch's transitions.
    const decoder = new TextDecoder()
    const readable = events.body!.getReader()
    let text = ''
    while (!text.includes(`"jobId":"${verified.id}","kind":"verify","patchId":"${patchId}","type":"completed"`)) {
      const { value, done } = await readable.read()
      if (done) break
      text += decoder.decode(value)
    }
    stream.abort()
    const jobEvents = text
      .split('\n\n')
      .filter((block) => block.includes('event: job'))
      .map((block) => JSON.parse(block.split('\n').find((line) => line.startsWith('data: '))!.slice(6)) as { jobId: string; kind: string; type: string; data: unknown })
    expect(jobEvents.filter((event) => event.jobId === validated.id).map((event) => event.type)).toEqual(expect.arrayContaining(['queued', 'started', 'progress', 'completed']))
    expect(jobEvents.find((event) => event.jobId === refused.id && event.type === 'failed')?.data).toMatchObject({ code: 'BW_RELEASE_NOT_READY' })
    expect(jobEvents.every((event) => !('seq' in event))).toBe(true)
    expect(text).toContain('"to":"verified"')
  }, 900_000)

  test("a job of an embargoed patch is visible to whoever may see the patch, and to no one else", async () => {
    const { advisoryId, patchId } = await openPatch(true)
    const response = await call('POST', `/patches/${patchId}/validation-runs`, 'responder', { manifest: manifestOf(advisoryId), stages: ['build'], noRebuild: true })
    expect(response.status).toBe(201)
    const job = await finished(response.body.job.id)
    expect((await call('GET', `/jobs/${job.id}`, 'admin')).status).toBe(200)
    const hidden = await call('GET', `/jobs/${job.id}`, 'viewer')
    const absent = await call('GET', '/jobs/00000000-0000-4000-8000-000000000000', 'viewer')
    expect(hidden.status).toBe(404)
    expect(JSON.stringify(hidden.body).replaceAll(job.id, '<id>')).toBe(JSON.stringify(absent.body).replaceAll('00000000-0000-4000-8000-000000000000', '<id>'))
  }, 600_000)
})
