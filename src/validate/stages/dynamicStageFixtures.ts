import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { keccak256, type Address } from 'viem'
import { createReadClient } from '../../chain/clients.js'
import { deployDemoProtocol, type DemoProtocol } from '../../chain/deployDemoProtocol.js'
import { startAnvil, type Anvil } from '../../chain/startAnvil.js'
import type { Artifact } from '../../compile/artifacts.js'
import type { BuildInfo } from '../../compile/buildInfo.js'
import { compileProject } from '../../compile/compileProject.js'
import { getArtifact } from '../../compile/getArtifact.js'
import { patchManifestSchema } from '../manifest.js'
import type { StageContext, StageOutput, TargetBuild } from '../stage.js'
import { differentialFuzz } from './differentialFuzz.js'
import { differentialReplay } from './differentialReplay.js'
import { exploitReplay } from './exploitReplay.js'
import { forkRehearsal } from './forkRehearsal.js'
import { createForkPool } from './forkPool.js'
import { regression } from './regression.js'

/** Shared set-up of the dynamic stages' tests and bench: a "production" anvil running the demo protocol. */

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
export const foundryFixture = 'test/fixtures/foundry-poc'

export type DemoChain = { anvil: Anvil; demo: DemoProtocol; build: { artifacts: Artifact[] } }

export async function startDemoChain(): Promise<DemoChain> {
  const build = await compileProject({ root: repoRoot })
  const anvil = await startAnvil()
  const demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
  return { anvil, demo, build }
}

/** A build-stage output for the LendingPool proxy with `contract` as its new implementation. */
export function poolTargetBuild(chain: DemoChain, contract: string): TargetBuild {
  const artifact = getArtifact(chain.build, contract)
  return {
    target: 'LendingPool',
    proxy: chain.demo.lendingPool.proxy,
    declaredKind: 'uups',
    implementation: {
      contract: `${artifact.sourceName}:${artifact.contractName}`,
      artifact,
      buildInfo: {} as BuildInfo,
      runtimeCodeHash: keccak256(artifact.deployedBytecode),
      creationCodeHash: keccak256(artifact.bytecode),
    },
    reference: undefined,
    initializerCalldata: '0x',
  }
}

/** A stage context pinned at the chain's current block, as the pipeline gives it. */
export async function demoStageContext(chain: DemoChain, contract: string, manifest: Record<string, unknown>, progress: string[] = []): Promise<StageContext> {
  const client = createReadClient({ rpcUrl: chain.anvil.rpcUrl })
  const parsed = patchManifestSchema.parse({
    version: 1,
    advisory: { id: 'BW-TEST-1' },
    targets: [{ name: 'LendingPool', proxy: chain.demo.lendingPool.proxy, implementation: { contract, sources: ['contracts'] } }],
    ...manifest,
  })
  return {
    manifest: parsed,
    manifestDir: repoRoot,
    rpcUrl: chain.anvil.rpcUrl,
    chainId: chain.anvil.chainId,
    blockNumber: await client.getBlockNumber({ cacheTime: 0 }),
    client,
    builds: [poolTargetBuild(chain, contract)],
    progress: (message) => progress.push(message),
    signal: new AbortController().signal,
  }
}

/** The PoCs used by the tests: the Solidity-contract one and the Foundry one, against the demo. */
export function demoProofsOfConcept(demo: DemoProtocol, formats: readonly ('contract' | 'foundry')[] = ['contract', 'foundry']) {
  const all = {
    contract: {
      name: 'reentrancy-contract',
      contract: {
        build: { contract: 'LendingPoolReentrancyPoC', sources: ['contracts/test/pocs/LendingPoolReentrancyPoC.sol'] },
        args: [demo.lendingPool.proxy, demo.tokens.asset],
        fund: [{ token: demo.tokens.asset, from: demo.attacker, amount: (25_000n * 10n ** 18n).toString() }],
        profitToken: demo.tokens.asset,
      },
    },
    foundry: {
      name: 'reentrancy-foundry',
      foundry: {
        root: foundryFixture,
        path: 'test/LendingPoolReentrancy.t.sol',
        env: { POOL: demo.lendingPool.proxy, ASSET: demo.tokens.asset, ATTACKER: demo.attacker, SEED: (25_000n * 10n ** 18n).toString() },
      },
    },
  }
  return formats.map((format) => all[format])
}

export function demoRegressions(demo: DemoProtocol, depositor: Address) {
  return {
    regressions: [
      {
        name: 'withdrawals',
        foundry: { root: foundryFixture, path: 'test/Regression.t.sol', env: { POOL: demo.lendingPool.proxy, ASSET: demo.tokens.asset, DEPOSITOR: depositor } },
      },
    ],
    invariants: [
      { name: 'deposits-kept', call: { address: demo.lendingPool.proxy, signature: 'function totalDeposits() view returns (uint256)', unchanged: true } },
      { name: 'borrows-kept', call: { address: demo.lendingPool.proxy, signature: 'function totalBorrows() view returns (uint256)', unchanged: true, op: 'gt', value: '0' } },
    ],
  }
}

/** The dynamic stages, run concurrently on one shared fork pool as the pipeline runs them. */
export async function runDynamicStages(context: StageContext): Promise<Record<'fork-rehearsal' | 'exploit-replay' | 'regression' | 'differential-replay' | 'differential-fuzz', StageOutput>> {
  const forks = createForkPool(context)
  const shared = { ...context, forks }
  try {
    const [rehearsal, exploit, regressionOutput, replay, fuzz] = await Promise.all([
      forkRehearsal(shared),
      exploitReplay(shared),
      regression(shared),
      differentialReplay(shared),
      differentialFuzz(shared),
    ])
    return { 'fork-rehearsal': rehearsal, 'exploit-replay': exploit, regression: regressionOutput, 'differential-replay': replay, 'differential-fuzz': fuzz }
  } finally {
    await forks.stop()
  }
}
