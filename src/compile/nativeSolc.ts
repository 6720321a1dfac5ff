import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'
import { CompilerUnavailableError } from './errors.js'

const run = promisify(execFile)
const versions = new Map<string, Promise<string>>()

/** The long version a native solc binary reports ('0.8.19+commit.7dd6d404'); memoized per path. */
export function nativeSolcVersion(solcPath: string): Promise<string> {
  let version = versions.get(solcPath)
  if (!version) {
    version = run(solcPath, ['--version'], { timeout: 30_000 }).then(
      ({ stdout }) => {
        const match = /Version:\s*(\d+\.\d+\.\d+(?:-[\w.]+)?\+commit\.[0-9a-f]+)/.exec(stdout)
        if (!match?.[1]) throw new CompilerUnavailableError({ version: solcPath, reason: `\`${solcPath} --version\` printed no "Version: x.y.z+commit…" line` })
        return match[1]
      },
      (error: unknown) => {
        throw new CompilerUnavailableError({ version: solcPath, reason: `the native solc could not be run (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` })
      },
    )
    versions.set(solcPath, version)
    version.catch(() => versions.delete(solcPath))
  }
  return version
}

/** Runs a native solc on a Standard JSON input (every source inline: the binary reads no files). */
export function compileWithNativeSolc(solcPath: string, input: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(solcPath, ['--standard-json'], { stdio: ['pipe', 'pipe', 'pipe'], ...(signal ? { signal } : {}) })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.once('error', (error) => reject(new CompilerUnavailableError({ version: solcPath, reason: `the native solc could not be run (${error.message})` })))
    child.once('close', (code) => {
      if (code === 0) resolve(Buffer.concat(stdout).toString('utf8'))
      else reject(new CompilerUnavailableError({ version: solcPath, reason: `it exited with code ${code}: ${Buffer.concat(stderr).toString('utf8').trim().split('\n')[0] ?? ''}` }))
    })
    child.stdin.end(input)
  })
}
