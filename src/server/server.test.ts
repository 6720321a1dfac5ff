import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createAdvisory } from '../lifecycle/createAdvisory.js'
import { createPatch } from '../lifecycle/createPatch.js'
import { transitionAdvisory } from '../lifecycle/transitionAdvisory.js'
import type { Actor, Role } from '../lifecycle/types.js'
import { hashToken } from './auth.js'
import { createAlertStreamSink } from '../monitor/sinks/alertStream.js'
import type { Alert } from '../monitor/types.js'
import { createServer } from './createServer.js'
import { resolveServerOptions, serverDefaults } from './options.js'
import { openApiResponseValidator, startTestServer, testBackends, type TestServer } from './testServer.js'

const proxy = `0x${'11'.repeat(20)}`
const implementation = `0x${'22'.repeat(20)}`

describe.each(testBackends())('HTTP API on %s', (_name, store) => {
  let t: TestServer
  let validate: ReturnType<typeof openApiResponseValidator>
  const logLines: string[] = []
  const auth = (role: Role) => ({ authorization: `Bearer ${t.tokens[role]}` })

  beforeAll(async () => {
    t = await startTestServer(store, { rateLimitPerMinute: 100_000 })
    validate = openApiResponseValidator((await t.app.inject({ method: 'GET', url: '/openapi.json' })).json())
  })
  afterAll(async () => t?.close())

  /** Injects and checks the answer against the served OpenAPI document. */
  async function request(route: { method: 'GET' | 'POST' | 'DELETE'; url: string }, options: { role?: Role; path?: string; payload?: unknown; headers?: Record<string, string> } = {}) {
    const response = await t.app.inject({
      method: route.method,
      url: options.path ?? route.url,
      headers: { ...(options.role ? auth(options.role) : {}), ...options.headers },
      ...(options.payload === undefined ? {} : { payload: options.payload as never }),
    })
    expect(validate(route, response)).toEqual([])
    return response
  }

  describe('embargo', () => {
    let embargoed: string
    let patchId: string
    beforeAll(async () => {
      const responder: Actor = { id: t.labels.responder, roles: ['responder'] }
      const created = await createAdvisory(
        t.context,
        { title: 'Unannounced bridge bug', severity: 'critical', reporter: 'private', embargoed: true, clearedActors: [t.labels.signer] },
        responder,
      )
      embargoed = created.advisory.id
      await transitionAdvisory(t.context, { id: embargoed, to: 'triaged' }, responder)
      patchId = (await createPatch(t.context, { advisoryId: embargoed, title: 'fix', route: 'private', targets: [{ proxy, newImplementation: implementation }] }, responder)).patch.id
    })

    test('an uncleared viewer gets exactly the answer a missing advisory gets', async () => {
      const hidden = await request({ method: 'GET', url: '/advisories/:id' }, { role: 'viewer', path: `/advisories/${embargoed}` })
      const missing = await request({ method: 'GET', url: '/advisories/:id' }, { role: 'viewer', path: '/advisories/ADV-999999' })
      expect(hidden.statusCode).toBe(404)
      expect(missing.statusCode).toBe(404)
      expect(hidden.json().error.code).toBe('BW_ADVISORY_NOT_FOUND')
      expect(hidden.body.replace(embargoed, 'ID')).toBe(missing.body.replace('ADV-999999', 'ID'))
      expect(Object.keys(hidden.headers).sort()).toEqual(Object.keys(missing.headers).sort())
      for (const path of [`/advisories/${embargoed}/transitions`, `/advisories/${embargoed}/latency`]) {
        const response = await t.app.inject({ method: 'GET', url: path, headers: auth('viewer') })
        expect([response.statusCode, response.json().error.code]).toEqual([404, 'BW_ADVISORY_NOT_FOUND'])
      }
      const patch = await request({ method: 'GET', url: '/patches/:id' }, { role: 'viewer', path: `/patches/${patchId}` })
      expect([patch.statusCode, patch.json().error.code]).toEqual([404, 'BW_PATCH_NOT_FOUND'])
    })

    test('lists leave it out for the uncleared and keep it for cleared roles and cleared actors', async () => {
      const ids = async (role: Role, url: string, key: 'advisories' | 'patches') =>
        ((await request({ method: 'GET', url: url.split('?')[0]! }, { role, path: url })).json()[key] as { id: string }[]).map((item) => item.id)
      expect(await ids('viewer', '/advisories?limit=1000', 'advisories')).not.toContain(embargoed)
      expect(await ids('viewer', '/patches?limit=1000', 'patches')).not.toContain(patchId)
      expect(await ids('auditor', '/advisories?limit=1000', 'advisories')).toContain(embargoed)
      expect(await ids('responder', '/patches?limit=1000', 'patches')).toContain(patchId)
      // The signer's token label is on the advisory's clearance list.
      expect(await ids('signer', '/advisories?limit=1000', 'advisories')).toContain(embargoed)
      expect((await request({ method: 'GET', url: '/advisories/:id' }, { role: 'signer', path: `/advisories/${embargoed}` })).statusCode).toBe(200)
    })

    test('a viewer cannot change an embargoed advisory it cannot see, and learns nothing from trying', async () => {
      const response = await request({ method: 'POST', url: '/advisories/:id/transitions' }, { role: 'viewer', path: `/advisories/${embargoed}/transitions`, payload: { to: 'withdrawn' } })
      expect([response.statusCode, response.json().error.code]).toEqual([403, 'BW_FORBIDDEN'])
    })
  })

  describe('input and errors', () => {
    test('a body that fails the schema is 400 BW_INPUT_INVALID naming the field', async () => {
      const route = { method: 'POST', url: '/advisories' } as const
      const missing = await request(route, { role: 'responder', payload: { title: 'x', reporter: 'me' } })
      expect(missing.statusCode).toBe(400)
      expect(missing.json().error).toMatchObject({ code: 'BW_INPUT_INVALID', field: 'body.severity' })
      const unknown = await request(route, { role: 'responder', payload: { title: 'x', reporter: 'me', severity: 'high', cvss: 9 } })
      expect(unknown.json().error).toMatchObject({ code: 'BW_INPUT_INVALID', field: 'body.cvss' })
      const wrongType = await request(route, { role: 'responder', payload: { title: 'x', reporter: 'me', severity: 'apocalyptic' } })
      expect(wrongType.json().error).toMatchObject({ code: 'BW_INPUT_INVALID', field: 'body.severity' })
      const badAddress = await request(route, { role: 'responder', payload: { title: 'x', reporter: 'me', severity: 'low', affectedContracts: [{ address: '0x12' }] } })
      expect(badAddress.json().error).toMatchObject({ code: 'BW_INPUT_INVALID', field: 'affectedContracts[0].address' })
      const notJson = await request(route, { role: 'responder', payload: '{"title":', headers: { 'content-type': 'application/json' } })
      expect(notJson.json().error).toMatchObject({ code: 'BW_INPUT_INVALID', field: 'body' })
      const query = await request({ method: 'GET', url: '/advisories' }, { role: 'viewer', path: '/advisories?limit=0' })
      expect(query.json().error).toMatchObject({ code: 'BW_INPUT_INVALID', field: 'querystring.limit' })
    })

    test('an unauthenticated caller gets 401 before the body is even validated; a bad token is never echoed', async () => {
      const route = { method: 'POST', url: '/advisories' } as const
      const none = await request(route, { payload: { nonsense: true } })
      expect([none.statusCode, none.json().error.code]).toEqual([401, 'BW_UNAUTHENTICATED'])
      const forged = `bwt_${'A'.repeat(43)}`
      const unknown = await request(route, { payload: {}, headers: { authorization: `Bearer ${forged}` } })
      expect([unknown.statusCode, unknown.json().error.code]).toEqual([401, 'BW_UNAUTHENTICATED'])
      expect(unknown.body).not.toContain(forged)
      const malformed = await request(route, { payload: {}, headers: { authorization: `Token ${t.tokens.admin}` } })
      expect([malformed.statusCode, malformed.json().error.code]).toEqual([401, 'BW_UNAUTHENTICATED'])
      expect(malformed.body).not.toContain(t.tokens.admin)
    })

    test('an illegal transition is 409 with the allowed moves; an unknown route is 404 BW_ROUTE_NOT_FOUND', async () => {
      const { advisory } = await createAdvisory(t.context, { title: 'x', severity: 'low', reporter: 'me' }, { id: t.labels.responder, roles: ['responder'] })
      const illegal = await request(
        { method: 'POST', url: '/advisories/:id/transitions' },
        { role: 'responder', path: `/advisories/${advisory.id}/transitions`, payload: { to: 'disclosed' } },
      )
      expect(illegal.statusCode).toBe(409)
      expect(illegal.json().error).toMatchObject({ code: 'BW_TRANSITION_ILLEGAL' })
      expect(illegal.json().error.message).toContain('Allowed next: triaged, withdrawn')
      const nowhere = await t.app.inject({ method: 'GET', url: '/advisory?token=secret', headers: auth('viewer') })
      expect([nowhere.statusCode, nowhere.json().error.code]).toEqual([404, 'BW_ROUTE_NOT_FOUND'])
      expect(nowhere.body).not.toContain('secret')
    })
  })

  test('cached reads are never stale: a change made outside this server shows on the next request', async () => {
    const responder: Actor = { id: t.labels.responder, roles: ['responder'] }
    const { advisory } = await createAdvisory(t.context, { title: 'cache probe', severity: 'medium', reporter: 'me' }, responder)
    const read = async () => (await request({ method: 'GET', url: '/advisories/:id' }, { role: 'viewer', path: `/advisories/${advisory.id}` })).json().advisory.status
    const listed = async () =>
      ((await request({ method: 'GET', url: '/advisories' }, { role: 'viewer', path: '/advisories?limit=1000' })).json().advisories as { id: string; status: string }[]).find(
        (item) => item.id === advisory.id,
      )?.status
    expect([await read(), await read(), await listed()]).toEqual(['reported', 'reported', 'reported'])
    // Straight through the library, as the CLI or another server process would.
    await transitionAdvisory(t.context, { id: advisory.id, to: 'triaged' }, responder)
    expect([await read(), await listed()]).toEqual(['triaged', 'triaged'])
  })

  describe('tokens', () => {
    test('a token is stored only as its sha256; the plaintext is in no column of any row', async () => {
      const created = await request({ method: 'POST', url: '/tokens' }, { role: 'admin', payload: { label: `deploy-bot-${Date.now()}`, roles: ['signer', 'viewer'] } })
      expect(created.statusCode).toBe(201)
      const { token, apiToken } = created.json() as { token: string; apiToken: { id: number; roles: string[] } }
      expect(token).toMatch(/^bwt_[A-Za-z0-9_-]{43}$/)
      expect(apiToken.roles).toEqual(['signer', 'viewer'])
      const rows = await t.context.store.query<{ row: unknown }>('SELECT row_to_json(t)::text AS row FROM api_tokens t')
      const table = rows.map((r) => String(r.row)).join('\n')
      expect(table).toContain(hashToken(token))
      expect(table).not.toContain(token)
      expect(table).not.toContain(token.slice(4))
      const audit = await t.context.store.query<{ row: unknown }>('SELECT row_to_json(a)::text AS row FROM audit_log a')
      expect(audit.map((r) => String(r.row)).join('\n')).not.toContain(token.slice(4))
      const list = await request({ method: 'GET', url: '/tokens' }, { role: 'admin' })
      expect(list.body).not.toContain(token.slice(4))

      // It works, then stops working the moment it is revoked.
      const headers = { authorization: `Bearer ${token}` }
      expect((await t.app.inject({ method: 'GET', url: '/advisories', headers })).statusCode).toBe(200)
      const revoked = await request({ method: 'DELETE', url: '/tokens/:id' }, { role: 'admin', path: `/tokens/${apiToken.id}` })
      expect(revoked.statusCode).toBe(200)
      expect((await t.app.inject({ method: 'GET', url: '/advisories', headers })).statusCode).toBe(401)
      const again = await request({ method: 'DELETE', url: '/tokens/:id' }, { role: 'admin', path: `/tokens/${apiToken.id}` })
      expect([again.statusCode, again.json().error.code]).toEqual([404, 'BW_TOKEN_NOT_FOUND'])
    })

    test('a bad role or a taken label is refused with its code', async () => {
      const badRole = await request({ method: 'POST', url: '/tokens' }, { role: 'admin', payload: { label: 'x', roles: ['root'] } })
      expect(badRole.json().error).toMatchObject({ code: 'BW_INPUT_INVALID', field: 'body.roles[0]' })
      const taken = await request({ method: 'POST', url: '/tokens' }, { role: 'admin', payload: { label: t.labels.viewer, roles: ['viewer'] } })
      expect([taken.statusCode, taken.json().error.code]).toEqual([409, 'BW_CONFLICT'])
    })
  })

  test('the OpenAPI document lists every route with its security and the error shape', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.paths['/advisories/{id}'].get.security).toEqual([{ bearer: [] }])
    expect(doc.paths['/health'].get.security).toEqual([])
    expect(doc.paths['/advisories'].post.responses['4XX'].content['application/json'].schema.properties.error.properties.code.enum).toContain('BW_FORBIDDEN')
  })

  test('logs never carry a token', async () => {
    logLines.length = 0
    const app = await createServer({ context: t.context, options: { logLevel: 'trace' }, logStream: { write: (line) => void logLines.push(line) } })
    try {
      await app.inject({ method: 'GET', url: '/advisories', headers: auth('viewer') })
      await app.inject({ method: 'POST', url: '/advisories', headers: auth('responder'), payload: { bad: true } })
      await app.inject({ method: 'GET', url: '/health', headers: { authorization: `Bearer ${t.tokens.admin}` } })
    } finally {
      await app.close()
    }
    expect(logLines.length).toBeGreaterThan(3)
    const all = logLines.join('\n')
    for (const token of Object.values(t.tokens)) expect(all).not.toContain(token.slice(4))
  })

  describe('limits', () => {
    let app: FastifyInstance
    beforeAll(async () => {
      app = await createServer({ context: t.context, options: { bodyLimit: 2048, rateLimitPerMinute: 5, logLevel: 'silent' } })
    })
    afterAll(async () => app?.close())

    test('a body over the limit is 413 BW_BODY_TOO_LARGE', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/advisories',
        headers: { authorization: `Bearer ${t.tokens.responder}` },
        payload: { title: 'x', severity: 'low', reporter: 'me', description: 'A'.repeat(4096) },
      })
      expect(response.statusCode).toBe(413)
      expect(response.json().error).toMatchObject({ code: 'BW_BODY_TOO_LARGE' })
      expect(response.json().error.message).toContain('2048 bytes')
    })

    test('the rate limit counts per token: the sixth request in a minute is 429 with Retry-After, another token is unaffected', async () => {
      const headers = { authorization: `Bearer ${t.tokens.viewer}` }
      const statuses: number[] = []
      for (let i = 0; i < 6; i += 1) statuses.push((await app.inject({ method: 'GET', url: '/advisories', headers })).statusCode)
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429])
      const limited = await app.inject({ method: 'GET', url: '/advisories', headers })
      expect(limited.json().error).toMatchObject({ code: 'BW_RATE_LIMITED' })
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
      expect((await app.inject({ method: 'GET', url: '/advisories', headers: { authorization: `Bearer ${t.tokens.auditor}` } })).statusCode).toBe(200)
    })
  })

  describe('on a real socket', () => {
    let app: FastifyInstance
    let base: string
    beforeAll(async () => {
      app = await createServer({ context: t.context, options: { eventsPollMs: 50, logLevel: 'silent' } })
      await app.listen({ port: 0, host: '127.0.0.1' })
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    })
    afterAll(async () => app?.close())

    test('GET /events streams transitions live, and only those the caller may see', async () => {
      const controller = new AbortController()
      const response = await fetch(`${base}/events`, { headers: { authorization: `Bearer ${t.tokens.viewer}` }, signal: controller.signal })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toContain('text/event-stream')
      const reader = response.body!.getReader()
      const decoder = new TextDecoder()
      let text = ''
      const post = (path: string, payload: unknown) =>
        fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${t.tokens.responder}`, 'content-type': 'application/json' }, body: JSON.stringify(payload) })
      // First an embargoed advisory (the viewer must not hear of it), then a public one.
      const secret = (await (await post('/advisories', { title: 'secret', severity: 'high', reporter: 'r', embargoed: true })).json()) as { advisory: { id: string } }
      const open = (await (await post('/advisories', { title: 'public', severity: 'low', reporter: 'r' })).json()) as { advisory: { id: string } }
      expect((await post(`/advisories/${open.advisory.id}/transitions`, { to: 'triaged' })).status).toBe(200)
      while (!text.includes('"to":"triaged"')) {
        const { value, done } = await reader.read()
        if (done) break
        text += decoder.decode(value)
      }
      controller.abort()
      const events = text
        .split('\n\n')
        .filter((block) => block.includes('event: transition'))
        .map((block) => JSON.parse(block.split('\n').find((line) => line.startsWith('data: '))!.slice(6)) as { advisoryId: string; to: string })
      // Other suites may share a PostgreSQL server: look only at this test's two advisories.
      const mine = events.filter((event) => event.advisoryId === open.advisory.id || event.advisoryId === secret.advisory.id)
      expect(mine.map((event) => [event.advisoryId, event.to])).toEqual([
        [open.advisory.id, 'reported'],
        [open.advisory.id, 'triaged'],
      ])
      expect(text).not.toContain(secret.advisory.id)
      // Nothing in what the viewer got counts the embargoed transitions: no global ids, opaque event ids.
      const blocks = text.split('\n\n').filter((block) => block.includes('event: transition'))
      for (const block of blocks) {
        expect(block.split('\n').find((line) => line.startsWith('id: '))).toMatch(/^id: c1\.[A-Za-z0-9_-]+$/)
        expect(Object.keys(JSON.parse(block.split('\n').find((line) => line.startsWith('data: '))!.slice(6)) as object)).not.toEqual(expect.arrayContaining(['id']))
        expect(block).not.toContain('"auditSeq"')
      }
    })

    test('GET /events relays the alerts any monitor writes to the stream, and Last-Event-ID resumes both cursors', async () => {
      const readUntil = async (response: Response, needle: string) => {
        const reader = response.body!.getReader()
        const decoder = new TextDecoder()
        let text = ''
        while (!text.includes(needle)) {
          const { value, done } = await reader.read()
          if (done) break
          text += decoder.decode(value)
        }
        return text
      }
      const eventsOf = (text: string, kind: string) =>
        text
          .split('\n\n')
          .filter((block) => block.includes(`event: ${kind}`))
          .map((block) => ({ id: block.split('\n').find((line) => line.startsWith('id: '))!.slice(4), data: JSON.parse(block.split('\n').find((line) => line.startsWith('data: '))!.slice(6)) as Record<string, unknown> }))
      const sink = createAlertStreamSink(t.context.store)
      const alertOf = (id: string): Alert => ({
        id, detector: 'reentrancy', severity: 'critical', chain: 31337, block: null, tx: `0x${'ab'.repeat(32)}`, addresses: [], summary: `re-entered (${id})`,
        evidence: {}, pending: true, riskScore: 90, response: { kind: 'notify' }, raisedAt: new Date().toISOString(),
      })
      const first = new AbortController()
      const live = await fetch(`${base}/events`, { headers: { authorization: `Bearer ${t.tokens.viewer}` }, signal: first.signal })
      const tag = `sse-${Date.now()}`
      await sink.send(alertOf(`${tag}-1`))
      const text = await readUntil(live, `${tag}-1`)
      first.abort()
      const [relayed] = eventsOf(text, 'alert').filter((event) => event.data['id'] === `${tag}-1`)
      expect(relayed!.data).toMatchObject({ detector: 'reentrancy', severity: 'critical', summary: `re-entered (${tag}-1)` })
      expect(relayed!.id).toMatch(/^c1\.[A-Za-z0-9_-]+$/)
      // Written while nobody listened: a client resuming from the last id gets it, and nothing twice.
      await sink.send(alertOf(`${tag}-2`))
      const second = new AbortController()
      const resumed = await fetch(`${base}/events`, { headers: { authorization: `Bearer ${t.tokens.viewer}`, 'last-event-id': relayed!.id }, signal: second.signal })
      const later = await readUntil(resumed, `${tag}-2`)
      second.abort()
      const ids = eventsOf(later, 'alert').map((event) => event.data['id'])
      expect(ids).toContain(`${tag}-2`)
      expect(ids).not.toContain(`${tag}-1`)
    })

    test('requests over HTTP carry the same error shape', async () => {
      const response = await fetch(`${base}/advisories`)
      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({ error: { code: 'BW_UNAUTHENTICATED' } })
      expect((await fetch(`${base}/health`)).status).toBe(200)
    })
  })
})

describe('options', () => {
  test('defaults are frozen and an invalid option is named', () => {
    expect(Object.isFrozen(serverDefaults)).toBe(true)
    const resolved = resolveServerOptions({ bodyLimit: 4096 })
    expect(Object.isFrozen(resolved)).toBe(true)
    expect(resolved).toMatchObject({ bodyLimit: 4096, rateLimitPerMinute: serverDefaults.rateLimitPerMinute })
    expect(() => resolveServerOptions({ rateLimitPerMinute: 0 })).toThrowError(expect.objectContaining({ code: 'BW_SERVER_OPTIONS_INVALID', message: expect.stringContaining('rateLimitPerMinute') }))
    expect(() => resolveServerOptions({ bodyLimit: 1.5 })).toThrowError(expect.objectContaining({ code: 'BW_SERVER_OPTIONS_INVALID' }))
  })
})

