import { readFileSync } from 'node:fs'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeFunctionData, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDevClient, createReadClient, type ReadClient } from '../../chain/clients.js'
import { deployContract } from '../../chain/deployContract.js'
import { devAccount } from '../../chain/devAccounts.js'
import { startAnvil, type Anvil } from '../../chain/startAnvil.js'
import { main } from '../main.js'
import { captureIo } from '../testIo.js'
import { compileSources } from '../../compile/compileSources.js'
import { openLifecycle } from '../../lifecycle/context.js'
import { listAdvisories } from '../../lifecycle/listAdvisories.js'
import { getArtifact } from '../../compile/getArtifact.js'
import { fingerprintDeployments, type DeploymentTarget } from '../../intel/fingerprintDeployments.js'
import { matchAdvisories, type IntelMatch } from '../../intel/matchAdvisories.js'
import { readFeed } from '../../intel/readFeed.js'

/**
 * Contracts compiled against real vulnerable and fixed OpenZeppelin releases (installed side by
 * side as npm aliases), deployed behind ERC-1967 proxies on anvil, then scanned.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url))
const fixtures = ['UupsVault431', 'UupsVault432', 'SignatureVault470', 'SignatureVault473', 'IntelProxy', 'RewardsPool']
let anvil: Anvil
let client: ReadClient
let dir: string
let buildInfoPath: string
const deployed: Record<string, { proxy?: Address; implementation: Address; source: string }> = {}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bulwark-intel-scan-'))
  anvil = await startAnvil()
  client = createReadClient({ rpcUrl: anvil.rpcUrl })
  const dev = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(0) })
  const sources = Object.fromEntries(fixtures.map((name) => [`contracts/test/intel/${name}.sol`, readFileSync(path.join(root, 'contracts/test/intel', `${name}.sol`), 'utf8')]))
  // Written under the repository's cache, as a project's build-info sits inside the project (its node_modules tell the versions).
  const build = await compileSources({ root, sources })
  buildInfoPath = build.buildInfoPath
  const deploy = async (name: string, args: readonly unknown[] = []) => {
    const { abi, bytecode } = getArtifact(build, name)
    return (await deployContract(dev, { name, abi, bytecode, args })).address
  }
  const proxy = getArtifact(build, 'IntelProxy')
  for (const name of ['UupsVault431', 'UupsVault432', 'SignatureVault470', 'SignatureVault473']) {
    const implementation = await deploy(name, name.startsWith('Signature') ? [devAccount(1).address] : [])
    const data = name.startsWith('Uups') ? encodeFunctionData({ abi: getArtifact(build, name).abi, functionName: 'initialize' }) : '0x'
    const address = (await deployContract(dev, { name: `${name} proxy`, abi: proxy.abi, bytecode: proxy.bytecode, args: [implementation, data] })).address
    deployed[name] = { proxy: address, implementation, source: `contracts/test/intel/${name}.sol:${name}` }
  }
  for (const name of ['RewardsPool', 'SafeRewardsPool']) deployed[name] = { implementation: await deploy(name), source: `contracts/test/intel/RewardsPool.sol:${name}` }
})
afterAll(async () => {
  await anvil?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

function targets({ withBuildInfo }: { withBuildInfo: boolean }): DeploymentTarget[] {
  return Object.entries(deployed).map(([name, entry]) => ({
    name,
    address: entry.proxy ?? entry.implementation,
    ...(withBuildInfo ? { buildInfo: buildInfoPath, source: entry.source } : {}),
  }))
}

function byName(matches: readonly IntelMatch[]): Record<string, string[]> {
  const result: Record<string, string[]> = Object.fromEntries(Object.keys(deployed).map((name) => [name, []]))
  for (const match of matches) result[match.name!]!.push(match.advisoryId)
  for (const ids of Object.values(result)) ids.sort()
  return result
}

const neighbourPattern = {
  kind: 'bulwark-pattern',
  id: 'TEAM-2025-001',
  summary: "emergencyWithdraw pays out before zeroing the balance (copied from the neighbour's exploited staking pool)",
  severity: 'critical',
  match: {
    selectors: ['0x5312ea8e'],
    sourcePattern: String.raw`\.call\{value:\s*amount\}\(""\);\s*require\(ok,[^;]*\);\s*balances\[msg\.sender\]\s*=\s*0;`,
  },
}

describe('intel scan of deployed implementations', () => {
  test('flags exactly the implementations built on vulnerable OpenZeppelin releases, with file, version and function', async () => {
    const feed = await readFeed()
    const { implementations } = await fingerprintDeployments(client, { chain: 'local', targets: targets({ withBuildInfo: true }), root })
    expect(implementations.every((i) => i.basis === 'build-info')).toBe(true)
    const matches = matchAdvisories({ advisories: feed.advisories, implementations })
    expect(byName(matches)).toEqual({
      UupsVault431: ['GHSA-5vp3-v4hc-gx76', 'GHSA-q4h9-46xg-m3x9'],
      UupsVault432: [],
      SignatureVault470: ['GHSA-4g63-c64m-25w9', 'GHSA-4h98-2769-gh6h', 'GHSA-7grf-83vw-6f5x', 'GHSA-qh9x-gcfh-pcrw'],
      SignatureVault473: [],
      RewardsPool: [],
      SafeRewardsPool: [],
    })
    const uups = matches.find((m) => m.advisoryId === 'GHSA-q4h9-46xg-m3x9')!
    expect(uups).toMatchObject({ address: deployed.UupsVault431!.implementation, proxy: deployed.UupsVault431!.proxy, severity: 'critical', contract: 'contracts/test/intel/UupsVault431.sol:UupsVault431' })
    expect(uups.evidence).toEqual([
      {
        kind: 'component',
        sourceName: 'oz-upgradeable-4-3-1/proxy/utils/UUPSUpgradeable.sol',
        file: 'proxy/utils/UUPSUpgradeable.sol',
        package: '@openzeppelin/contracts-upgradeable',
        version: '4.3.1',
        versionSource: 'package.json',
        functions: ['upgradeTo(address)', 'upgradeToAndCall(address,bytes)'],
        selectorsPresent: ['0x3659cfe6', '0x4f1ef286'],
        fixedIn: ['4.3.2'],
      },
    ])
    const ecdsa = matches.find((m) => m.advisoryId === 'GHSA-4h98-2769-gh6h')!
    expect(ecdsa.evidence).toMatchObject([{ file: 'utils/cryptography/ECDSA.sol', package: '@openzeppelin/contracts', version: '4.7.0', fixedIn: ['4.7.3'] }])
  })

  test('bytecode alone finds the 2021 UUPSUpgradeable bug (no build-info, no source)', async () => {
    const feed = await readFeed()
    const { implementations } = await fingerprintDeployments(client, { chain: 'local', targets: targets({ withBuildInfo: false }), root })
    expect(implementations.every((i) => i.basis === 'bytecode' && i.components.length === 0)).toBe(true)
    const matches = matchAdvisories({ advisories: feed.advisories, implementations })
    expect(byName(matches)).toMatchObject({ UupsVault431: ['GHSA-5vp3-v4hc-gx76', 'GHSA-q4h9-46xg-m3x9'], UupsVault432: [], SignatureVault470: [], RewardsPool: [] })
    expect(matches[0]!.evidence[0]).toMatchObject({ kind: 'bytecode', selectors: ['0x3659cfe6', '0x4f1ef286'] })
  })

  test('a team-written pattern finds the copied vulnerable function inside a differently named contract, not its fixed sibling', async () => {
    const file = path.join(dir, 'team-pattern.json')
    await writeFile(file, JSON.stringify(neighbourPattern))
    const feed = await readFeed({ locations: [file] })
    const { implementations } = await fingerprintDeployments(client, { chain: 'local', targets: targets({ withBuildInfo: true }), root })
    const matches = matchAdvisories({ advisories: feed.advisories, implementations })
    expect(matches.map((m) => m.name)).toEqual(['RewardsPool'])
    expect(matches[0]!.evidence).toEqual([
      {
        kind: 'pattern',
        selectors: ['0x5312ea8e'],
        fragments: [],
        absentFragments: [],
        source: { sourceName: 'contracts/test/intel/RewardsPool.sol', line: 15, contract: 'RewardsPool', excerpt: '.call{value: amount}("");' },
      },
    ])
  })
})

describe('bulwark intel', () => {
  test('scan opens each match once, reports it as known afterwards, re-scans only when the feed changed', async () => {
    const work = path.join(dir, 'cli')
    await mkdir(work, { recursive: true })
    const project = {
      version: 1,
      name: 'intel-test',
      chains: { local: { chainId: anvil.chainId, rpcUrl: anvil.rpcUrl } },
      contracts: Object.entries(deployed).map(([name, entry]) => ({
        name,
        chain: 'local',
        address: entry.proxy ?? entry.implementation,
        proxy: entry.proxy ? 'uups' : 'none',
        buildInfo: buildInfoPath,
        source: entry.source,
      })),
    }
    await writeFile(path.join(work, 'bulwark.json'), JSON.stringify(project))

    const first = captureIo(work)
    expect(await main(['intel', 'scan', '--json'], first.io)).toBe(0)
    const report = first.json()
    expect(report.matches).toHaveLength(6)
    expect(report.matches.every((m: { new: boolean }) => m.new)).toBe(true)
    expect(report.feedChanged).toBe(true)
    const opened = report.matches.map((m: { lifecycleAdvisoryId: string | null }) => m.lifecycleAdvisoryId)
    expect(new Set(opened).size).toBe(6)
    expect(opened.every((id: string | null) => typeof id === 'string' && id.startsWith('ADV-'))).toBe(true)

    const again = captureIo(work)
    expect(await main(['intel', 'scan', '--jsonl', '--fail-on', 'critical'], again.io)).toBe(1)
    const lines = again.stdout().split('\n').map((line) => JSON.parse(line) as { type: string; new: boolean; advisoryId: string })
    expect(lines).toHaveLength(6)
    expect(lines.every((line) => line.type === 'intel.match' && !line.new)).toBe(true)
    // Known matches keep the advisory they opened: nothing is duplicated in the lifecycle.
    expect(lines.map((line) => (line as unknown as { lifecycleAdvisoryId: string }).lifecycleAdvisoryId).sort()).toEqual([...opened].sort())

    const unchanged = captureIo(work)
    expect(await main(['intel', 'scan', '--if-changed', '--json'], unchanged.io)).toBe(0)
    expect(unchanged.json()).toMatchObject({ ok: true, skipped: true, reason: 'feed unchanged' })

    // A new team advisory and one malformed entry: the feed changed, the pattern matches, the bad entry is named and skipped.
    const feedDir = path.join(work, 'feed')
    await mkdir(feedDir)
    await writeFile(path.join(feedDir, 'team.json'), JSON.stringify([neighbourPattern, { kind: 'bulwark-pattern', id: 'TEAM-BROKEN', summary: 'x', severity: 'urgent', match: { selectors: ['0x5312ea8e'] } }]))
    const changed = captureIo(work)
    expect(await main(['intel', 'scan', '--if-changed', '--feed', 'builtin:openzeppelin', '--feed', 'feed', '--json'], changed.io)).toBe(0)
    const rescanned = changed.json()
    expect(rescanned.feedChanged).toBe(true)
    expect(rescanned.feed.rejected).toEqual([{ id: 'TEAM-BROKEN', location: 'feed/team.json#1', reason: expect.stringContaining('severity') }])
    expect(rescanned.matches.filter((m: { new: boolean }) => m.new).map((m: { advisoryId: string; name: string }) => [m.advisoryId, m.name])).toEqual([['TEAM-2025-001', 'RewardsPool']])
    expect(rescanned.matches).toHaveLength(7)

    const lifecycle = await openLifecycle({ cwd: work, env: {} })
    try {
      const advisories = await listAdvisories(lifecycle, {}, { id: 'test', roles: ['admin'] })
      expect(advisories).toHaveLength(7)
      expect(advisories.filter((a) => a.title.startsWith('GHSA-q4h9-46xg-m3x9')).map((a) => [a.severity, a.affectedContracts[0]?.address])).toEqual([['critical', deployed.UupsVault431!.proxy]])
    } finally {
      await lifecycle.store.close()
    }
  })

  test('feed lists the snapshot; bad flags are BW_USAGE', async () => {
    const listed = captureIo(dir)
    expect(await main(['intel', 'feed', '--json'], listed.io)).toBe(0)
    expect(listed.json().advisories.map((a: { id: string }) => a.id)).toContain('GHSA-5vp3-v4hc-gx76')

    const bad = captureIo(dir)
    expect(await main(['intel', 'scan', '--fail-on', 'urgent', '--json'], bad.io)).toBe(2)
    expect(bad.json().error.code).toBe('BW_USAGE')
    const unknown = captureIo(dir)
    expect(await main(['intel', 'rescan', '--json'], unknown.io)).toBe(2)
    expect(unknown.json().error.code).toBe('BW_USAGE')
    const missingFeed = captureIo(dir)
    expect(await main(['intel', 'feed', '--feed', 'nowhere.json', '--json'], missingFeed.io)).toBe(2)
    expect(missingFeed.json().error.code).toBe('BW_INTEL_FEED_UNREADABLE')
  })
})
