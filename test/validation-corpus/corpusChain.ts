import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { createReadClient } from '../../src/chain/clients.js'
import { startAnvil, type Anvil } from '../../src/chain/startAnvil.js'
import { compileSources } from '../../src/compile/compileSources.js'
import { compileOz4Fixture, deployOz4System, oz4FixtureDir, type Oz4System } from '../fixtures/validate-oz4/system.js'
import { repoRoot } from '../protocols/compileKit.js'
import { compileAllProtocols } from '../protocols/compileProtocols.js'
import { deployProtocolSuite, type ProtocolSuite } from '../protocols/protocolSuite.js'

/**
 * The corpus's "production" chain: one anvil holding every system the cases patch, deployed once and
 * only read by the validation runs (each stage forks it), so the cases share it without snapshots.
 * - the protocol suite: Aave V3 core 1.19.3 (solc 0.8.10), the OpenZeppelin 4.9 kit system (0.8.19) and
 *   the OpenZeppelin 5.4 kit system (0.8.24), all under one Safe → timelock, seeded with positions;
 * - the OpenZeppelin 4.9 flash-loan vault fixture (0.8.19) with its oracle, treasury, arbitrage bot
 *   (an integrator) and a history of deposits, withdrawals and flash loans taken through the bot.
 */
export type CorpusChain = {
  anvil: Anvil
  suite: ProtocolSuite
  flash: Oz4System
  /** The build-infos the deployed code came from: each case's `reference` (the team's own build). */
  buildInfos: { aaveV3: string; kitContracts: string; oz5: string; flashVault: string }
  /** The block every case is pinned to (after all history). */
  blockNumber: number
  /** Wall time of compile (cache) + deploy, ms. */
  setupMs: number
}

export async function startCorpusChain(): Promise<CorpusChain> {
  const started = performance.now()
  const builds = await compileAllProtocols()
  const flashBuild = await compileOz4Fixture()
  const flashBuildInfo = await flashFixtureBuildInfoPath()
  const anvil = await startAnvil()
  try {
    const suite = await deployProtocolSuite(anvil, { builds })
    const flash = await deployOz4System(anvil, flashBuild)
    const blockNumber = Number(await createReadClient({ rpcUrl: anvil.rpcUrl }).getBlockNumber({ cacheTime: 0 }))
    return {
      blockNumber,
      anvil,
      suite,
      flash,
      buildInfos: { aaveV3: builds.aaveV3.buildInfoPath, kitContracts: builds.kitContracts.buildInfoPath, oz5: builds.oz5.buildInfoPath, flashVault: flashBuildInfo },
      setupMs: performance.now() - started,
    }
  } catch (error) {
    await anvil.stop()
    throw error
  }
}

/** The flash-vault fixture's build-info file: the same sources, solc and settings as `compileOz4Fixture` (a cache hit). */
async function flashFixtureBuildInfoPath(): Promise<string> {
  const sources = Object.fromEntries(
    readdirSync(oz4FixtureDir)
      .filter((name) => name.endsWith('.sol'))
      .map((name) => [`test/fixtures/validate-oz4/${name}`, readFileSync(path.join(oz4FixtureDir, name), 'utf8')]),
  )
  const output = await compileSources({ root: repoRoot, sources, solcVersion: '0.8.19', settings: { optimizer: true, optimizerRuns: 200 } })
  return output.buildInfoPath
}
