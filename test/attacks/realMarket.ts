import { getAddress, type Address, type PublicClient } from 'viem'
import { createReadClient, createTestChainClient, type TestChainClient } from '../../src/chain/clients.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { startAnvil, type Anvil } from '../../src/chain/startAnvil.js'
import { replayHistory } from '../../src/monitor/backtest.js'
import { createDetectors, type DetectorsConfig } from '../../src/monitor/detectors/createDetectors.js'
import { parsePolicy, type Policy } from '../../src/monitor/policy.js'
import { startMonitor, type RunningMonitor } from '../../src/monitor/runMonitor.js'
import { readGovernance, withGovernance } from '../../src/monitor/sources/readGovernance.js'
import type { Alert, MonitorScope } from '../../src/monitor/types.js'
import { openStore, type Store } from '../../src/store/openStore.js'
import { deployAaveV3, seedAaveV3, type AaveV3Kit } from '../protocols/aaveV3.js'
import { deployBalancerV2, seedBalancerV2, type BalancerV2Kit } from '../protocols/balancerV2.js'
import { compileKit, type KitBuild } from '../protocols/compileKit.js'
import { compileAllProtocols } from '../protocols/compileProtocols.js'
import { kitAccountIndices, type KitChain } from '../protocols/kitGovernance.js'
import { erc20Abi } from '../protocols/uniswapV2.js'

/** The attacker contracts (test/attacks/contracts), with the kits' own Solidity compiler (0.8.19, runs 200). */
export async function compileAttacks(): Promise<KitBuild> {
  return compileKit({
    kit: 'attacks',
    entries: ['test/attacks/contracts/LendingMarketAttacker.sol', 'test/attacks/contracts/CallbackVault.sol'],
    solcVersion: '0.8.19',
    settings: { optimizer: true, optimizerRuns: 200 },
  })
}

/** Two real protocols on one anvil under one Safe → timelock: an Aave V3 market (WVOL priced from its Uniswap V2 pair) and a Balancer V2 vault lending the same tokens. */
export type RealMarket = {
  anvil: Anvil
  chain: KitChain
  test: TestChainClient
  aave: AaveV3Kit
  balancer: BalancerV2Kit
  builds: Awaited<ReturnType<typeof compileAllProtocols>> & { attacks: KitBuild }
}

/** Whole tokens of USDX and of WVOL each actor deposits into the Balancer vault (the flash-loan liquidity: 4 actors → 6M USDX). */
export const balancerDepositPerActor = 1_500_000

/** Deploys and seeds both protocols on a fresh anvil (high block gas limit for bulk traffic). */
export async function deployRealMarket(options: { extraArgs?: readonly string[] } = {}): Promise<RealMarket> {
  const builds = { ...(await compileAllProtocols()), attacks: await compileAttacks() }
  const anvil = await startAnvil({ extraArgs: ['--gas-limit', '1000000000', ...(options.extraArgs ?? [])], accounts: 10 })
  try {
    const chain = { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId }
    const aave = await deployAaveV3(chain, { builds })
    await seedAaveV3(chain, aave)
    const balancer = await deployBalancerV2(chain, { builds, governance: aave.governance, tokens: [aave.reserves.usdx.asset, aave.reserves.wvol.asset] })
    await seedBalancerV2(chain, balancer, { amount: balancerDepositPerActor })
    return { anvil, chain, test: createTestChainClient(chain), aave, balancer, builds }
  } catch (error) {
    await anvil.stop()
    throw error
  }
}

/** The addresses the monitor's configuration names (JSON-serializable, for a monitor in another process). */
export type MarketAddresses = {
  pool: Address
  poolConfigurator: Address
  aclManager: Address
  addressesProvider: Address
  oracle: Address
  dataProvider: Address
  usdx: { asset: Address; aToken: Address; variableDebtToken: Address }
  wvol: { asset: Address; aToken: Address; variableDebtToken: Address }
  pair: Address
  vault: Address
  flashLoanUsers: Address[]
  safe: Address
  timelock: Address
  /** First block of the market's history (the detectors' warm-up starts here). */
  historyFromBlock: number
}

export function marketAddresses(market: RealMarket): MarketAddresses {
  const { aave, balancer } = market
  const reserve = (r: typeof aave.reserves.usdx) => ({ asset: r.asset, aToken: r.aToken, variableDebtToken: r.variableDebtToken })
  return {
    pool: aave.pool,
    poolConfigurator: aave.poolConfigurator,
    aclManager: aave.aclManager,
    addressesProvider: aave.addressesProvider,
    oracle: aave.oracle,
    dataProvider: aave.dataProvider,
    usdx: reserve(aave.reserves.usdx),
    wvol: reserve(aave.reserves.wvol),
    pair: aave.pairs.wvolUsdx,
    vault: balancer.vault,
    flashLoanUsers: [aave.flashLoanUser, balancer.flashLoanUser],
    safe: aave.governance.safe,
    timelock: aave.governance.timelock,
    historyFromBlock: aave.blockNumber + 1,
  }
}

