import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { encodeFunctionData, keccak256, parseEther, type Address, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDevClient, createReadClient } from '../../chain/clients.js'
import { deployContract } from '../../chain/deployContract.js'
import { devAccount } from '../../chain/devAccounts.js'
import { startAnvil, type Anvil } from '../../chain/startAnvil.js'
import type { Artifact } from '../../compile/artifacts.js'
import { compileSources, type CompileSourcesReturnType } from '../../compile/compileSources.js'
import { getArtifact } from '../../compile/getArtifact.js'
import { patchManifestSchema } from '../manifest.js'
import { createReport } from '../report.js'
import { runPipeline } from '../runPipeline.js'
import type { BuiltContract, Finding, StageContext, TargetBuild } from '../stage.js'
import { demoStageContext, repoRoot, startDemoChain } from './dynamicStageFixtures.js'
import { initializerSafety } from './initializerSafety.js'

/**
 * The same vault and V2 candidates, once on OpenZeppelin 5.x (bundled solc) and once on 4.9
 * (solc 0.8.19): each V2 behind a real UUPS proxy on anvil, the stage run against a fork of it.
 */
type Generation = { label: string; build: CompileSourcesReturnType; proxy: Address; owner: Address; guardian: Address }

let anvil: Anvil
const generations: Record<'oz5' | 'oz4', Generation> = {} as never
const owner = devAccount(0)
const depositor = devAccount(1)

beforeAll(async () => {
  anvil = await startAnvil()
  const read = (file: string) => readFile(path.join(repoRoot, file), 'utf8')
  const oz5 = await compileSources({ root: repoRoot, sources: { 'contracts/test/validate/InitVault.sol': await read('contracts/test/validate/InitVault.sol') } })
  const oz4 = await compileSources({ root: repoRoot, sources: { 'test/fixtures/validate-oz4/InitVault.sol': await read('test/fixtures/validate-oz4/InitVault.sol') }, solcVersion: '0.8.19' })
  for (const [key, build, label] of [['oz5', oz5, 'OpenZeppelin 5.x'], ['oz4', oz4, 'OpenZeppelin 4.9']] as const) {
    generations[key] = { label, build, ...(await deployVault(build)) }
  }
}, 300_000)
afterAll(async () => anvil?.stop())

/** InitVaultV1 behind an ERC1967Proxy, owned by dev account 0, holding 5 ether of deposits. */
async function deployVault(build: CompileSourcesReturnType) {
  const client = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: owner })
  const v1 = getArtifact(build, 'InitVaultV1')
  const proxyArtifact = getArtifact(build, 'ERC1967Proxy')
  const implementation = await deployContract(client, { name: 'InitVaultV1', abi: v1.abi, bytecode: v1.bytecode })
  const initialize = encodeFunctionData({ abi: v1.abi, functionName: 'initialize', args: [owner.address] })
  const proxy = await deployContract(client, { name: 'ERC1967Proxy', abi: proxyArtifact.abi, bytecode: proxyArtifact.bytecode, args: [implementation.address, initialize] })
  const depositorClient = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: depositor })
  const hash = await depositorClient.writeContract({ address: proxy.address, abi: v1.abi, functionName: 'deposit', value: parseEther('5') })
  await depositorClient.waitForTransactionReceipt({ hash })
  return { proxy: proxy.address, owner: owner.address, guardian: devAccount(2).address }
}

function built(build: CompileSourcesReturnType, artifact: Artifact): BuiltContract {
  return {
    contract: `${artifact.sourceName}:${artifact.contractName}`,
    artifact,
    buildInfo: build.buildInfo,
    runtimeCodeHash: keccak256(artifact.deployedBytecode),
    creationCodeHash: keccak256(artifact.bytecode),
  }
}

