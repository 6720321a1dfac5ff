import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { keccak256, stringToHex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { deployDemoProtocol, type DemoProtocol } from '../chain/deployDemoProtocol.js'
import { startAnvil, type Anvil } from '../chain/startAnvil.js'
import { compileProject } from '../compile/compileProject.js'
import { main } from '../cli/main.js'
import { captureIo } from '../cli/testIo.js'
import { createAdvisory } from '../lifecycle/createAdvisory.js'
import { createPatch } from '../lifecycle/createPatch.js'
import { openLifecycle } from '../lifecycle/context.js'
import { transitionAdvisory } from '../lifecycle/transitionAdvisory.js'
import { testActors } from '../lifecycle/testing.js'
import { parseManifest } from './loadManifest.js'
import type { PatchManifest } from './manifest.js'
import { canonicalJson } from '../store/canonicalJson.js'
import { createReport } from './report.js'
import { runPipeline, type PipelineRun } from './runPipeline.js'
import type { StageId } from './stage.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
// One source set for every manifest below, so the whole file compiles once (later builds are cache hits).
const sources = ['contracts/examples/LendingPool.sol', 'contracts/examples/LendingPoolV2.sol', 'contracts/test/validate']
const staticStages: StageId[] = ['build', 'upgrade-safety', 'diff-review']

let anvil: Anvil
let demo: DemoProtocol

beforeAll(async () => {
  const build = await compileProject({ root })
  anvil = await startAnvil()
  demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
}, 300_000)
afterAll(async () => anvil?.stop())

function manifestFor(contract: string, extra: { reference?: string } = {}): PatchManifest {
  return parseManifest(
    JSON.stringify({
      version: 1,
      advisory: { id: 'BW-TEST-1', title: 'LendingPool reentrancy through token callbacks', severity: 'critical' },
      targets: [
        {
          name: 'LendingPool',
          proxy: demo.lendingPool.proxy,
          kind: 'uups',
          implementation: { sources, contract },
          ...(extra.reference ? { reference: { sources, contract: extra.reference } } : {}),
        },
      ],
    }),
    'test-manifest.json',
  )
}

const run = (manifest: PatchManifest, reproducibility = false) =>
  runPipeline({ manifest, manifestDir: root, rpcUrl: anvil.rpcUrl, stages: staticStages, reproducibility })

const kindsOf = (result: PipelineRun, stage?: StageId) =>
  result.stages.filter((s) => stage === undefined || s.stage === stage).flatMap((s) => s.findings.map((f) => f.kind))

describe('the demo patch (LendingPoolV2)', () => {
  let result: PipelineRun
  beforeAll(async () => {
    result = await run(manifestFor('LendingPoolV2'), true)
  }, 300_000)

  test('passes: every static stage ran, nothing blocks, the second build matched', () => {
    expect(result.stages.map((s) => [s.stage, s.status])).toEqual([
      ['build', 'passed'],
      ['upgrade-safety', 'passed'],
      ['diff-review', 'passed'],
    ])
    expect(createReport(result, { toolVersion: 'test' }).ok).toBe(true)
    expect(kindsOf(result, 'build')).toEqual([])
  })

  test('the reference comes from @custom:oz-upgrades-from and is exactly the code on chain', () => {
    expect(result.builds[0]!.reference).toMatchObject({ contract: 'contracts/examples/LendingPool.sol:LendingPool', origin: 'annotation' })
    expect(kindsOf(result, 'upgrade-safety')).not.toContain('reference-mismatch')
    expect(kindsOf(result, 'upgrade-safety')).not.toContain('reference-metadata-mismatch')
  })

  test('the diff review reports the appended reentrancy flag and no removed access control', () => {
    const diff = result.stages.find((s) => s.stage === 'diff-review')!.findings
    expect(diff.filter((f) => f.kind === 'storage-variable-appended').map((f) => f.location?.variable)).toContain('_entered')
    expect(diff.filter((f) => f.kind === 'access-control-removed')).toEqual([])
    expect(diff.filter((f) => f.kind === 'delegatecall-added' || f.kind === 'selfdestruct-added')).toEqual([])
  })

  test('the report hash is keccak256 of the canonical JSON and does not depend on key order', () => {
    const report = createReport(result, { toolVersion: 'test' })
    expect(report.hash).toBe(keccak256(stringToHex(canonicalJson(report.document as never))))
    const reordered = JSON.parse(JSON.stringify(report.document, Object.keys(report.document).reverse()))
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}')
    expect(canonicalJson(report.document as never)).toBe(canonicalJson({ ...reordered, ...report.document } as never))
  })
})