const addressesOf = (market: RealMarket | MarketAddresses): MarketAddresses => ('anvil' in market ? marketAddresses(market) : market)

/** Every contract of both protocols the monitor watches. */
export function watchedContracts(market: RealMarket | MarketAddresses, options: { balancer?: boolean | undefined; extraContracts?: readonly Address[] | undefined } = {}): Address[] {
  const m = addressesOf(market)
  return [
    m.pool,
    m.poolConfigurator,
    m.aclManager,
    m.addressesProvider,
    m.oracle,
    m.usdx.aToken,
    m.usdx.variableDebtToken,
    m.wvol.aToken,
    m.wvol.variableDebtToken,
    m.usdx.asset,
    m.wvol.asset,
    m.pair,
    ...(options.balancer === false ? [] : [m.vault]),
    ...(options.extraContracts ?? []),
  ].map((address) => getAddress(address))
}

/**
 * The detector configuration a team would write for these protocols: WVOL's price from its pair (the
 * market's oracle source) and from the market's oracle itself; every other detector with its defaults.
 */
export function detectorsConfig(market: RealMarket | MarketAddresses): DetectorsConfig {
  const m = addressesOf(market)
  return {
    'price-deviation': {
      sources: [
        { kind: 'uniswap-v2', pool: m.pair, name: 'WVOL/USDX pair' },
        { kind: 'view', address: m.oracle, function: 'function getAssetPrice(address) view returns (uint256)', args: [m.wvol.asset], name: 'Aave oracle WVOL price' },
      ],
    },
  }
}

/**
 * The policy: at score 70 (one high finding) the protocols' own pauses, each guarded by its view —
 * Aave's PoolConfigurator.setPoolPause(true) and Balancer's Vault.setPaused(true), both from the
 * guardian key (Aave EMERGENCY_ADMIN, Balancer's setPaused action).
 */
export function pausePolicy(market: RealMarket | MarketAddresses, options: { balancer?: boolean | undefined } = {}): Policy {
  const m = addressesOf(market)
  return parsePolicy({
    rules: [
      {
        name: 'pause the protocols',
        minScore: 70,
        respond: [
          {
            kind: 'contract-call',
            name: 'Aave setPoolPause',
            calls: [
              {
                target: m.poolConfigurator,
                function: 'setPoolPause(bool)',
                args: [true],
                skipIf: { call: 'function getPaused(address) view returns (bool)', target: m.dataProvider, args: [m.usdx.asset], equals: true },
              },
            ],
          },
          ...(options.balancer === false
            ? []
            : [
                {
                  kind: 'contract-call' as const,
                  name: 'Balancer setPaused',
                  calls: [{ target: m.vault, function: 'setPaused(bool)', args: [true], skipIf: { call: 'function getPausedState() view returns (bool, uint256, uint256)', equals: true } }],
                },
              ]),
        ],
      },
    ],
  })
}

export type MonitorHandle = {
  monitor: RunningMonitor
  store: Store
  alerts: Alert[]
  scope: MonitorScope
  /** Stops the monitor (the store stays readable). */
  stop(): Promise<void>
  /** Closes the store. */
  close(): Promise<void>
}

/**
 * Starts Bulwark's monitor on the market with the guardian key, governance read from the chain. The
 * detectors first replay the market's history since its deployment (`replayHistory` warm-up, findings
 * discarded) so their baselines know the usual sizes (a minter's usual mint, a borrower's usual loan).
 */
export async function startMarketMonitor(market: RealMarket, options: MarketMonitorOptions = {}): Promise<MonitorHandle> {
  return startMonitorOn(market.chain, marketAddresses(market), options)
}

export type MarketMonitorOptions = {
  pending?: boolean | undefined
  balancer?: boolean | undefined
  /** Further contracts to watch (an integrator built on the protocols, deployed after the market). */
  extraContracts?: readonly Address[] | undefined
  detectors?: DetectorsConfig | undefined
  warmupFromBlock?: bigint | undefined
  dryRun?: boolean | undefined
  /**
   * The monitor's embedded store (default `memory://`, which runs PGlite's initdb in this process and
   * keeps its memory: ~600 MB RSS). A data dir, as `bulwark monitor` uses, is initialised in a child
   * process (~290 MB).
   */
  dataDir?: string | undefined
  /** Where the block follower starts (default: the head). */
  startBlock?: bigint | undefined
  log?: ((line: string) => void) | undefined
}

