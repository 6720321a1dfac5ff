import { getAddress, maxUint256, parseAbi, type Abi, type Address, type LocalAccount } from 'viem'
import { createDevClient, createReadClient } from '../../src/chain/clients.js'
import { deployContract } from '../../src/chain/deployContract.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { DeployError } from '../../src/chain/errors.js'
import { kitArtifact, type KitBuild } from './compileKit.js'
import { kitAccountIndices, sendKitCall, type KitChain } from './kitGovernance.js'

/** Uniswap V2 core as deployed by `deployUniswapV2`. */
export type UniswapV2Kit = {
  /** UniswapV2Factory from @uniswap/v2-core 1.0.1 (solc 0.5.16). */
  factory: Address
  /** The factory's feeToSetter (the timelock when governance is given, else the deployer). */
  feeToSetter: Address
  /** Our UniswapV2Swapper: one-transaction exact-input swaps against a pair (approve it once). */
  swapper: Address
  abis: { factory: Abi; pair: Abi; swapper: Abi; erc20: Abi }
}

/** The ERC-20 functions the kits call (every kit token, Aave's and Uniswap's included, has them). */
export const erc20Abi = parseAbi([
  'function balanceOf(address) view returns (uint256)',
  'function transfer(address to, uint256 amount) returns (bool)',
  'function approve(address spender, uint256 amount) returns (bool)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function totalSupply() view returns (uint256)',
  'function decimals() view returns (uint8)',
  'function symbol() view returns (string)',
])

/** The Uniswap V2 pair functions the kits use. */
export const uniswapV2PairAbi = parseAbi([
  'function getReserves() view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast)',
  'function token0() view returns (address)',
  'function token1() view returns (address)',
  'function mint(address to) returns (uint256 liquidity)',
  'function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes data)',
  'function sync()',
  'event Sync(uint112 reserve0, uint112 reserve1)',
  'event Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out, uint256 amount1Out, address indexed to)',
])

export type DeployUniswapV2Parameters = {
  /** `compileUniswapV2()` */
  uniswapBuild: KitBuild
  /** `compileKitContracts()` (for the swapper) */
  kitBuild: KitBuild
  /** Receives the factory's feeToSetter role (default the deployer). */
  feeToSetter?: Address | undefined
  deployer?: LocalAccount | undefined
}

/** Deploys the Uniswap V2 factory and the kit's swapper. Pairs come from `createUniswapV2Pair`. */
export async function deployUniswapV2(chain: KitChain, parameters: DeployUniswapV2Parameters): Promise<UniswapV2Kit> {
  const deployer = parameters.deployer ?? devAccount(kitAccountIndices.deployer)
  const client = createDevClient({ ...chain, account: deployer })
  const feeToSetter = parameters.feeToSetter ?? deployer.address
  const factoryArtifact = kitArtifact(parameters.uniswapBuild, 'UniswapV2Factory')
  const swapperArtifact = kitArtifact(parameters.kitBuild, 'UniswapV2Swapper')
  const factory = (await deployContract(client, { name: 'UniswapV2Factory', abi: factoryArtifact.abi, bytecode: factoryArtifact.bytecode, args: [feeToSetter] })).address
  const swapper = (await deployContract(client, { name: 'UniswapV2Swapper', abi: swapperArtifact.abi, bytecode: swapperArtifact.bytecode })).address
  return {
    factory,
    feeToSetter,
    swapper,
    abis: { factory: factoryArtifact.abi, pair: kitArtifact(parameters.uniswapBuild, 'UniswapV2Pair').abi, swapper: swapperArtifact.abi, erc20: erc20Abi },
  }
}

export type CreateUniswapV2PairParameters = {
  factory: Address
  tokenA: Address
  tokenB: Address
  /** Initial liquidity, transferred from `provider` (who receives the LP tokens). */
  amountA: bigint
  amountB: bigint
  provider: LocalAccount
}