describe('bad patches fail with the right finding', () => {
  const cases: [string, string, string][] = [
    ['a storage variable inserted', 'LendingPoolV2InsertedStorage', 'storage-variable-inserted'],
    ['a type changed', 'LendingPoolV2TypeChanged', 'storage-type-changed'],
    ['the UUPS upgrade function removed', 'LendingPoolV2NoUpgrade', 'uups-upgrade-path-lost'],
    ['a selfdestruct added', 'LendingPoolV2Selfdestruct', 'selfdestruct-added'],
    ['a delegatecall added', 'LendingPoolV2Delegatecall', 'delegatecall-added'],
  ]
  test.each(cases)('%s', async (_name, contract, kind) => {
    const result = await run(manifestFor(contract))
    const report = createReport(result, { toolVersion: 'test' })
    expect(report.ok).toBe(false)
    expect(report.document.verdict).toBe('fail')
    expect(kindsOf(result)).toContain(kind)
    // The defect is the only thing wrong: the reference still matches the chain.
    expect(kindsOf(result)).not.toContain('reference-mismatch')
  }, 120_000)

  test('upgrades-core flags the opcode too, at the line of the new code', async () => {
    const result = await run(manifestFor('LendingPoolV2Selfdestruct'))
    const finding = result.stages.flatMap((s) => s.findings).find((f) => f.kind === 'unsafe-selfdestruct')
    expect(finding?.location).toMatchObject({ file: 'contracts/test/validate/LendingPoolV2Selfdestruct.sol', line: expect.any(Number) })
  }, 120_000)

  test('a reference build that does not match the code on chain', async () => {
    const result = await run(manifestFor('LendingPoolV2', { reference: 'LendingPoolMismatchedReference' }))
    expect(createReport(result, { toolVersion: 'test' }).ok).toBe(false)
    const finding = result.stages.flatMap((s) => s.findings).find((f) => f.kind === 'reference-mismatch')
    expect(finding).toMatchObject({ severity: 'critical', stage: 'upgrade-safety', target: 'LendingPool' })
    expect(finding?.message).toContain(demo.lendingPool.implementation)
  }, 120_000)

  test('an address that is not a proxy is a finding, not a crash', async () => {
    const manifest = manifestFor('LendingPoolV2')
    const result = await runPipeline({
      manifest: { ...manifest, targets: [{ ...manifest.targets[0]!, proxy: demo.tokens.asset }] },
      manifestDir: root,
      rpcUrl: anvil.rpcUrl,
      stages: ['build', 'upgrade-safety'],
      reproducibility: false,
    })
    expect(result.stages.find((s) => s.stage === 'upgrade-safety')).toMatchObject({ status: 'failed', findings: [expect.objectContaining({ kind: 'proxy-not-found' })] })
  }, 120_000)
})

