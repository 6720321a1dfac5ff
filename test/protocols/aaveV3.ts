import { encodeFunctionData, getAddress, maxUint256, parseAbi, parseUnits, zeroAddress, type Abi, type Address, type LocalAccount } from 'viem'
import { createDevClient, createReadClient, type DevClient } from '../../src/chain/clients.js'
import { deployContract } from '../../src/chain/deployContract.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { kitArtifact, type KitBuild } from './compileKit.js'
import { deployLinked, type LibraryAddresses } from './deployLinked.js'
import { deployKitGovernance, executeViaGovernance, kitAccountIndices, sendKitCall, type KitChain, type KitGovernance } from './kitGovernance.js'
import type { ScheduleAndExecuteViaSafeReturnType } from '../../src/chain/scheduleAndExecuteViaSafe.js'
import { createUniswapV2Pair, deployUniswapV2, erc20Abi, type UniswapV2Kit } from './uniswapV2.js'

const aave = '@aave/core-v3/contracts/'

/** One Aave reserve of the kit market. */
export type AaveV3Reserve = {
  symbol: string
  /** The underlying: a KitToken (MINTER_ROLE: the deployer; DEFAULT_ADMIN_ROLE: the timelock). */
  asset: Address
  decimals: number
  aToken: Address
  variableDebtToken: Address
  stableDebtToken: Address
  /** The AaveOracle source of this asset. */
  priceFeed: Address
  /** The Uniswap V2 pair the feed reads (volatile asset only). */
  pair?: Address
  /** Basis points. */
  ltv: number
  liquidationThreshold: number
  liquidationBonus: number
}

/** An Aave V3 market from @aave/core-v3 1.19.3 under a Safe → timelock, as `deployAaveV3` returns it. JSON-serializable except `abis`. */
export type AaveV3Kit = {
  chainId: number
  /** The block before the first deployment transaction of the market (governance and Uniswap may precede it). */
  fromBlock: number
  blockNumber: number
  deployer: Address
  /** Holds EMERGENCY_ADMIN: `poolConfigurator.setPoolPause(true)` and `setReservePause`. */
  guardian: Address
  /** Holds RISK_ADMIN (default the timelock). */
  riskAdmin: Address
  governance: KitGovernance
  uniswap: UniswapV2Kit
  /** Owner: the timelock. ACL admin (recorded): the timelock. */
  addressesProvider: Address
  /** DEFAULT_ADMIN_ROLE and POOL_ADMIN: the timelock; EMERGENCY_ADMIN: the guardian; RISK_ADMIN: `riskAdmin`. The deployer holds nothing. */
  aclManager: Address
  /** InitializableImmutableAdminUpgradeabilityProxy whose admin is the addresses provider. */
  pool: Address
  poolImplementation: Address
  poolConfigurator: Address
  poolConfiguratorImplementation: Address
  oracle: Address
  dataProvider: Address
  /** External libraries linked into Pool and PoolConfigurator, by full name. */
  libraries: Record<string, Address>
  implementations: { aToken: Address; stableDebtToken: Address; variableDebtToken: Address }
  interestRateStrategy: Address
  /** Receives the reserves' protocol share (the timelock). */
  treasury: Address
  reserves: { usdx: AaveV3Reserve; wvol: AaveV3Reserve }
  /** The WVOL/USDX Uniswap V2 pair: WVOL's only price source, and a swap venue. */
  pairs: { wvolUsdx: Address }
  /** Flash-loan premium, basis points. */
  flashLoanPremium: number
  /** Our FlashLoanUser: takes and repays Aave (and Balancer) flash loans honestly; it needs the premium in its balance. */
  flashLoanUser: Address
  abis: AaveV3Abis
}

export type AaveV3Abis = {
  pool: Abi
  poolConfigurator: Abi
  aclManager: Abi
  addressesProvider: Abi
  oracle: Abi
  dataProvider: Abi
  aToken: Abi
  variableDebtToken: Abi
  kitToken: Abi
  priceFeed: Abi
  flashLoanUser: Abi
}

