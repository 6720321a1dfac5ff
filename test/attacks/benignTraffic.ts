import { encodeFunctionData, keccak256, maxUint256, parseAbi, parseEther, parseUnits, toHex, type Abi, type Hash, type LocalAccount, type PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { createReadClient } from '../../src/chain/clients.js'
import { deployContract } from '../../src/chain/deployContract.js'
import { createDevClient } from '../../src/chain/clients.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { sendBulk, type BulkCall } from '../../src/monitor/sources/sendBulk.js'
import { aavePoolAbi } from '../protocols/aaveV3.js'
import { balancerVaultAbi, userBalanceOpKind } from '../protocols/balancerV2.js'
import { kitArtifact } from '../protocols/compileKit.js'
import { executeViaGovernance, kitAccountIndices } from '../protocols/kitGovernance.js'
import { erc20Abi } from '../protocols/uniswapV2.js'
import type { RealMarket } from './realMarket.js'

/** A small seeded PRNG (mulberry32): the same seed gives the same traffic. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Trader = {
  account: LocalAccount
  /** What the generator believes (conservative): supplied and borrowed amounts in base units. */
  suppliedUsdx: bigint
  suppliedWvol: bigint
  debtUsdx: bigint
  internalUsdx: bigint
}

/** Kinds of benign transactions, counted per run. */
export const benignKinds = [
  'supply',
  'withdraw',
  'borrow',
  'repay',
  'liquidation',
  'swap-pair',
  'balancer-deposit',
  'balancer-withdraw',
  'flash-loan-aave',
  'flash-loan-balancer',
  'mint',
  'transfer',
  'admin',
] as const
export type BenignKind = (typeof benignKinds)[number]

export type BenignTraffic = {
  /** Sends `count` more benign transactions (mined `perBlock` to a block, automine off) and returns their hashes. */
  send(count: number): Promise<Hash[]>
  /** Admin work through the release path: a timelock batch the Safe schedules and executes (automine on meanwhile). */
  adminWork(): Promise<Hash[]>
  counts: Record<BenignKind, number>
}

const swapperAbi = parseAbi(['function swapExactIn(address pair, address tokenIn, uint256 amountIn, uint256 minAmountOut, address to) returns (uint256)'])
const flashAbi = parseAbi(['function borrowFromAave(address pool, address asset, uint256 amount)', 'function borrowFromBalancer(address vault, address token, uint256 amount)'])
const mintAbi = parseAbi(['function mint(address to, uint256 amount)'])
const configuratorAbi = parseAbi(['function setReserveFactor(address asset, uint256 newReserveFactor)', 'function setSupplyCap(address asset, uint256 newSupplyCap)', 'function setBorrowCap(address asset, uint256 newBorrowCap)'])
const oracleAbi = parseAbi(['function setAssetSources(address[] assets, address[] sources)'])
const call = (abi: Abi, functionName: string, args: readonly unknown[]) => encodeFunctionData({ abi, functionName, args } as Parameters<typeof encodeFunctionData>[0])

/**
 * Realistic mixed traffic on the market, from a seeded PRNG: supplies, withdrawals, borrows and
 * repayments on Aave, swaps on the WVOL/USDX pair (with a slow honest drift of the price, one way then
 * back, never a jump within a block), liquidations of positions the drift made unhealthy, Balancer
 * internal-balance deposits and withdrawals, honest flash loans (Aave and Balancer, repaid), mints by
 * the tokens' minter at their usual sizes, token transfers, and admin work through the Safe → timelock.
 */