describe('bulwark validate', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bulwark-validate-'))
  })
  afterAll(async () => rm(dir, { recursive: true, force: true }))

  const writeManifest = async (name: string, contract: string) => {
    const file = path.join(dir, name)
    const manifest = {
      version: 1,
      advisory: { id: 'BW-TEST-2' },
      chain: { rpcUrl: 'env:BULWARK_TEST_RPC' },
      targets: [{ proxy: demo.lendingPool.proxy, implementation: { root, sources, contract } }],
    }
    await writeFile(file, JSON.stringify(manifest))
    return file
  }

  test('exits 0 on the demo patch and writes JSON, Markdown, HTML and SARIF reports', async () => {
    const file = await writeManifest('good.json', 'LendingPoolV2')
    const cli = captureIo(dir, { BULWARK_TEST_RPC: anvil.rpcUrl })
    const args = ['validate', file, '--json', '--no-rebuild', '--stage', 'upgrade-safety', '--stage', 'diff-review', '--report', 'out/report.json', '--markdown', 'out/report.md', '--html', 'out/report.html', '--sarif', 'out/report.sarif']
    expect(await main(args, cli.io)).toBe(0)
    const output = cli.json()
    expect(output).toMatchObject({ ok: true, report: { reportVersion: 1, verdict: 'pass', advisory: { id: 'BW-TEST-2' } } })
    const saved = JSON.parse(await readFile(path.join(dir, 'out/report.json'), 'utf8'))
    expect(saved.hash).toBe(output.hash)
    const document = { ...saved }
    delete document.hash
    expect(keccak256(stringToHex(canonicalJson(document)))).toBe(saved.hash)
    expect(await readFile(path.join(dir, 'out/report.md'), 'utf8')).toContain(output.hash)
    expect(await readFile(path.join(dir, 'out/report.html'), 'utf8')).toMatch(/^<!doctype html>/)
    const sarif = JSON.parse(await readFile(path.join(dir, 'out/report.sarif'), 'utf8'))
    expect(sarif).toMatchObject({ version: '2.1.0', runs: [{ tool: { driver: { name: 'bulwark' } } }] })
  }, 180_000)

  test('exits 1 on a bad patch, with the finding in SARIF at its source line', async () => {
    const file = await writeManifest('bad.json', 'LendingPoolV2Delegatecall')
    const cli = captureIo(dir, { BULWARK_TEST_RPC: anvil.rpcUrl })
    expect(await main(['validate', file, '--quiet', '--no-rebuild', '--stage', 'upgrade-safety', '--sarif', 'bad.sarif'], cli.io)).toBe(1)
    expect(cli.stdout()).toContain('Validation FAILED')
    expect(cli.stdout()).toContain('unsafe-delegatecall')
    const sarif = JSON.parse(await readFile(path.join(dir, 'bad.sarif'), 'utf8'))
    const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'unsafe-delegatecall')
    expect(result).toMatchObject({
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'contracts/test/validate/LendingPoolV2Delegatecall.sol' }, region: { startLine: expect.any(Number) } } }],
    })
  }, 180_000)

  test('--patch attaches the run to the patch: proposed → validating → rejected on a failed validation', async () => {
    const cwd = await mkdtemp(path.join(dir, 'lifecycle-'))
    const env = { BULWARK_TEST_RPC: anvil.rpcUrl }
    const lifecycle = await openLifecycle({ cwd, env })
    let patchId: string
    try {
      const { advisory } = await createAdvisory(lifecycle, { title: 'pool drain', severity: 'critical', reporter: 'test' }, testActors.admin as never)
      await transitionAdvisory(lifecycle, { id: advisory.id, to: 'triaged' }, testActors.admin as never)
      const { patch } = await createPatch(
        lifecycle,
        { advisoryId: advisory.id, title: 'V2', route: 'standard', targets: [{ proxy: demo.lendingPool.proxy, newImplementation: demo.tokens.reward }] },
        testActors.admin as never,
      )
      patchId = patch.id
    } finally {
      await lifecycle.store.close()
    }
    const file = await writeManifest('bad-patch.json', 'LendingPoolV2TypeChanged')
    const cli = captureIo(cwd, env)
    expect(await main(['validate', file, '--json', '--no-rebuild', '--stage', 'upgrade-safety', '--patch', patchId], cli.io)).toBe(1)
    expect(cli.json()).toMatchObject({ ok: false, patch: { id: patchId, status: 'rejected' } })
  }, 180_000)

  test('a manifest that fails the schema exits 2 with BW_MANIFEST_INVALID and the field path', async () => {
    const file = path.join(dir, 'invalid.json')
    await writeFile(file, JSON.stringify({ version: 1, advisory: { id: 'X' }, targets: [{ proxy: demo.lendingPool.proxy, implementation: { contract: 'V2' } }] }))
    const cli = captureIo(dir)
    expect(await main(['validate', file, '--json'], cli.io)).toBe(2)
    expect(cli.json()).toMatchObject({
      ok: false,
      error: { code: 'BW_MANIFEST_INVALID', message: expect.stringContaining('targets[0].implementation: needs one of "sources", "foundry", "hardhat" or "buildInfo"') },
    })
  })

  test('a missing manifest exits 2 with BW_MANIFEST_NOT_FOUND', async () => {
    const cli = captureIo(dir)
    expect(await main(['validate', 'nope.json', '--json'], cli.io)).toBe(2)
    expect(cli.json()).toMatchObject({ error: { code: 'BW_MANIFEST_NOT_FOUND' } })
  })

  test('an unknown --stage is a usage error naming the stages', async () => {
    const cli = captureIo(dir)
    expect(await main(['validate', 'x.json', '--stage', 'fuzz', '--json'], cli.io)).toBe(2)
    expect(cli.json()).toMatchObject({ error: { code: 'BW_USAGE', message: expect.stringContaining('upgrade-safety') } })
  })
})
