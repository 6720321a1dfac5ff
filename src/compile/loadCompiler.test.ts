import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { CompilerUnavailableError } from './errors.js'
import { bundledSolcVersion, fetchSoljson, loadCompiler, releaseOf } from './loadCompiler.js'

const cache = await mkdtemp(path.join(tmpdir(), 'bulwark-solc-cache-'))
afterAll(() => rm(cache, { recursive: true, force: true }))

describe('loadCompiler', () => {
  test('fetches a release from the npm registry once, unpacked in memory, and reads it from the cache after', async () => {
    const env = { BULWARK_SOLC_CACHE: cache }
    const file = await fetchSoljson('0.8.13', env)
    expect(file).toBe(path.join(cache, '0.8.13', 'soljson.js'))
    const first = await stat(file)
    expect(first.size).toBeGreaterThan(1_000_000)
    expect(await fetchSoljson('0.8.13', env)).toBe(file)
    expect((await stat(file)).mtimeMs).toBe(first.mtimeMs)
  })

  test('an old release is wrapped by the bundled solc-js and reports its own version', async () => {
    const solc = await loadCompiler('0.5.16+commit.9c3226ce')
    expect(solc.version()).toMatch(/^0\.5\.16\+commit\.9c3226ce/)
  })

  test('the bundled release needs no fetch', async () => {
    expect((await loadCompiler()).version()).toMatch(new RegExp(`^${bundledSolcVersion().replace(/\./g, '\\.')}\\+commit`))
  })

  test('a malformed version is BW_COMPILER_UNAVAILABLE naming it', () => {
    expect(() => releaseOf('latest')).toThrow(CompilerUnavailableError)
    expect(() => releaseOf('latest')).toThrow('solc latest is not available: not a solc version (expected e.g. 0.8.10 or 0.8.10+commit.fc410830).')
  })

  test('a release the registry does not have is BW_COMPILER_UNAVAILABLE, and nothing half-written stays in the cache', async () => {
    const error = await fetchSoljson('0.0.1', { BULWARK_SOLC_CACHE: cache }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(CompilerUnavailableError)
    expect((error as CompilerUnavailableError).code).toBe('BW_COMPILER_UNAVAILABLE')
    expect((error as CompilerUnavailableError).shortMessage).toMatch(/^solc 0\.0\.1 is not available: npm pack solc@0\.0\.1 failed: /)
    await expect(stat(path.join(cache, '0.0.1'))).rejects.toThrow()
  })
})