/** `startMarketMonitor` from addresses only (a monitor in another process than the one that deployed the market). */
export async function startMonitorOn(chainOf: KitChain, m: MarketAddresses, options: MarketMonitorOptions = {}): Promise<MonitorHandle> {
  const client = createReadClient({ rpcUrl: chainOf.rpcUrl, timeoutMs: 60_000 }) as unknown as PublicClient
  const contracts = watchedContracts(m, options)
  const governance = await readGovernance(client as never, { contracts, fromBlock: 0n })
  const scope = withGovernance({ contracts, releaseGates: [], authorities: [m.safe, m.timelock] }, governance)
  const chain = { id: chainOf.chainId, name: 'anvil' }
  const detectors = createDetectors(options.detectors ?? detectorsConfig(m))
  const policy = pausePolicy(m, options)
  const warmupFromBlock = options.warmupFromBlock ?? BigInt(m.historyFromBlock)
  const warmupTo = options.startBlock !== undefined ? options.startBlock - 1n : await client.getBlockNumber({ cacheTime: 0 })
  // The warm-up replays history through the detectors only: no throwaway store (an embedded PostgreSQL
  // opened for it stayed resident and doubled the monitor's RSS).
  await replayHistory({ client, chain, scope, detectors, memory: new Map(), fromBlock: warmupFromBlock, toBlock: warmupTo })
  const store = await openStore({ dataDir: options.dataDir ?? 'memory://' })
  const alerts: Alert[] = []
  const monitor = await startMonitor({
    client,
    store,
    chain,
    scope,
    detectors,
    policy,
    account: devAccount(kitAccountIndices.guardian),
    sinks: [{ name: 'memory', send: async (alert) => void alerts.push(alert) }],
    dryRun: options.dryRun,
    pendingIntervalMs: options.pending === false ? 0 : 20,
    blockIntervalMs: 100,
    startBlock: options.startBlock,
    log: options.log,
  })
  return {
    monitor,
    store,
    alerts,
    scope,
    stop: () => monitor.stop(),
    close: () => store.close(),
  }
}

/** USDX value (6 decimals) of the accounts' USDX and (unless `wvol` is false) WVOL, WVOL at the market's honest $2,000. */
export async function holdingsValue(market: RealMarket, accounts: readonly Address[], counted: { wvol: boolean } = { wvol: true }): Promise<bigint> {
  const reader = createReadClient({ rpcUrl: market.anvil.rpcUrl })
  const { usdx, wvol } = market.aave.reserves
  let value = 0n
  for (const account of accounts) {
    const [u, w] = await Promise.all([
      reader.readContract({ address: usdx.asset, abi: erc20Abi, functionName: 'balanceOf', args: [account] }),
      reader.readContract({ address: wvol.asset, abi: erc20Abi, functionName: 'balanceOf', args: [account] }),
    ])
    value += u + (counted.wvol ? (w * 2000n) / 10n ** 12n : 0n)
  }
  return value
}

/** Whether Aave's reserves are paused (PoolConfigurator.setPoolPause) and Balancer's vault is paused. */
export async function pausedState(market: RealMarket): Promise<{ aave: boolean; balancer: boolean }> {
  const reader = createReadClient({ rpcUrl: market.anvil.rpcUrl })
  const [aave, [balancer]] = await Promise.all([
    reader.readContract({ address: market.aave.dataProvider, abi: [{ type: 'function', name: 'getPaused', stateMutability: 'view', inputs: [{ type: 'address' }], outputs: [{ type: 'bool' }] }], functionName: 'getPaused', args: [market.aave.reserves.usdx.asset] }),
    reader.readContract({ address: market.balancer.vault, abi: [{ type: 'function', name: 'getPausedState', stateMutability: 'view', inputs: [], outputs: [{ type: 'bool' }, { type: 'uint256' }, { type: 'uint256' }] }], functionName: 'getPausedState' }),
  ])
  return { aave: aave as boolean, balancer: balancer as boolean }
}

/** Interval mining like a real chain (transactions wait in the pool for the next block), or back to automine. */
export async function setMining(market: RealMarket, mode: 'auto' | 'interval'): Promise<void> {
  if (mode === 'interval') {
    await market.test.setAutomine(false)
    await market.test.setIntervalMining({ interval: 1 })
  } else {
    await market.test.setIntervalMining({ interval: 0 })
    await market.test.setAutomine(true)
  }
}

/** Resolves right after a new block is mined (so what is sent next waits in the pool for the following one). */
export async function afterNextBlock(market: RealMarket): Promise<void> {
  const start = await market.test.getBlockNumber({ cacheTime: 0 })
  while ((await market.test.getBlockNumber({ cacheTime: 0 })) === start) await new Promise((resolve) => setTimeout(resolve, 15))
}