/** Creates the pair of two tokens through the factory and adds its first liquidity (transfer both, then `mint`). */
export async function createUniswapV2Pair(chain: KitChain, { factory, tokenA, tokenB, amountA, amountB, provider }: CreateUniswapV2PairParameters): Promise<Address> {
  const client = createDevClient({ ...chain, account: provider })
  const factoryAbi = parseAbi(['function createPair(address, address) returns (address)', 'function getPair(address, address) view returns (address)'])
  await sendKitCall(client, 'UniswapV2Factory.createPair', { address: factory, abi: factoryAbi, functionName: 'createPair', args: [tokenA, tokenB] })
  const pair = getAddress(await client.readContract({ address: factory, abi: factoryAbi, functionName: 'getPair', args: [tokenA, tokenB] }))
  await sendKitCall(client, 'transfer token A to the pair', { address: tokenA, abi: erc20Abi, functionName: 'transfer', args: [pair, amountA] })
  await sendKitCall(client, 'transfer token B to the pair', { address: tokenB, abi: erc20Abi, functionName: 'transfer', args: [pair, amountB] })
  await sendKitCall(client, 'UniswapV2Pair.mint', { address: pair, abi: uniswapV2PairAbi, functionName: 'mint', args: [provider.address] })
  return pair
}

export type SwapOnUniswapV2Parameters = {
  swapper: Address
  pair: Address
  tokenIn: Address
  amountIn: bigint
  account: LocalAccount
  /** Revert below this output (default 0). */
  minAmountOut?: bigint | undefined
  /** Receives the output (default `account`). */
  to?: Address | undefined
}

/** Swaps `amountIn` of `tokenIn` on `pair` through the swapper (approving it first if needed); returns the output amount. */
export async function swapOnUniswapV2(chain: KitChain, { swapper, pair, tokenIn, amountIn, account, minAmountOut = 0n, to }: SwapOnUniswapV2Parameters): Promise<bigint> {
  const client = createDevClient({ ...chain, account })
  const swapperAbi = parseAbi([
    'function swapExactIn(address pair, address tokenIn, uint256 amountIn, uint256 minAmountOut, address to) returns (uint256)',
    'function quote(address pair, address tokenIn, uint256 amountIn) view returns (uint256)',
  ])
  const allowance = await client.readContract({ address: tokenIn, abi: erc20Abi, functionName: 'allowance', args: [account.address, swapper] })
  if (allowance < amountIn) await sendKitCall(client, 'approve the swapper', { address: tokenIn, abi: erc20Abi, functionName: 'approve', args: [swapper, maxUint256] })
  const amountOut = await client.readContract({ address: swapper, abi: swapperAbi, functionName: 'quote', args: [pair, tokenIn, amountIn] })
  if (amountOut < minAmountOut) throw new DeployError({ contract: 'swap', reason: `output ${amountOut} is below ${minAmountOut}` })
  await sendKitCall(client, 'UniswapV2Swapper.swapExactIn', { address: swapper, abi: swapperAbi, functionName: 'swapExactIn', args: [pair, tokenIn, amountIn, minAmountOut, to ?? account.address] })
  return amountOut
}

/** The pair's reserves ordered as (`token`, the other token). */
export async function getUniswapV2Reserves(chain: KitChain, { pair, token }: { pair: Address; token: Address }): Promise<{ reserveToken: bigint; reserveOther: bigint }> {
  const reader = createReadClient({ rpcUrl: chain.rpcUrl })
  const [[reserve0, reserve1], token0] = await Promise.all([
    reader.readContract({ address: pair, abi: uniswapV2PairAbi, functionName: 'getReserves' }),
    reader.readContract({ address: pair, abi: uniswapV2PairAbi, functionName: 'token0' }),
  ])
  return getAddress(token0) === getAddress(token) ? { reserveToken: reserve0, reserveOther: reserve1 } : { reserveToken: reserve1, reserveOther: reserve0 }
}
