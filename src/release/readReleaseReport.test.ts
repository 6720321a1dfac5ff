import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { canonicalHash } from './canonicalHash.js'
import { parseReleaseReport, readReleaseReport } from './readReleaseReport.js'

const document = {
  verdict: 'pass',
  chain: { chainId: 31337, blockNumber: '12' },
  targets: [{ name: 'LendingPool', proxy: '0x5FbDB2315678afecb367f032d93F642f64180aa3', implementation: { contract: 'A.sol:A', runtimeCodeHash: `0x${'11'.repeat(32)}` }, initializerCalldata: '0x' }],
}
const file = { hash: canonicalHash(document), ...document }

describe('readReleaseReport', () => {
  test('reads a public report whose hash matches its canonical JSON', () => {
    const report = parseReleaseReport(JSON.stringify(file, null, 2), 'report.json')
    expect(report.hash).toBe(file.hash)
    expect(report.document.targets[0]!.name).toBe('LendingPool')
  })

  test.each([
    ['not JSON', '{', 'not JSON'],
    ['edited after hashing', JSON.stringify({ ...file, verdict: 'fail' }), 'changed after it was hashed'],
    ['no hash', JSON.stringify(document), '"hash"'],
    ['no targets', JSON.stringify({ ...file, targets: [] }), '"targets"'],
    ['bad proxy', JSON.stringify({ ...file, targets: [{ ...document.targets[0], proxy: 'nope' }] }), 'proxy must be an address'],
  ])('refuses a report that is %s: BW_VERIFY_INPUT_INVALID', (_case, text, message) => {
    expect(() => parseReleaseReport(text, 'report.json')).toThrow(expect.objectContaining({ code: 'BW_VERIFY_INPUT_INVALID', message: expect.stringContaining(message) }))
  })

  test('a missing file is BW_VERIFY_INPUT_INVALID', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bulwark-report-'))
    try {
      await expect(readReleaseReport(path.join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'BW_VERIFY_INPUT_INVALID' })
      await writeFile(path.join(dir, 'ok.json'), JSON.stringify(file))
      expect((await readReleaseReport(path.join(dir, 'ok.json'))).hash).toBe(file.hash)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
