import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeFunctionData, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDevClient } from '../../chain/clients.js'
import { deployContract } from '../../chain/deployContract.js'
import { devAccount } from '../../chain/devAccounts.js'
import { startAnvil, type Anvil } from '../../chain/startAnvil.js'
import type { Artifact } from '../../compile/artifacts.js'
import { compileSources, type CompileSourcesReturnType } from '../../compile/compileSources.js'
import { parseManifest } from '../loadManifest.js'
import { runPipeline, type PipelineRun } from '../runPipeline.js'

// A correct patch to a UUPS vault (OpenZeppelin 4.9) that its team built with solc 0.8.19, and a
// second proxy of the same code built with 0.8.24: neither is the bundled solc-js (0.8.30).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const fixtures = 'src/compile/fixtures/solc-versions'
const v1 = `${fixtures}/VaultV1.sol`
const v2 = `${fixtures}/VaultV2.sol`

let anvil: Anvil
let scratch: string
let previousCache: string | undefined
const proxies: Record<'0.8.19' | '0.8.24', Address> = {} as never
let teamBuild: CompileSourcesReturnType

async function read(file: string): Promise<string> {
  return readFile(path.join(root, file), 'utf8')
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'bulwark-build-stage-'))
  // A private build cache: every compile and reproducibility check in this file really runs.
  previousCache = process.env.BULWARK_BUILD_CACHE
  process.env.BULWARK_BUILD_CACHE = path.join(scratch, 'builds')
  anvil = await startAnvil()
  const owner = devAccount(0)
  const client = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: owner })
  const sources = { [v1]: await read(v1), [`${fixtures}/Proxy.sol`]: await read(`${fixtures}/Proxy.sol`) }
  for (const version of ['0.8.19', '0.8.24'] as const) {
    // The team's toolchain: its own compiler, default settings (optimizer on, 200 runs).
    const build = await compileSources({ root, sources, solcVersion: version, cacheDir: path.join(scratch, `team-${version}`) })
    const artifact = (name: string): Artifact => build.artifacts.find((a) => a.contractName === name)!
    const implementation = await deployContract(client, { name: 'VaultV1', abi: artifact('VaultV1').abi, bytecode: artifact('VaultV1').bytecode })
    const initialize = encodeFunctionData({ abi: artifact('VaultV1').abi, functionName: 'initialize', args: [owner.address] })
    const proxy = await deployContract(client, { name: 'ERC1967Proxy', abi: artifact('ERC1967Proxy').abi, bytecode: artifact('ERC1967Proxy').bytecode, args: [implementation.address, initialize] })
    proxies[version] = proxy.address
  }
  // The team's build-info of the patch and of the deployed version, both from 0.8.19.
  teamBuild = await compileSources({ root, sources: { [v1]: await read(v1), [v2]: await read(v2) }, solcVersion: '0.8.19', cacheDir: path.join(scratch, 'team-patch') })
}, 600_000)