export type DeployAaveV3Parameters = {
  builds: { aaveV3: KitBuild; uniswapV2: KitBuild; kitContracts: KitBuild; governance: KitBuild }
  /** EMERGENCY_ADMIN (default dev account 4). */
  guardian?: Address | undefined
  /** RISK_ADMIN (default the timelock). */
  riskAdmin?: Address | undefined
  /** Reuse governance already on the chain (default: deploy a 2-of-3 Safe → one-day timelock). */
  governance?: KitGovernance | undefined
  /** Reuse a Uniswap V2 deployment (default: deploy one, feeToSetter = the timelock). */
  uniswap?: UniswapV2Kit | undefined
  deployer?: LocalAccount | undefined
  onProgress?: ((message: string) => void) | undefined
}

/** Initial WVOL price in USDX, and the pair's initial depth. */
export const aaveKitMarket = {
  wvolPrice: 2000,
  pairWvol: parseUnits('1000', 18),
  pairUsdx: parseUnits('2000000', 6),
  deployerUsdx: parseUnits('100000000', 6),
  deployerWvol: parseUnits('100000', 18),
  flashLoanPremium: 5,
} as const

// Rates in ray (1e27).
const ray = (percent: number) => (BigInt(Math.round(percent * 100)) * 10n ** 27n) / 10_000n

/**
 * Deploys an Aave V3 market the way Aave's own deploy scripts wire it, from @aave/core-v3's sources:
 * PoolAddressesProvider, ACLManager, Pool (libraries linked) and PoolConfigurator (ConfiguratorLogic)
 * behind the provider's immutable-admin proxies, AaveOracle, AToken / StableDebtToken /
 * VariableDebtToken implementations, a DefaultReserveInterestRateStrategy and two reserves: USDX
 * (6 decimals, priced by Aave's MockAggregator at $1) and WVOL (18 decimals, priced by a spot feed on
 * the WVOL/USDX Uniswap V2 pair, so moving the pair moves the market's price). Every admin role
 * ends with the timelock that the Safe drives, the emergency admin with the guardian; the deployer
 * renounces everything except the tokens' MINTER_ROLE.
 */
