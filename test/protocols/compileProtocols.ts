import type { CompileSettings } from '../../src/compile/buildInfo.js'
import { compileKit, type KitBuild } from './compileKit.js'

type Progress = { onProgress?: ((message: string) => void) | undefined; cacheDir?: string | undefined }

/**
 * Each protocol with the compiler release and settings its authors published, so the bytecode under
 * test is what the protocol ships (modulo the metadata hash, whose source paths differ).
 */
export const protocolCompilers = {
  /** @aave/core-v3 1.19.3: artifacts/build-info in the package (hardhat): 0.8.10, runs 100000, london. */
  aaveV3: { solcVersion: '0.8.10', settings: { optimizer: true, optimizerRuns: 100_000, evmVersion: 'london' } },
  /** @uniswap/v2-core 1.0.1: build/*.json metadata in the package: 0.5.16, runs 999999, istanbul. */
  uniswapV2: { solcVersion: '0.5.16', settings: { optimizer: true, optimizerRuns: 999_999, evmVersion: 'istanbul' } },
  /** @balancer-labs/v2-vault 3.0.1: the monorepo's pvt/common/hardhat-base-config.ts override for Vault.sol: 0.7.1, runs 500. */
  balancerV2: { solcVersion: '0.7.1', settings: { optimizer: true, optimizerRuns: 500 } },
  /** Our own Solidity in test/protocols/contracts (OpenZeppelin 4.9 based): 0.8.19, runs 200. */
  kitContracts: { solcVersion: '0.8.19', settings: { optimizer: true, optimizerRuns: 200 } },
  /** Our OpenZeppelin 5.4 system in test/protocols/contracts/oz5: 0.8.24 (a release other than the bundled one), runs 200, cancun. */
  oz5: { solcVersion: '0.8.24', settings: { optimizer: true, optimizerRuns: 200, evmVersion: 'cancun' } },
  /** The governance TimelockController (OpenZeppelin Contracts 5.4, as Bulwark's own contracts): the bundled solc. */
  governance: { solcVersion: '0.8.30', settings: { optimizer: true, optimizerRuns: 200, evmVersion: 'cancun' } },
} as const satisfies Record<string, { solcVersion: string; settings: CompileSettings }>

const aave = '@aave/core-v3/contracts/'

/**
 * Aave V3 core: pool, configurator, ACL, provider, oracle, tokenization, rate strategy, data provider,
 * the package's mock aggregator. `overrides` replaces source units by name for a patched build
 * (`{ '@aave/core-v3/contracts/protocol/pool/Pool.sol': patchedText }`), compiled with the same solc and settings.
 */
export async function compileAaveV3({ onProgress, cacheDir, overrides }: Progress & { overrides?: Readonly<Record<string, string>> | undefined } = {}): Promise<KitBuild> {
  return compileKit({
    overrides,
    kit: 'aave-v3',
    entries: [
      'protocol/configuration/PoolAddressesProvider.sol',
      'protocol/configuration/ACLManager.sol',
      'protocol/pool/Pool.sol',
      'protocol/pool/PoolConfigurator.sol',
      'protocol/pool/DefaultReserveInterestRateStrategy.sol',
      'protocol/tokenization/AToken.sol',
      'protocol/tokenization/StableDebtToken.sol',
      'protocol/tokenization/VariableDebtToken.sol',
      'misc/AaveOracle.sol',
      'misc/AaveProtocolDataProvider.sol',
      'mocks/tokens/MintableERC20.sol',
      'mocks/oracle/CLAggregators/MockAggregator.sol',
    ].map((entry) => `${aave}${entry}`),
    ...protocolCompilers.aaveV3,
    cacheDir,
    onProgress,
  })
}

/** Uniswap V2 core: the factory (which carries the pair's creation code) and the pair. */
export async function compileUniswapV2({ onProgress, cacheDir }: Progress = {}): Promise<KitBuild> {
  return compileKit({ kit: 'uniswap-v2', entries: ['@uniswap/v2-core/contracts/UniswapV2Factory.sol'], ...protocolCompilers.uniswapV2, cacheDir, onProgress })
}

/** Balancer V2: the Vault (with its ProtocolFeesCollector). */
export async function compileBalancerV2({ onProgress, cacheDir }: Progress = {}): Promise<KitBuild> {
  return compileKit({ kit: 'balancer-v2', entries: ['@balancer-labs/v2-vault/contracts/Vault.sol'], ...protocolCompilers.balancerV2, cacheDir, onProgress })
}

/**
 * Our own Solidity: KitToken, the Uniswap V2 spot price feed and swapper, the flash-loan user, the
 * Balancer authorizer, and the OpenZeppelin 4.9 UUPS / Transparent / Beacon system with its proxies.
 */
export async function compileKitContracts({ onProgress, cacheDir }: Progress = {}): Promise<KitBuild> {
  return compileKit({
    kit: 'kit-contracts',
    entries: [
      'KitToken.sol',
      'UniswapV2SpotPriceFeed.sol',
      'UniswapV2Swapper.sol',
      'FlashLoanUser.sol',
      'BalancerActionAuthorizer.sol',
      'Weth.sol',
      'oz49/OzVault.sol',
      'oz49/OzPriceOracle.sol',
      'oz49/OzTreasury.sol',
      'oz49/Proxies.sol',
    ].map((entry) => `test/protocols/contracts/${entry}`),
    ...protocolCompilers.kitContracts,
    cacheDir,
    onProgress,
  })
}

/** The OpenZeppelin 5.4 UUPS / Transparent / Beacon system with its proxies (solc 0.8.24). */
export async function compileOz5System({ onProgress, cacheDir }: Progress = {}): Promise<KitBuild> {
  return compileKit({
    kit: 'oz5',
    entries: ['OzVault5.sol', 'OzPriceOracle5.sol', 'OzTreasury5.sol', 'Proxies5.sol'].map((entry) => `test/protocols/contracts/oz5/${entry}`),
    ...protocolCompilers.oz5,
    cacheDir,
    onProgress,
  })
}

/** OpenZeppelin 5.4's TimelockController, the governance every kit sits under. */
export async function compileGovernance({ onProgress, cacheDir }: Progress = {}): Promise<KitBuild> {
  return compileKit({
    kit: 'governance',
    entries: ['@openzeppelin/contracts/governance/TimelockController.sol'],
    ...protocolCompilers.governance,
    cacheDir,
    onProgress,
  })
}

/** Every kit, compiled one after another (solc is CPU-bound; two at once only share the cores). */
export async function compileAllProtocols(parameters: Progress = {}): Promise<Record<'aaveV3' | 'uniswapV2' | 'balancerV2' | 'kitContracts' | 'oz5' | 'governance', KitBuild>> {
  const governance = await compileGovernance(parameters)
  const kitContracts = await compileKitContracts(parameters)
  const uniswapV2 = await compileUniswapV2(parameters)
  const aaveV3 = await compileAaveV3(parameters)
  const balancerV2 = await compileBalancerV2(parameters)
  const oz5 = await compileOz5System(parameters)
  return { aaveV3, uniswapV2, balancerV2, kitContracts, oz5, governance }
}
