import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, describe, expect, test } from 'vitest'
import { openStore } from './openStore.js'
import { lockFileOf } from './storeLock.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const mainModule = pathToFileURL(path.join(root, 'src', 'cli', 'main.ts')).href
// resolved here: the child runs in a temporary folder without node_modules
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const tempDirs: string[] = []
const children = new Set<ChildProcess>()
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL')
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bulwark-lock-'))
  tempDirs.push(dir)
  return dir
}

/** The real CLI in its own process (what an operator runs in a second terminal). */
function cli(cwd: string, args: string[]) {
  const script = `const { main } = await import(${JSON.stringify(mainModule)}); process.exitCode = await main(process.argv.slice(1))`
  const child = spawn(process.execPath, ['--import', tsxLoader, '--input-type=module', '-e', script, ...args], {
    cwd,
    env: { ...process.env, USER: 'ops', DATABASE_URL: '', BULWARK_SIGNING_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => void (stdout += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => (children.delete(child), resolve(code))))
  return {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    async done() {
      const code = await exited
      return { code, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, unknown> }
    },
    async waitFor(pattern: RegExp, timeoutMs = 60_000) {
      const start = Date.now()
      while (!pattern.test(stdout)) {
        if (Date.now() - start > timeoutMs || child.exitCode !== null) throw new Error(`no ${pattern} in: ${stdout} ${stderr}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
  }
}

describe('one process owns the embedded store', () => {
  test('a second open in the same process is refused with BW_STORE_LOCKED, and the folder is free again after close', async () => {
    const dataDir = path.join(await tempDir(), 'db')
    const first = await openStore({ dataDir })
    const error = await openStore({ dataDir }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BW_STORE_LOCKED', name: 'StoreLockedError', holder: { pid: process.pid } })
    expect(String((error as Error).message)).toContain(`in use by process ${process.pid}`)
    await first.query("INSERT INTO advisories (id, title, description, severity, status, affected_contracts, reporter, discovered_at, reported_at, embargoed, cleared_actors, alert_ids, updated_at) VALUES ('ADV-X', 't', '', 'low', 'reported', '[]', 'r', now(), now(), false, '[]', '[]', now())")
    await first.close()
    await expect(readFile(lockFileOf(dataDir), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' })
    const again = await openStore({ dataDir })
    expect(await again.query('SELECT id FROM advisories')).toEqual([{ id: 'ADV-X' }])
    await again.close()
  })

  test('a lock left by a dead process (or junk) is taken over', async () => {
    const dataDir = path.join(await tempDir(), 'db')
    // pid 2^22-1 is above Linux's default pid_max: no such process
    await writeFile(lockFileOf(dataDir), JSON.stringify({ pid: 4_194_303, command: 'bulwark serve', since: '2020-01-01T00:00:00.000Z', host: (await import('node:os')).hostname() }))
    const store = await openStore({ dataDir })
    expect(JSON.parse(await readFile(lockFileOf(dataDir), 'utf8'))).toMatchObject({ pid: process.pid })
    await store.close()
    await writeFile(lockFileOf(dataDir), 'not json')
    await (await openStore({ dataDir })).close()
  })

  test('`bulwark serve` holds the folder: `advisory create` beside it gets BW_STORE_LOCKED naming the server; through --server nothing is lost', async () => {
    const cwd = await tempDir()
    const token = (await cli(cwd, ['token', 'create', '--role', 'admin', '--label', 'ops', '--json']).done()).json().token as string
    const server = cli(cwd, ['serve', '--port', '0', '--json', '--log-level', 'silent'])
    await server.waitFor(/"url"/)
    const url = (JSON.parse(server.stdout()) as { url: string }).url

    const refused = await cli(cwd, ['advisory', 'create', '--title', 'second writer', '--severity', 'high', '--json']).done()
    expect(refused.code).toBe(7)
    const failure = refused.json().error as { code: string; message: string }
    expect(failure.code).toBe('BW_STORE_LOCKED')
    expect(failure.message).toContain(`in use by process ${server.child.pid} (`)
    expect(failure.message).toMatch(/serve --port 0/)

    const viaServer = await cli(cwd, ['advisory', 'create', '--title', 'through the server', '--severity', 'high', '--server', url, '--token', token, '--json']).done()
    expect(viaServer.code).toBe(0)
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)

    const listed = await cli(cwd, ['advisory', 'list', '--json']).done()
    expect(listed.code).toBe(0)
    expect((listed.json().advisories as { title: string }[]).map((a) => a.title)).toEqual(['through the server'])
    const verified = await cli(cwd, ['audit', 'verify', '--json']).done()
    expect(verified.json()).toMatchObject({ ok: true })

    // A server killed outright leaves its lock file behind; its process is gone, so the next command takes over.
    const killed = cli(cwd, ['serve', '--port', '0', '--json', '--log-level', 'silent'])
    await killed.waitFor(/"url"/)
    killed.child.kill('SIGKILL')
    await killed.exited
    expect(JSON.parse(await readFile(lockFileOf(path.join(cwd, '.bulwark', 'db')), 'utf8'))).toMatchObject({ pid: killed.child.pid })
    const after = await cli(cwd, ['advisory', 'create', '--title', 'after a crash', '--severity', 'low', '--json']).done()
    expect(after.code).toBe(0)
  }, 180_000)
})