export async function deployAaveV3(chain: KitChain, parameters: DeployAaveV3Parameters): Promise<AaveV3Kit> {
  const progress = parameters.onProgress ?? (() => {})
  const { aaveV3: build, kitContracts } = parameters.builds
  const deployer = parameters.deployer ?? devAccount(kitAccountIndices.deployer)
  const client = createDevClient({ ...chain, account: deployer })
  const guardian = getAddress(parameters.guardian ?? devAccount(kitAccountIndices.guardian).address)

  progress('governance and Uniswap V2')
  const governance = parameters.governance ?? (await deployKitGovernance(chain, { governanceBuild: parameters.builds.governance, deployer }))
  const { timelock } = governance
  const riskAdmin = getAddress(parameters.riskAdmin ?? timelock)
  const uniswap =
    parameters.uniswap ?? (await deployUniswapV2(chain, { uniswapBuild: parameters.builds.uniswapV2, kitBuild: kitContracts, feeToSetter: timelock, deployer }))
  const fromBlock = Number(await client.getBlockNumber({ cacheTime: 0 }))

  const a = (name: string) => kitArtifact(build, `${aave}${name}`)
  const providerArtifact = a('protocol/configuration/PoolAddressesProvider.sol:PoolAddressesProvider')
  const aclArtifact = a('protocol/configuration/ACLManager.sol:ACLManager')
  const poolArtifact = a('protocol/pool/Pool.sol:Pool')
  const configuratorArtifact = a('protocol/pool/PoolConfigurator.sol:PoolConfigurator')
  const oracleArtifact = a('misc/AaveOracle.sol:AaveOracle')
  const dataProviderArtifact = a('misc/AaveProtocolDataProvider.sol:AaveProtocolDataProvider')
  const aTokenArtifact = a('protocol/tokenization/AToken.sol:AToken')
  const variableDebtArtifact = a('protocol/tokenization/VariableDebtToken.sol:VariableDebtToken')
  const kitToken = kitArtifact(kitContracts, 'KitToken')
  const feedArtifact = kitArtifact(kitContracts, 'UniswapV2SpotPriceFeed')
  const flashLoanUserArtifact = kitArtifact(kitContracts, 'FlashLoanUser')
  const deploy = async (name: string, artifact: { abi: Abi; bytecode: `0x${string}` }, args: readonly unknown[] = []) =>
    (await deployContract(client, { name, abi: artifact.abi, bytecode: artifact.bytecode, args })).address
  const call = (step: string, address: Address, abi: Abi, functionName: string, args: readonly unknown[] = []) =>
    sendKitCall(client, step, { address, abi, functionName, args })

  progress('tokens and the WVOL/USDX pair')
  const usdx = await deploy('USDX', kitToken, ['Kit USD', 'USDX', 6, deployer.address])
  const wvol = await deploy('WVOL', kitToken, ['Kit Volatile', 'WVOL', 18, deployer.address])
  await call('mint USDX', usdx, kitToken.abi, 'mint', [deployer.address, aaveKitMarket.deployerUsdx])
  await call('mint WVOL', wvol, kitToken.abi, 'mint', [deployer.address, aaveKitMarket.deployerWvol])
  const pair = await createUniswapV2Pair(chain, {
    factory: uniswap.factory,
    tokenA: wvol,
    tokenB: usdx,
    amountA: aaveKitMarket.pairWvol,
    amountB: aaveKitMarket.pairUsdx,
    provider: deployer,
  })

  progress('addresses provider, ACL manager, pool and configurator')
  const addressesProvider = await deploy('PoolAddressesProvider', providerArtifact, ['Bulwark Kit Market', deployer.address])
  await call('setACLAdmin(deployer)', addressesProvider, providerArtifact.abi, 'setACLAdmin', [deployer.address])
  const aclManager = await deploy('ACLManager', aclArtifact, [addressesProvider])
  await call('setACLManager', addressesProvider, providerArtifact.abi, 'setACLManager', [aclManager])
  await call('addPoolAdmin(deployer)', aclManager, aclArtifact.abi, 'addPoolAdmin', [deployer.address])

  const libraries: LibraryAddresses = new Map()
  const poolImplementation = await deployLinked(client, { build, contract: `${aave}protocol/pool/Pool.sol:Pool`, args: [addressesProvider], libraries })
  await call('setPoolImpl', addressesProvider, providerArtifact.abi, 'setPoolImpl', [poolImplementation])
  const poolConfiguratorImplementation = await deployLinked(client, { build, contract: `${aave}protocol/pool/PoolConfigurator.sol:PoolConfigurator`, libraries })
  await call('setPoolConfiguratorImpl', addressesProvider, providerArtifact.abi, 'setPoolConfiguratorImpl', [poolConfiguratorImplementation])
  const providerRead = (functionName: 'getPool' | 'getPoolConfigurator') =>
    client.readContract({ address: addressesProvider, abi: providerArtifact.abi, functionName }) as Promise<Address>
  const pool = getAddress(await providerRead('getPool'))
  const poolConfigurator = getAddress(await providerRead('getPoolConfigurator'))

  progress('oracle, data provider, token implementations, rate strategy')
  const usdxFeed = await deploy('MockAggregator (USDX)', a('mocks/oracle/CLAggregators/MockAggregator.sol:MockAggregator'), [10n ** 8n])
  const wvolFeed = await deploy('UniswapV2SpotPriceFeed (WVOL)', feedArtifact, [pair, wvol, 18, 6])
  const oracle = await deploy('AaveOracle', oracleArtifact, [addressesProvider, [usdx, wvol], [usdxFeed, wvolFeed], zeroAddress, zeroAddress, 10n ** 8n])
  await call('setPriceOracle', addressesProvider, providerArtifact.abi, 'setPriceOracle', [oracle])
  const dataProvider = await deploy('AaveProtocolDataProvider', dataProviderArtifact, [addressesProvider])
  await call('setPoolDataProvider', addressesProvider, providerArtifact.abi, 'setPoolDataProvider', [dataProvider])
  const implementations = {
    aToken: await deploy('AToken', aTokenArtifact, [pool]),
    stableDebtToken: await deploy('StableDebtToken', a('protocol/tokenization/StableDebtToken.sol:StableDebtToken'), [pool]),
    variableDebtToken: await deploy('VariableDebtToken', variableDebtArtifact, [pool]),
  }
  const interestRateStrategy = await deploy('DefaultReserveInterestRateStrategy', a('protocol/pool/DefaultReserveInterestRateStrategy.sol:DefaultReserveInterestRateStrategy'), [
    addressesProvider,
    ray(80), // optimal usage
    0n, // base variable rate
    ray(4), // variable slope 1
    ray(75), // variable slope 2
    ray(2), // stable slope 1
    ray(75), // stable slope 2
    ray(2), // base stable offset
    ray(5), // stable excess offset
    ray(20), // optimal stable / total debt
  ])

  progress('reserves')
  const treasury = timelock
  const reserveInput = (asset: Address, symbol: string, decimals: number) => ({
    aTokenImpl: implementations.aToken,
    stableDebtTokenImpl: implementations.stableDebtToken,
    variableDebtTokenImpl: implementations.variableDebtToken,
    underlyingAssetDecimals: decimals,
    interestRateStrategyAddress: interestRateStrategy,
    underlyingAsset: asset,
    treasury,
    incentivesController: zeroAddress,
    aTokenName: `Aave Kit ${symbol}`,
    aTokenSymbol: `aKit${symbol}`,
    variableDebtTokenName: `Aave Kit Variable Debt ${symbol}`,
    variableDebtTokenSymbol: `variableDebtKit${symbol}`,
    stableDebtTokenName: `Aave Kit Stable Debt ${symbol}`,
    stableDebtTokenSymbol: `stableDebtKit${symbol}`,
    params: '0x',
  })
  await call('initReserves', poolConfigurator, configuratorArtifact.abi, 'initReserves', [[reserveInput(usdx, 'USDX', 6), reserveInput(wvol, 'WVOL', 18)]])
  const riskParameters = { usdx: { ltv: 8000, liquidationThreshold: 8500, liquidationBonus: 10500 }, wvol: { ltv: 7500, liquidationThreshold: 8000, liquidationBonus: 10500 } }
  for (const [asset, risk] of [[usdx, riskParameters.usdx], [wvol, riskParameters.wvol]] as const) {
    await call('configureReserveAsCollateral', poolConfigurator, configuratorArtifact.abi, 'configureReserveAsCollateral', [asset, BigInt(risk.ltv), BigInt(risk.liquidationThreshold), BigInt(risk.liquidationBonus)])
    await call('setReserveBorrowing', poolConfigurator, configuratorArtifact.abi, 'setReserveBorrowing', [asset, true])
    await call('setReserveFlashLoaning', poolConfigurator, configuratorArtifact.abi, 'setReserveFlashLoaning', [asset, true])
    await call('setReserveFactor', poolConfigurator, configuratorArtifact.abi, 'setReserveFactor', [asset, 1000n])
  }
  await call('updateFlashloanPremiumTotal', poolConfigurator, configuratorArtifact.abi, 'updateFlashloanPremiumTotal', [BigInt(aaveKitMarket.flashLoanPremium)])
  const flashLoanUser = await deploy('FlashLoanUser', flashLoanUserArtifact)

  progress('handing every role to the timelock and the guardian')
  const role = (name: 'DEFAULT_ADMIN_ROLE' | 'POOL_ADMIN_ROLE') => client.readContract({ address: aclManager, abi: aclArtifact.abi, functionName: name }) as Promise<`0x${string}`>
  const [defaultAdminRole, poolAdminRole] = await Promise.all([role('DEFAULT_ADMIN_ROLE'), role('POOL_ADMIN_ROLE')])
  await call('addPoolAdmin(timelock)', aclManager, aclArtifact.abi, 'addPoolAdmin', [timelock])
  await call('addEmergencyAdmin(guardian)', aclManager, aclArtifact.abi, 'addEmergencyAdmin', [guardian])
  await call('addRiskAdmin', aclManager, aclArtifact.abi, 'addRiskAdmin', [riskAdmin])
  await call('grant DEFAULT_ADMIN to the timelock', aclManager, aclArtifact.abi, 'grantRole', [defaultAdminRole, timelock])
  await call('renounce POOL_ADMIN', aclManager, aclArtifact.abi, 'renounceRole', [poolAdminRole, deployer.address])
  await call('renounce DEFAULT_ADMIN', aclManager, aclArtifact.abi, 'renounceRole', [defaultAdminRole, deployer.address])
  await call('setACLAdmin(timelock)', addressesProvider, providerArtifact.abi, 'setACLAdmin', [timelock])
  await call('provider ownership to the timelock', addressesProvider, providerArtifact.abi, 'transferOwnership', [timelock])
  for (const token of [usdx, wvol]) {
    await call('grant token admin to the timelock', token, kitToken.abi, 'grantRole', [defaultAdminRole, timelock])
    await call('renounce token admin', token, kitToken.abi, 'renounceRole', [defaultAdminRole, deployer.address])
  }

  const reserveTokens = async (asset: Address) => {
    const data = (await client.readContract({ address: pool, abi: poolArtifact.abi, functionName: 'getReserveData', args: [asset] })) as {
      aTokenAddress: Address
      stableDebtTokenAddress: Address
      variableDebtTokenAddress: Address
    }
    return { aToken: getAddress(data.aTokenAddress), stableDebtToken: getAddress(data.stableDebtTokenAddress), variableDebtToken: getAddress(data.variableDebtTokenAddress) }
  }
  const blockNumber = Number(await client.getBlockNumber({ cacheTime: 0 }))
  progress(`Aave V3 market deployed at block ${blockNumber}`)
  return {
    chainId: chain.chainId,
    fromBlock,
    blockNumber,
    deployer: deployer.address,
    guardian,
    riskAdmin,
    governance,
    uniswap,
    addressesProvider,
    aclManager,
    pool,
    poolImplementation,
    poolConfigurator,
    poolConfiguratorImplementation,
    oracle,
    dataProvider,
    libraries: Object.fromEntries(libraries),
    implementations,
    interestRateStrategy,
    treasury,
    reserves: {
      usdx: { symbol: 'USDX', asset: usdx, decimals: 6, ...(await reserveTokens(usdx)), priceFeed: usdxFeed, ...riskParameters.usdx },
      wvol: { symbol: 'WVOL', asset: wvol, decimals: 18, ...(await reserveTokens(wvol)), priceFeed: wvolFeed, pair, ...riskParameters.wvol },
    },
    pairs: { wvolUsdx: pair },
    flashLoanPremium: aaveKitMarket.flashLoanPremium,
    flashLoanUser,
    abis: {
      pool: poolArtifact.abi,
      poolConfigurator: configuratorArtifact.abi,
      aclManager: aclArtifact.abi,
      addressesProvider: providerArtifact.abi,
      oracle: oracleArtifact.abi,
      dataProvider: dataProviderArtifact.abi,
      aToken: aTokenArtifact.abi,
      variableDebtToken: variableDebtArtifact.abi,
      kitToken: kitToken.abi,
      priceFeed: feedArtifact.abi,
      flashLoanUser: flashLoanUserArtifact.abi,
    },
  }
}

