import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { cvss3BaseScore } from './cvss.js'
import { readFeed } from './readFeed.js'
import { compareVersions, isVersionAffected } from './versionRange.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bulwark-intel-feed-'))
})
afterAll(async () => rm(dir, { recursive: true, force: true }))

const goodOsv = {
  schema_version: '1.4.0',
  id: 'GHSA-test-good-0001',
  modified: '2024-01-01T00:00:00Z',
  summary: 'A good entry',
  affected: [{ package: { ecosystem: 'npm', name: '@openzeppelin/contracts' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '4.0.0' }, { fixed: '4.1.0' }] }] }],
  database_specific: { severity: 'HIGH' },
}

describe('readFeed', () => {
  test('the built-in snapshot holds the real OpenZeppelin advisories, each with id, source, severity and ranges', async () => {
    const feed = await readFeed()
    expect(feed.rejected).toEqual([])
    const ids = feed.advisories.map((a) => a.id)
    expect(ids).toEqual(expect.arrayContaining(['GHSA-5vp3-v4hc-gx76', 'GHSA-q4h9-46xg-m3x9', 'GHSA-4h98-2769-gh6h', 'GHSA-mx2q-35m2-x2rh', 'GHSA-93hq-5wgc-jc82']))
    const uups = feed.advisories.find((a) => a.id === 'GHSA-5vp3-v4hc-gx76')!
    expect(uups).toMatchObject({
      aliases: ['CVE-2021-41264'],
      severity: 'critical',
      severitySource: 'database',
      source: 'https://github.com/github/advisory-database/blob/main/advisories/github-reviewed/2021/09/GHSA-5vp3-v4hc-gx76/GHSA-5vp3-v4hc-gx76.json',
    })
    expect(uups.affected.map((a) => a.package)).toEqual(['@openzeppelin/contracts', '@openzeppelin/contracts-upgradeable'])
    expect(uups.affected[0]!.ranges[0]!.events).toEqual([{ introduced: '4.1.0' }, { fixed: '4.3.2' }])
    for (const advisory of feed.advisories) expect(advisory.source).toMatch(/^https:\/\/github\.com\/github\/advisory-database\/blob\/main\/advisories\/github-reviewed\//)
  })

  test('a malformed or partial entry is reported with its id and skipped; every other entry is kept', async () => {
    const folder = path.join(dir, 'mixed')
    await mkdir(path.join(folder, 'nested'), { recursive: true })
    await writeFile(path.join(folder, 'good.json'), JSON.stringify(goodOsv))
    await writeFile(
      path.join(folder, 'list.json'),
      JSON.stringify([
        { ...goodOsv, id: 'GHSA-test-partial-0002', affected: undefined },
        { ...goodOsv, id: 'GHSA-test-badrange-0003', affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0.0', fixed: '2.0.0' }] }] }] },
        'not an object',
        { ...goodOsv, id: 'GHSA-test-good-0004' },
      ]),
    )
    await writeFile(path.join(folder, 'nested', 'pattern.json'), JSON.stringify({ kind: 'bulwark-pattern', id: 'TEAM-1', summary: 'bad regex', severity: 'high', match: { sourcePattern: '([' } }))
    const feed = await readFeed({ locations: [folder] })
    expect(feed.advisories.map((a) => a.id)).toEqual(['GHSA-test-good-0001', 'GHSA-test-good-0004'])
    expect(feed.rejected).toEqual([
      { id: 'GHSA-test-partial-0002', location: path.join(folder, 'list.json#0'), reason: expect.stringContaining('affected') },
      { id: 'GHSA-test-badrange-0003', location: path.join(folder, 'list.json#1'), reason: expect.stringContaining('exactly one of introduced') },
      { location: path.join(folder, 'list.json#2'), reason: 'the entry is not a JSON object' },
      { id: 'TEAM-1', location: path.join(folder, 'nested', 'pattern.json'), reason: expect.stringContaining('not a valid regular expression') },
    ])
  })

  test('the feed hash changes when an entry changes, and not otherwise', async () => {
    const file = path.join(dir, 'one.json')
    await writeFile(file, JSON.stringify(goodOsv))
    const first = await readFeed({ locations: [file] })
    expect((await readFeed({ locations: [file] })).hash).toBe(first.hash)
    await writeFile(file, JSON.stringify({ ...goodOsv, modified: '2024-02-01T00:00:00Z', database_specific: { severity: 'CRITICAL' } }))
    expect((await readFeed({ locations: [file] })).hash).not.toBe(first.hash)
  })

  test('an unreadable feed is BW_INTEL_FEED_UNREADABLE', async () => {
    await writeFile(path.join(dir, 'broken.json'), '{ not json')
    await expect(readFeed({ locations: [path.join(dir, 'broken.json')] })).rejects.toMatchObject({ code: 'BW_INTEL_FEED_UNREADABLE', name: 'IntelFeedUnreadableError' })
    await expect(readFeed({ locations: [path.join(dir, 'missing')] })).rejects.toMatchObject({ code: 'BW_INTEL_FEED_UNREADABLE' })
    await writeFile(path.join(dir, 'number.json'), '42')
    await expect(readFeed({ locations: [path.join(dir, 'number.json')] })).rejects.toMatchObject({ code: 'BW_INTEL_FEED_UNREADABLE' })
  })
})

describe('version ranges', () => {
  test('OSV introduced/fixed/last_affected events over semantic versions', () => {
    const ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '4.1.0' }, { fixed: '4.3.2' }] }]
    expect(['4.0.9', '4.1.0', '4.3.1', '4.3.2', '5.0.0'].map((v) => isVersionAffected(v, ranges))).toEqual([false, true, true, false, false])
    expect(isVersionAffected('4.6.0', [{ type: 'ECOSYSTEM', events: [{ introduced: '2.0.0' }, { last_affected: '4.6.0' }] }])).toBe(true)
    expect(isVersionAffected('4.6.1', [{ type: 'ECOSYSTEM', events: [{ introduced: '2.0.0' }, { last_affected: '4.6.0' }] }])).toBe(false)
    expect(isVersionAffected('1.0.0', [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }])).toBe(true)
    expect(isVersionAffected('4.3.2-rc.0', ranges)).toBe(true)
    expect(compareVersions('4.10.0', '4.9.9')).toBe(1)
  })

  test('CVSS v3 base scores', () => {
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe(9.8)
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L')).toBe(5.3)
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:H/PR:L/UI:R/S:C/C:H/I:H/A:L')).toBe(7.9)
  })
})