/** The stage context the pipeline would hand over for `contract` as the new implementation of the vault. */
async function contextFor(generation: Generation, contract: string, initializer?: { function: string; args: string[] }): Promise<StageContext> {
  const implementation = getArtifact(generation.build, contract)
  const client = createReadClient({ rpcUrl: anvil.rpcUrl })
  const manifest = patchManifestSchema.parse({
    version: 1,
    advisory: { id: 'BW-TEST-INIT' },
    targets: [{ name: 'Vault', proxy: generation.proxy, kind: 'uups', implementation: { contract, sources: ['contracts/test/validate'] }, ...(initializer ? { initializer } : {}) }],
  })
  const build: TargetBuild = {
    target: 'Vault',
    proxy: generation.proxy,
    declaredKind: 'uups',
    implementation: built(generation.build, implementation),
    reference: { ...built(generation.build, getArtifact(generation.build, 'InitVaultV1')), origin: 'manifest' },
    initializerCalldata: initializer ? (encodeFunctionData({ abi: implementation.abi, functionName: initializer.function, args: initializer.args }) as Hex) : '0x',
  }
  return {
    manifest,
    manifestDir: repoRoot,
    rpcUrl: anvil.rpcUrl,
    chainId: anvil.chainId,
    blockNumber: await client.getBlockNumber({ cacheTime: 0 }),
    client,
    builds: [build],
    progress: () => {},
    signal: new AbortController().signal,
  }
}

const summary = (findings: Finding[]) => findings.map((finding) => [finding.kind, finding.severity, finding.location?.function])

describe.each(['oz5', 'oz4'] as const)('initializer safety on %s', (key) => {
  test('(a) an unprotected reinitializer(2) the manifest does not call: blocked, the stranger set the guardian', async () => {
    const generation = generations[key]
    const output = await initializerSafety(await contextFor(generation, 'InitVaultV2Reinit'))
    expect(summary(output.findings)).toEqual([['initializer-unprotected', 'high', 'initializeV2']])
    const [finding] = output.findings
    // The changed state comes in slot order, which differs between the generations (OZ 4.9: _initialized in slot 0).
    const [, changes] = /^Vault: initializeV2\(address\) \(reinitializer\(2\), no access check on any path; writes _guardian\) is callable by anyone after the upgrade: stranger (?:0x[0-9a-fA-F]{40}) called it with \(0x[0-9a-fA-F]{40}\) and changed (.*) — the release does not call it$/.exec(finding!.message) ?? []
    expect(changes?.split('; ').sort()).toEqual(['_guardian', 'initializer version (Initializable)'])
    expect(finding!.details).toMatchObject({ modifier: 'reinitializer', version: '2', initializedVersionAfterUpgrade: '1', guards: [] })
    expect(finding!.location).toMatchObject({ file: expect.stringMatching(/InitVault\.sol$/), line: expect.any(Number), contract: 'InitVaultV2Reinit' })
  })

  test('(b) the same patch with the initializer called atomically by the manifest: accepted, the non-atomic risk is noted', async () => {
    const generation = generations[key]
    const output = await initializerSafety(await contextFor(generation, 'InitVaultV2Reinit', { function: 'initializeV2', args: [generation.guardian] }))
    expect(summary(output.findings)).toEqual([['initializer-front-runnable', 'info', 'initializeV2']])
    expect(output.findings[0]!.details).toMatchObject({ afterRelease: expect.stringMatching(/^reverted/), withoutInitializerCall: expect.stringMatching(/^CHANGED/) })
  })

  test('(c) an implementation whose constructor does not disable initializers: critical', async () => {
    const generation = generations[key]
    const output = await initializerSafety(await contextFor(generation, 'InitVaultV2Initializable'))
    expect(summary(output.findings)).toEqual([['implementation-initializable', 'critical', 'initialize']])
    expect(output.findings[0]!.message).toMatch(/can itself be initialized by anyone: its constructor does not call _disableInitializers\(\); stranger 0x[0-9a-fA-F]{40} called initialize\(address\)/)
    expect(output.findings[0]!.details).toMatchObject({ initializedVersion: '0', constructorDisablesInitializers: false, acceptedFromStranger: ['initialize(address)'] })
  })

  test('(d) new setOwner and sweep without access checks: blocked, with what the stranger changed', async () => {
    const generation = generations[key]
    const output = await initializerSafety(await contextFor(generation, 'InitVaultV2Privileged'))
    expect(summary(output.findings).sort()).toEqual([
      ['privileged-function-unprotected', 'high', 'setOwner'],
      ['privileged-function-unprotected', 'high', 'sweep'],
    ])
    const setOwner = output.findings.find((f) => f.location?.function === 'setOwner')!
    expect(setOwner.message).toMatch(/setOwner\(address\) is new and has no access check; stranger (0x[0-9a-fA-F]{40}) called it with \(\1\) and changed .*ownership transferred to \1/)
    const sweep = output.findings.find((f) => f.location?.function === 'sweep')!
    expect(sweep.message).toContain(`5000000000000000000 wei sent out of ${generation.proxy}`)
  })

  test('(e) the same functions restricted to the owner: no finding, the stranger was refused', async () => {
    const generation = generations[key]
    const output = await initializerSafety(await contextFor(generation, 'InitVaultV2Guarded'))
    expect(output.findings).toEqual([])
    const calls = (output.data!.targets as Record<string, { calls: { function: string; atomic: string }[] }>)['Vault']!.calls
    expect(calls.map((call) => [call.function, call.atomic.startsWith('reverted')])).toEqual([
      ['setOwner(address)', true],
      ['sweep(address)', true],
      ['initialize(address)', true],
    ])
  })
})