/** The Aave V3 pool functions tests and traffic generators call, typed (the full ABI is `kit.abis.pool`). */
export const aavePoolAbi = parseAbi([
  'function supply(address asset, uint256 amount, address onBehalfOf, uint16 referralCode)',
  'function withdraw(address asset, uint256 amount, address to) returns (uint256)',
  'function borrow(address asset, uint256 amount, uint256 interestRateMode, uint16 referralCode, address onBehalfOf)',
  'function repay(address asset, uint256 amount, uint256 interestRateMode, address onBehalfOf) returns (uint256)',
  'function liquidationCall(address collateralAsset, address debtAsset, address user, uint256 debtToCover, bool receiveAToken)',
  'function flashLoanSimple(address receiverAddress, address asset, uint256 amount, bytes params, uint16 referralCode)',
  'function getUserAccountData(address user) view returns (uint256 totalCollateralBase, uint256 totalDebtBase, uint256 availableBorrowsBase, uint256 currentLiquidationThreshold, uint256 ltv, uint256 healthFactor)',
])

/** The configurator functions of the emergency path. */
export const aavePoolConfiguratorAbi = parseAbi(['function setPoolPause(bool paused)', 'function setReservePause(address asset, bool paused)'])

/** The ACL manager's role readers. */
export const aaveAclManagerAbi = parseAbi([
  'function DEFAULT_ADMIN_ROLE() view returns (bytes32)',
  'function POOL_ADMIN_ROLE() view returns (bytes32)',
  'function EMERGENCY_ADMIN_ROLE() view returns (bytes32)',
  'function RISK_ADMIN_ROLE() view returns (bytes32)',
  'function hasRole(bytes32 role, address account) view returns (bool)',
  'function isPoolAdmin(address) view returns (bool)',
  'function isEmergencyAdmin(address) view returns (bool)',
  'function isRiskAdmin(address) view returns (bool)',
])

