import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { main } from '../main.js'
import { captureIo } from '../testIo.js'

const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

test('token create (local) → serve → token list/create/revoke over --server; remote errors keep their codes and exit codes', async () => {
  const cwd = await mkdtemp(path.join(tmpdir(), 'bulwark-serve-'))
  dirs.push(cwd)

  const created = captureIo(cwd)
  expect(await main(['token', 'create', '--role', 'admin', '--label', 'ops', '--json'], created.io)).toBe(0)
  const { token, apiToken } = created.json<{ token: string; apiToken: { id: number; label: string; roles: string[] } }>()
  expect(apiToken).toMatchObject({ label: 'ops', roles: ['admin'] })
  expect(token).toMatch(/^bwt_/)

  let stop!: () => void
  const served = captureIo(cwd, {}, new Promise<void>((resolve) => (stop = resolve)))
  const serving = main(['serve', '--port', '0', '--json', '--log-level', 'silent'], served.io)
  let url: string | undefined
  for (let i = 0; i < 600 && url === undefined; i += 1) {
    if (served.stdout()) url = served.json<{ url: string }>().url
    else await new Promise((resolve) => setTimeout(resolve, 100))
  }
  try {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const remote = ['--server', url!, '--json']
    const env = { BULWARK_TOKEN: token }

    const list = captureIo(cwd, env)
    expect(await main(['token', 'list', ...remote], list.io)).toBe(0)
    expect(list.json().tokens.map((t: { label: string }) => t.label)).toEqual(['ops'])

    const viewer = captureIo(cwd, env)
    expect(await main(['token', 'create', '--role', 'viewer', '--label', 'dashboard', ...remote], viewer.io)).toBe(0)
    const viewerToken = viewer.json().token as string

    // The viewer may not manage tokens: the server's 403 becomes the same code and exit class.
    const forbidden = captureIo(cwd, {})
    expect(await main(['token', 'list', ...remote, '--token', viewerToken], forbidden.io)).toBe(8)
    expect(forbidden.json().error.code).toBe('BW_FORBIDDEN')

    const revoked = captureIo(cwd, env)
    expect(await main(['token', 'revoke', String(viewer.json().apiToken.id), ...remote], revoked.io)).toBe(0)
    const afterRevoke = captureIo(cwd, {})
    expect(await main(['token', 'list', ...remote, '--token', viewerToken], afterRevoke.io)).toBe(8)
    expect(afterRevoke.json().error.code).toBe('BW_UNAUTHENTICATED')
    expect(afterRevoke.stdout()).not.toContain(viewerToken)

    // The lifecycle commands go remote with the same flags, acting as the token's owner.
    const advisory = captureIo(cwd, env)
    expect(await main(['advisory', 'create', '--title', 'Oracle drift', '--severity', 'high', ...remote], advisory.io)).toBe(0)
    expect(advisory.json().advisory).toMatchObject({ title: 'Oracle drift', reporter: 'ops', status: 'reported' })
    const listed = captureIo(cwd, env)
    expect(await main(['advisory', 'list', ...remote], listed.io)).toBe(0)
    expect(listed.stdout()).toContain('Oracle drift')
    const asSomeone = captureIo(cwd, env)
    expect(await main(['advisory', 'list', '--as', 'mallory', ...remote], asSomeone.io)).toBe(2)

    const missing = captureIo(cwd, env)
    expect(await main(['token', 'revoke', '999999', ...remote], missing.io)).toBe(2)
    expect(missing.json().error.code).toBe('BW_TOKEN_NOT_FOUND')
  } finally {
    stop()
    expect(await serving).toBe(0)
  }
})

test('remote-mode and flag mistakes exit with their documented codes', async () => {
  const cwd = await mkdtemp(path.join(tmpdir(), 'bulwark-serve-'))
  dirs.push(cwd)
  const run = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const io = captureIo(cwd, env)
    const code = await main([...argv, '--json'], io.io)
    return { code, error: io.json().error as { code: string; message: string } }
  }
  expect(await run(['token', 'list', '--server', 'http://127.0.0.1:1', '--token', 'bwt_x'])).toMatchObject({ code: 8, error: { code: 'BW_SERVER_UNREACHABLE' } })
  expect(await run(['token', 'list', '--server', 'http://127.0.0.1:1'])).toMatchObject({ code: 2, error: { code: 'BW_USAGE' } })
  expect(await run(['token', 'list', '--token', 'bwt_x'])).toMatchObject({ code: 2, error: { code: 'BW_USAGE' } })
  expect(await run(['token', 'list', '--server', 'ftp://example.com', '--token', 'x'])).toMatchObject({ code: 2, error: { code: 'BW_USAGE' } })
  expect(await run(['token'])).toMatchObject({ code: 2, error: { code: 'BW_USAGE' } })
  expect(await run(['token', 'revoke', 'abc'])).toMatchObject({ code: 2, error: { code: 'BW_USAGE' } })
  expect(await run(['token', 'create', '--role', 'admin'])).toMatchObject({ code: 2, error: { code: 'BW_USAGE' } })
  expect(await run(['serve', '--port', '70000'])).toMatchObject({ code: 2, error: { code: 'BW_USAGE', message: expect.stringContaining('--port') } })
})