export async function createBenignTraffic(market: RealMarket, options: { seed: number; traders?: number; perBlock?: number }): Promise<BenignTraffic> {
  const random = createRandom(options.seed)
  const perBlock = options.perBlock ?? 200
  const reader = createReadClient({ rpcUrl: market.anvil.rpcUrl, timeoutMs: 120_000 }) as unknown as PublicClient
  const { aave, balancer } = market
  const { usdx, wvol } = aave.reserves
  const minter = devAccount(kitAccountIndices.deployer)
  const nonces = new Map<string, number>()
  const counts = Object.fromEntries(benignKinds.map((kind) => [kind, 0])) as Record<BenignKind, number>
  const usd = (amount: number) => parseUnits(amount.toFixed(6), 6)
  const vol = (amount: number) => parseUnits(amount.toFixed(6), 18)
  const between = (low: number, high: number) => low + (high - low) * random()
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!

  const traders: Trader[] = Array.from({ length: options.traders ?? 60 }, (_, i) => ({
    account: privateKeyToAccount(keccak256(toHex(`bulwark benign trader ${options.seed} ${i}`))),
    suppliedUsdx: 0n,
    suppliedWvol: 0n,
    debtUsdx: 0n,
    internalUsdx: 0n,
  }))
  // borrowers whose health factor (≈1.07 at $2,000) a honest fall of the price under ~$1,870 ends: liquidation targets
  const risky = traders.slice(0, 4)
  const liquidator = traders[traders.length - 1]!

  await Promise.all(traders.map((t) => reader.request({ method: 'anvil_setBalance', params: [t.account.address, toHex(parseEther('1000'))] } as never)))
  const setup: BulkCall[] = []
  for (const t of traders) {
    setup.push({ from: minter, to: usdx.asset, data: call(mintAbi, 'mint', [t.account.address, usd(400_000)]), gas: 120_000n })
    setup.push({ from: minter, to: wvol.asset, data: call(mintAbi, 'mint', [t.account.address, vol(200)]), gas: 120_000n })
    for (const token of [usdx.asset, wvol.asset]) {
      for (const spender of [aave.pool, aave.uniswap.swapper, balancer.vault]) setup.push({ from: t.account, to: token, data: call(erc20Abi, 'approve', [spender, maxUint256]), gas: 80_000n })
    }
  }
  // every trader opens a position: collateral, and a modest loan
  for (const t of traders) {
    const supplyUsdx = usd(Math.round(between(20_000, 80_000)))
    const supplyWvol = risky.includes(t) ? vol(10) : vol(Math.round(between(5, 40)))
    setup.push({ from: t.account, to: aave.pool, data: call(aavePoolAbi, 'supply', [usdx.asset, supplyUsdx, t.account.address, 0]), gas: 350_000n })
    setup.push({ from: t.account, to: aave.pool, data: call(aavePoolAbi, 'supply', [wvol.asset, supplyWvol, t.account.address, 0]), gas: 350_000n })
    t.suppliedUsdx += supplyUsdx
    t.suppliedWvol += supplyWvol
  }
  await sendBulk(reader, { chainId: market.anvil.chainId, calls: setup, perBlock, nonces })
  // the risky ones: WVOL is their only collateral (USDX not used as collateral), borrowed near the 75% LTV
  const riskyCalls: BulkCall[] = []
  for (const t of risky) {
    riskyCalls.push({ from: t.account, to: aave.pool, data: call(parseAbi(['function setUserUseReserveAsCollateral(address asset, bool useAsCollateral)']), 'setUserUseReserveAsCollateral', [usdx.asset, false]), gas: 300_000n })
    riskyCalls.push({ from: t.account, to: aave.pool, data: call(aavePoolAbi, 'borrow', [usdx.asset, usd(14_800), 2n, 0, t.account.address]), gas: 500_000n })
    t.debtUsdx += usd(14_800)
  }
  await sendBulk(reader, { chainId: market.anvil.chainId, calls: riskyCalls, perBlock, nonces })

  // the price drifts slowly: a bias on the direction of pair swaps, down for the first phase, then back up
  let drift = -1
  const liquidated = new Set<string>()

  async function liquidations(): Promise<BulkCall[]> {
    const calls: BulkCall[] = []
    for (const t of risky) {
      if (liquidated.has(t.account.address)) continue
      const data = await reader.readContract({ address: aave.pool, abi: aavePoolAbi, functionName: 'getUserAccountData', args: [t.account.address] })
      if (data[5] >= 10n ** 18n) continue
      liquidated.add(t.account.address)
      calls.push({ from: liquidator.account, to: aave.pool, data: call(aavePoolAbi, 'liquidationCall', [wvol.asset, usdx.asset, t.account.address, usd(7_000), false]), gas: 900_000n })
      counts.liquidation++
    }
    return calls
  }

  function one(): BulkCall {
    const roll = random()
    const t = pick(traders.slice(risky.length, -1))
    const from = t.account
    if (roll < 0.16) {
      counts.supply++
      const amount = usd(Math.round(between(500, 15_000)))
      t.suppliedUsdx += amount
      return { from, to: aave.pool, data: call(aavePoolAbi, 'supply', [usdx.asset, amount, from.address, 0]), gas: 350_000n }
    }
    if (roll < 0.24) {
      const amount = usd(Math.round(between(200, 5_000)))
      // keep the loan small against what is supplied: withdraw only from a large surplus
      if (t.suppliedUsdx > amount * 4n + t.debtUsdx * 3n) {
        counts.withdraw++
        t.suppliedUsdx -= amount
        return { from, to: aave.pool, data: call(aavePoolAbi, 'withdraw', [usdx.asset, amount, from.address]), gas: 400_000n }
      }
    }
    if (roll < 0.34) {
      const amount = usd(Math.round(between(200, 6_000)))
      if (t.debtUsdx + amount < t.suppliedUsdx / 4n) {
        counts.borrow++
        t.debtUsdx += amount
        return { from, to: aave.pool, data: call(aavePoolAbi, 'borrow', [usdx.asset, amount, 2n, 0, from.address]), gas: 500_000n }
      }
    }
    if (roll < 0.42 && t.debtUsdx > usd(300)) {
      counts.repay++
      const amount = (t.debtUsdx * BigInt(Math.round(between(20, 90)))) / 100n
      t.debtUsdx -= amount
      return { from, to: aave.pool, data: call(aavePoolAbi, 'repay', [usdx.asset, amount, 2n, from.address]), gas: 400_000n }
    }
    if (roll < 0.7) {
      counts['swap-pair']++
      // down-drift: more WVOL sold than bought; sizes well under a per-block 10% move
      const sellWvol = random() < 0.5 - drift * 0.03
      return sellWvol
        ? { from, to: aave.uniswap.swapper, data: call(swapperAbi, 'swapExactIn', [aave.pairs.wvolUsdx, wvol.asset, vol(between(0.05, 1.5)), 0n, from.address]), gas: 200_000n }
        : { from, to: aave.uniswap.swapper, data: call(swapperAbi, 'swapExactIn', [aave.pairs.wvolUsdx, usdx.asset, usd(Math.round(between(100, 3_000))), 0n, from.address]), gas: 200_000n }
    }
    if (roll < 0.77) {
      counts['balancer-deposit']++
      const amount = usd(Math.round(between(100, 5_000)))
      t.internalUsdx += amount
      return { from, to: balancer.vault, data: call(balancerVaultAbi, 'manageUserBalance', [[{ kind: userBalanceOpKind.depositInternal, asset: usdx.asset, amount, sender: from.address, recipient: from.address }]]), gas: 200_000n }
    }
    if (roll < 0.82 && t.internalUsdx > usd(100)) {
      counts['balancer-withdraw']++
      const amount = t.internalUsdx / 2n
      t.internalUsdx -= amount
      return { from, to: balancer.vault, data: call(balancerVaultAbi, 'manageUserBalance', [[{ kind: userBalanceOpKind.withdrawInternal, asset: usdx.asset, amount, sender: from.address, recipient: from.address }]]), gas: 200_000n }
    }
    if (roll < 0.86) {
      counts['flash-loan-aave']++
      return { from, to: aave.flashLoanUser, data: call(flashAbi, 'borrowFromAave', [aave.pool, usdx.asset, usd(Math.round(between(1_000, 20_000)))]), gas: 500_000n }
    }
    if (roll < 0.89) {
      counts['flash-loan-balancer']++
      return { from, to: balancer.flashLoanUser, data: call(flashAbi, 'borrowFromBalancer', [balancer.vault, usdx.asset, usd(Math.round(between(1_000, 50_000)))]), gas: 300_000n }
    }
    if (roll < 0.92) {
      counts.mint++
      const stable = random() < 0.5
      return { from: minter, to: stable ? usdx.asset : wvol.asset, data: call(mintAbi, 'mint', [from.address, stable ? usd(Math.round(between(1_000, 20_000))) : vol(between(1, 50))]), gas: 120_000n }
    }
    counts.transfer++
    const to = pick(traders).account.address
    const stable = random() < 0.5
    return { from, to: stable ? usdx.asset : wvol.asset, data: call(erc20Abi, 'transfer', [to, stable ? usd(between(1, 500)) : vol(between(0.001, 0.5))]), gas: 80_000n }
  }

  return {
    counts,
    async send(count) {
      const hashes: Hash[] = []
      // in slices of 20 blocks: liquidations are decided on the state the previous slice left
      const slice = perBlock * 20
      for (let done = 0; done < count; ) {
        const calls: BulkCall[] = await liquidations()
        while (calls.length < Math.min(slice, count - done)) calls.push(one())
        hashes.push(...(await sendBulk(reader, { chainId: market.anvil.chainId, calls, perBlock, nonces })))
        done += calls.length
        // down until every risky position was liquidated, then back up; later between $1,850 and $2,050
        const [r0, r1] = await reader.readContract({ address: aave.pairs.wvolUsdx, abi: parseAbi(['function getReserves() view returns (uint112, uint112, uint32)']), functionName: 'getReserves' })
        const wvolIs0 = BigInt(wvol.asset) < BigInt(usdx.asset)
        const price = wvolIs0 ? (Number(r1) / 1e6) / (Number(r0) / 1e18) : (Number(r0) / 1e6) / (Number(r1) / 1e18)
        if (drift < 0 && ((liquidated.size === risky.length && price < 1850) || price < 1700)) drift = 1
        else if (drift > 0 && price > 2050) drift = -1
      }
      return hashes
    },
    async adminWork() {
      counts.admin++
      await reader.request({ method: 'evm_setAutomine', params: [true] } as never)
      try {
        // a feed migration (same $1 price, a new aggregator), a reserve factor and caps: ordinary risk-steward work
        const deployer = createDevClient({ ...market.chain, account: minter })
        const artifact = kitArtifact(market.builds.aaveV3, '@aave/core-v3/contracts/mocks/oracle/CLAggregators/MockAggregator.sol:MockAggregator')
        const feed = await deployContract(deployer, { name: 'MockAggregator', abi: artifact.abi, bytecode: artifact.bytecode, args: [10n ** 8n] })
        nonces.delete(minter.address.toLowerCase())
        const result = await executeViaGovernance(market.chain, aave.governance, [
          { target: aave.oracle, data: call(oracleAbi, 'setAssetSources', [[usdx.asset], [feed.address]]) },
          { target: aave.poolConfigurator, data: call(configuratorAbi, 'setReserveFactor', [usdx.asset, BigInt(1000 + Math.round(random() * 500))]) },
          { target: aave.poolConfigurator, data: call(configuratorAbi, 'setSupplyCap', [wvol.asset, BigInt(1_000_000_000 + Math.round(random() * 1000))]) },
        ])
        return [feed.transactionHash, result.scheduleTransactionHash, result.executeTransactionHash]
      } finally {
        await reader.request({ method: 'evm_setAutomine', params: [false] } as never)
      }
    },
  }

}