/** A user position `seedAaveV3` opened. Amounts in the asset's units. */
export type AaveV3Position = { account: Address; supplied: { asset: Address; amount: bigint }[]; borrowed: { asset: Address; amount: bigint }[] }

export type SeedAaveV3Parameters = {
  /** Users (default dev accounts 5–8): each is funded and opens a position. */
  actors?: readonly LocalAccount[] | undefined
  /** Also funded (USDX and WVOL) but opens no position (default dev account 9). */
  attacker?: LocalAccount | undefined
  /** The tokens' minter (default the kit's deployer, dev account 0). */
  minter?: LocalAccount | undefined
}

/**
 * Funds actors by minting (as the tokens' minter) and opens ordinary positions: actor 0 supplies
 * 500,000 USDX, actor 1 supplies 200 WVOL and borrows 150,000 USDX, actor 2 supplies 100 WVOL and
 * borrows 120,000 USDX (health factor ≈ 1.33 at $2,000: a WVOL drop under ~$1,500 makes it liquidatable),
 * actor 3 supplies 100,000 USDX and borrows 20 WVOL. Every actor and the attacker keep 1,000,000
 * USDX and 500 WVOL besides, approved to the pool; the flash-loan user gets 10,000 USDX and 10 WVOL for fees.
 */
export async function seedAaveV3(chain: KitChain, kit: AaveV3Kit, parameters: SeedAaveV3Parameters = {}): Promise<{ positions: AaveV3Position[] }> {
  const actors = parameters.actors ?? kitAccountIndices.actors.map((index) => devAccount(index))
  const attacker = parameters.attacker ?? devAccount(kitAccountIndices.attacker)
  const minter = createDevClient({ ...chain, account: parameters.minter ?? devAccount(kitAccountIndices.deployer) })
  const { usdx, wvol } = kit.reserves
  const usd = (amount: number) => parseUnits(String(amount), 6)
  const vol = (amount: number) => parseUnits(String(amount), 18)
  const mint = (client: DevClient, token: Address, to: Address, amount: bigint) => sendKitCall(client, `mint to ${to}`, { address: token, abi: kit.abis.kitToken, functionName: 'mint', args: [to, amount] })

  const plans = [
    { supply: [[usdx.asset, usd(500_000)]], borrow: [] },
    { supply: [[wvol.asset, vol(200)]], borrow: [[usdx.asset, usd(150_000)]] },
    { supply: [[wvol.asset, vol(100)]], borrow: [[usdx.asset, usd(120_000)]] },
    { supply: [[usdx.asset, usd(100_000)]], borrow: [[wvol.asset, vol(20)]] },
  ] as const
  for (const account of [...actors, attacker]) {
    await mint(minter, usdx.asset, account.address, usd(1_000_000) + usd(600_000))
    await mint(minter, wvol.asset, account.address, vol(500) + vol(200))
  }
  await mint(minter, usdx.asset, kit.flashLoanUser, usd(10_000))
  await mint(minter, wvol.asset, kit.flashLoanUser, vol(10))

  const positions: AaveV3Position[] = []
  for (const account of [...actors, attacker]) {
    const client = createDevClient({ ...chain, account })
    for (const token of [usdx.asset, wvol.asset]) {
      await sendKitCall(client, 'approve the pool', { address: token, abi: erc20Abi, functionName: 'approve', args: [kit.pool, maxUint256] })
    }
  }
  for (const [index, account] of actors.entries()) {
    const plan = plans[index % plans.length]!
    const client = createDevClient({ ...chain, account })
    for (const [asset, amount] of plan.supply) {
      await sendKitCall(client, 'supply', { address: kit.pool, abi: aavePoolAbi, functionName: 'supply', args: [asset, amount, account.address, 0] })
    }
    for (const [asset, amount] of plan.borrow) {
      await sendKitCall(client, 'borrow', { address: kit.pool, abi: aavePoolAbi, functionName: 'borrow', args: [asset, amount, 2n, 0, account.address] })
    }
    positions.push({
      account: account.address,
      supplied: plan.supply.map(([asset, amount]) => ({ asset, amount })),
      borrowed: plan.borrow.map(([asset, amount]) => ({ asset, amount })),
    })
  }
  return { positions }
}