describe('in the pipeline', () => {
  test('the unprotected reinitializer fails the verdict; with the atomic initializer call the same patch passes', async () => {
    const generation = generations.oz5
    const manifest = (initializer?: object) =>
      patchManifestSchema.parse({
        version: 1,
        advisory: { id: 'BW-TEST-INIT' },
        targets: [
          {
            name: 'Vault',
            proxy: generation.proxy,
            kind: 'uups',
            implementation: { contract: 'InitVaultV2Reinit', sources: ['contracts/test/validate/InitVault.sol'] },
            reference: { contract: 'InitVaultV1', sources: ['contracts/test/validate/InitVault.sol'] },
            ...(initializer ? { initializer } : {}),
          },
        ],
      })
    const run = (m: ReturnType<typeof manifest>) => runPipeline({ manifest: m, manifestDir: repoRoot, rpcUrl: anvil.rpcUrl, stages: ['build', 'initializer-safety'], reproducibility: false })
    const open = createReport(await run(manifest()), { toolVersion: 'test' })
    expect(open.ok).toBe(false)
    expect(open.document.stages.find((s) => s.stage === 'initializer-safety')).toMatchObject({ status: 'failed', findings: [expect.objectContaining({ kind: 'initializer-unprotected' })] })
    const atomic = createReport(await run(manifest({ function: 'initializeV2', args: [generation.guardian] })), { toolVersion: 'test' })
    expect(atomic.document.stages.map((s) => [s.stage, s.status])).toEqual([
      ['build', 'passed'],
      ['initializer-safety', 'passed'],
    ])
    expect(atomic.ok).toBe(true)
  }, 240_000)
})

describe('the demo patch', () => {
  test('LendingPoolV2 (AccessControl, ERC-7201, initializer already used, constructor disables initializers): no finding', async () => {
    const chain = await startDemoChain()
    try {
      const context = await demoStageContext(chain, 'LendingPoolV2', {})
      // The fixture's stand-in build has no AST; the stage needs the real one.
      const build = await compileSources({ root: repoRoot, sources: { 'contracts/examples/LendingPoolV2.sol': await readFile(path.join(repoRoot, 'contracts/examples/LendingPoolV2.sol'), 'utf8') } })
      const v2 = getArtifact(build, 'LendingPoolV2')
      const output = await initializerSafety({ ...context, builds: [{ ...context.builds[0]!, implementation: built(build, v2) }] })
      expect(output.findings.map((f) => f.message)).toEqual([])
      const calls = (output.data!.targets as Record<string, { calls: { function: string; atomic: string }[] }>)['LendingPool']!.calls
      expect(calls.map((call) => call.function)).toContain('initialize(address,address,uint256,uint256,address,address,address[],address)')
      // renounceRole(DEFAULT_ADMIN_ROLE, stranger) runs and changes nothing: the stranger holds no role.
      expect(calls.filter((call) => !call.atomic.startsWith('reverted')).map((call) => [call.function, call.atomic])).toEqual([['renounceRole(bytes32,address)', 'ran, nothing privileged changed (0 slot(s) written)']])
    } finally {
      await chain.anvil.stop()
    }
  }, 300_000)
})
