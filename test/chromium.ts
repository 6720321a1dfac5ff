import { accessSync, constants, existsSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { brotliDecompress } from 'node:zlib'
import { tarEntries } from '../src/compile/tarEntries.js'

const inflate = promisify(brotliDecompress)
const require = createRequire(import.meta.url)

export type Chromium = {
  executablePath: string
  /** Extra environment for the browser process (the packaged build's own libraries and fonts). */
  env: Record<string, string>
  /** Where it came from, for the test's log. */
  source: string
}

/**
 * A Chromium for the browser tests: `$BULWARK_CHROMIUM`, else a Chromium or Chrome on the PATH,
 * else the build shipped in the `@sparticuz/chromium` npm package (linux-x64 only: a
 * brotli-compressed headless shell plus the NSS libraries and a font it needs, unpacked once into
 * `~/.cache/bulwark/chromium/`). No browser download, no install script, no system package.
 *
 * @throws {Error} naming what is missing when none of these exists.
 */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<Chromium> {
  const configured = env['BULWARK_CHROMIUM']
  if (configured) {
    if (!isExecutable(configured)) throw new Error(`BULWARK_CHROMIUM=${configured} is not an executable file`)
    return { executablePath: configured, env: {}, source: `BULWARK_CHROMIUM (${configured})` }
  }
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']
  for (const dir of (env['PATH'] ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = path.join(dir, name)
      if (isExecutable(candidate)) return { executablePath: candidate, env: {}, source: `the system's ${candidate}` }
    }
  }
  const mac = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'
  if (process.platform === 'darwin' && isExecutable(mac)) return { executablePath: mac, env: {}, source: mac }
  return unpackSparticuz(env)
}

async function unpackSparticuz(env: NodeJS.ProcessEnv): Promise<Chromium> {
  let packageDir: string
  let version: string
  try {
    // The package's exports hide package.json and bin/: find its folder from its entry point.
    packageDir = path.dirname(require.resolve('@sparticuz/chromium'))
    while (!existsSync(path.join(packageDir, 'bin', 'chromium.br')) && path.dirname(packageDir) !== packageDir) packageDir = path.dirname(packageDir)
    version = (JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }).version
  } catch {
    throw new Error('No Chromium: none on the PATH (chromium, chromium-browser, google-chrome), BULWARK_CHROMIUM unset, and the @sparticuz/chromium package is not installed (run npm install)')
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`No Chromium: none on the PATH and BULWARK_CHROMIUM unset; the @sparticuz/chromium build in node_modules runs on linux-x64 only, not ${process.platform}-${process.arch}. Install Chromium or Chrome, or set BULWARK_CHROMIUM to its executable.`)
  }
  const base = env['XDG_CACHE_HOME'] ? path.resolve(env['XDG_CACHE_HOME']) : path.join(os.homedir(), '.cache')
  const dir = path.join(base, 'bulwark', 'chromium', `sparticuz-${version}`)
  const executablePath = path.join(dir, 'chromium')
  if (!existsSync(executablePath)) {
    // Unpack beside the final place and rename, so a concurrent or interrupted run never sees half a browser.
    const staging = `${dir}.${process.pid}.tmp`
    await rm(staging, { recursive: true, force: true })
    await mkdir(staging, { recursive: true })
    await writeFile(path.join(staging, 'chromium'), await inflate(await readFile(path.join(packageDir, 'bin', 'chromium.br'))), { mode: 0o755 })
    // al2023: NSS and expat built for the package's target, so the browser needs none from the system.
    for (const archive of ['al2023.tar.br', 'fonts.tar.br']) await untar(await inflate(await readFile(path.join(packageDir, 'bin', archive))), staging)
    await writeFile(
      path.join(staging, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${path.join(dir, 'fonts')}</dir>\n  <cachedir>${path.join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    )
    await rename(staging, dir).catch(async (error: NodeJS.ErrnoException) => {
      await rm(staging, { recursive: true, force: true })
      if (!existsSync(executablePath)) throw error
    })
  }
  return { executablePath, env: { LD_LIBRARY_PATH: path.join(dir, 'lib'), FONTCONFIG_PATH: dir }, source: `@sparticuz/chromium ${version} (${dir})` }
}

/** Extracts the regular files and directories of a ustar archive (all these archives hold). */
async function untar(archive: Buffer, into: string): Promise<void> {
  for (const entry of tarEntries(archive)) {
    const target = path.join(into, entry.name)
    if (!target.startsWith(into + path.sep)) throw new Error(`archive entry ${entry.name} leaves ${into}`)
    if (entry.type === '5') await mkdir(target, { recursive: true })
    else if (entry.type === '0') {
      await mkdir(path.dirname(target), { recursive: true })
      await writeFile(target, entry.content, { mode: entry.mode & 0o755 })
    }
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}