/** The oracle's price of `asset` in USD, 8 decimals. */
export async function getAaveAssetPrice(chain: KitChain, kit: AaveV3Kit, asset: Address): Promise<bigint> {
  const reader = createReadClient({ rpcUrl: chain.rpcUrl })
  return (await reader.readContract({ address: kit.oracle, abi: parseAbi(['function getAssetPrice(address) view returns (uint256)']), functionName: 'getAssetPrice', args: [asset] })) as bigint
}

export type DeployAavePoolImplementationParameters = {
  /** An Aave build (`compileAaveV3({ overrides })` for a patched Pool). */
  build: KitBuild
  /** The market's PoolAddressesProvider (the Pool constructor's only argument). */
  addressesProvider: Address
  /** Libraries already deployed from this same build, to reuse (default: deploy them afresh). */
  libraries?: LibraryAddresses | undefined
  deployer?: LocalAccount | undefined
}

/** Deploys a Pool implementation from `build` (its libraries linked), ready for `upgradeAavePool`. */
export async function deployAavePoolImplementation(chain: KitChain, parameters: DeployAavePoolImplementationParameters): Promise<{ implementation: Address; libraries: Record<string, Address> }> {
  const client = createDevClient({ ...chain, account: parameters.deployer ?? devAccount(kitAccountIndices.deployer) })
  const libraries: LibraryAddresses = parameters.libraries ?? new Map()
  const implementation = await deployLinked(client, { build: parameters.build, contract: `${aave}protocol/pool/Pool.sol:Pool`, args: [parameters.addressesProvider], libraries })
  return { implementation, libraries: Object.fromEntries(libraries) }
}

/**
 * Upgrades the market's Pool the way Aave governance does: `addressesProvider.setPoolImpl(implementation)`
 * as one timelock batch through the Safe. The provider calls `upgradeToAndCall(implementation,
 * initialize(provider))`, and Aave's VersionedInitializable lets that initializer run only when the
 * new implementation's POOL_REVISION is higher than the current one: a patch must bump it.
 */
export async function upgradeAavePool(chain: KitChain, kit: Pick<AaveV3Kit, 'addressesProvider' | 'governance'>, implementation: Address): Promise<ScheduleAndExecuteViaSafeReturnType> {
  const data = encodeFunctionData({ abi: parseAbi(['function setPoolImpl(address newPoolImpl)']), functionName: 'setPoolImpl', args: [implementation] })
  return executeViaGovernance(chain, kit.governance, [{ target: kit.addressesProvider, data }])
}