afterAll(async () => {
  await anvil?.stop()
  if (previousCache === undefined) delete process.env.BULWARK_BUILD_CACHE
  else process.env.BULWARK_BUILD_CACHE = previousCache
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

type Source = Record<string, unknown>
const fromSources = (contract: string, extra: Source = {}): Source => ({ sources: [contract === 'VaultV1' ? v1 : v2], contract, ...extra })

function manifest(targets: { name: string; proxy: Address; implementation: Source; reference: Source }[]) {
  return parseManifest(JSON.stringify({ version: 1, advisory: { id: 'BW-TEST-SOLC', title: 'withdraw without a balance check' }, targets: targets.map((t) => ({ ...t, kind: 'uups' })) }), 'manifest.json')
}

const run = (targets: Parameters<typeof manifest>[0]) =>
  runPipeline({ manifest: manifest(targets), manifestDir: root, rpcUrl: anvil.rpcUrl, stages: ['build', 'upgrade-safety'], reproducibility: true })

const findingsOf = (result: PipelineRun) => result.stages.flatMap((s) => s.findings.map((f) => `${s.stage}:${f.kind}:${f.target ?? ''}`))

describe('a correct patch to code built with another solc than the bundled one', () => {
  test('references given as sources compile with the version in the chain code metadata, one per target: accepted', async () => {
    const result = await run([
      { name: 'Vault19', proxy: proxies['0.8.19'], implementation: fromSources('VaultV2'), reference: fromSources('VaultV1') },
      { name: 'Vault24', proxy: proxies['0.8.24'], implementation: fromSources('VaultV2'), reference: fromSources('VaultV1') },
    ])
    expect(findingsOf(result)).toEqual([])
    expect(result.stages.map((s) => [s.stage, s.status])).toEqual([
      ['build', 'passed'],
      ['upgrade-safety', 'passed'],
    ])
    expect(result.builds.map((b) => [b.target, b.implementation.buildInfo.solcVersion, b.reference?.buildInfo.solcVersion])).toEqual([
      ['Vault19', '0.8.19', '0.8.19'],
      ['Vault24', '0.8.24', '0.8.24'],
    ])
  }, 600_000)

  test('the same reference compiled with the bundled 0.8.30 is not the code on chain (so the version above is what made it pass)', async () => {
    const result = await run([
      { name: 'Vault19', proxy: proxies['0.8.19'], implementation: fromSources('VaultV2'), reference: fromSources('VaultV1', { compiler: { version: '0.8.30' } }) },
    ])
    expect(findingsOf(result)).toContain('upgrade-safety:reference-mismatch:Vault19')
    expect(result.builds[0]!.reference!.buildInfo.solcVersion).toBe('0.8.30')
  }, 600_000)

  test("the team's 0.8.19 build-info is validated as given and reproduced with its own compiler", async () => {
    const result = await run([
      {
        name: 'Vault19',
        proxy: proxies['0.8.19'],
        implementation: { buildInfo: teamBuild.buildInfoPath, contract: 'VaultV2' },
        reference: { buildInfo: teamBuild.buildInfoPath, contract: 'VaultV1' },
      },
    ])
    expect(findingsOf(result)).toEqual([])
    const build = result.builds[0]!
    // Exactly the bytes of the team's build: nothing was recompiled for the reference.
    expect(build.reference!.buildInfo.id).toBe(teamBuild.buildInfo.id)
    expect(build.implementation.artifact.deployedBytecode).toBe(teamBuild.artifacts.find((a) => a.contractName === 'VaultV2')!.deployedBytecode)
    expect(build.implementation.buildInfo.solcLongVersion).toBe('0.8.19+commit.7dd6d404')
  }, 600_000)

  test('a build-info whose recorded output is not what its input compiles to is not reproducible', async () => {
    const tampered = JSON.parse(await readFile(teamBuild.buildInfoPath, 'utf8')) as typeof teamBuild.buildInfo
    const evm = tampered.output.contracts[v2]!.VaultV2!.evm!
    // Flip one byte of the recorded runtime code (an operand, so the code still parses).
    const code = evm.deployedBytecode!.object
    evm.deployedBytecode!.object = `${code.slice(0, 10)}${code.slice(10, 12) === 'ff' ? '00' : 'ff'}${code.slice(12)}`
    const file = path.join(scratch, 'tampered-build-info.json')
    await writeFile(file, JSON.stringify(tampered))
    const result = await run([
      { name: 'Vault19', proxy: proxies['0.8.19'], implementation: { buildInfo: file, contract: 'VaultV2' }, reference: { buildInfo: teamBuild.buildInfoPath, contract: 'VaultV1' } },
    ])
    const build = result.stages.find((s) => s.stage === 'build')!
    expect(build.findings.map((f) => f.kind)).toEqual(['build-not-reproducible'])
    expect(build.findings[0]!.message).toContain('with solc 0.8.19')
  }, 600_000)
})
