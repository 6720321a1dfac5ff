import { type Address, type Hex, type LocalAccount } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { createReadClient } from '../../src/chain/clients.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { deployAaveV3, seedAaveV3, type AaveV3Kit, type AaveV3Position } from './aaveV3.js'
import { deployBalancerV2, seedBalancerV2, type BalancerV2Kit } from './balancerV2.js'
import type { KitBuild } from './compileKit.js'
import { compileAllProtocols } from './compileProtocols.js'
import { deployKitGovernance, kitAccountIndices, privateKeyOf, type KitChain, type KitGovernance } from './kitGovernance.js'
import { deployOz49System, seedOz49System, type Oz49System } from './ozUpgradeable49.js'
import { deployOz5System, seedOz5System, type Oz5System } from './ozUpgradeable5.js'
import type { UniswapV2Kit } from './uniswapV2.js'

/** Every kit on one chain under one Safe → timelock, sharing tokens: what monitors and benches run against. */
export type ProtocolSuite = {
  chainId: number
  fromBlock: number
  blockNumber: number
  deployer: Address
  /** The emergency key of every kit: Aave EMERGENCY_ADMIN, Balancer setPaused, OzVault pause. */
  guardian: Address
  /** Its private key (default dev account 4's: anvil's public mnemonic, devnet only), for a responder. */
  guardianKey: Hex
  governance: KitGovernance
  uniswap: UniswapV2Kit
  aave: AaveV3Kit
  /** The vault holds Aave's USDX and WVOL: a flash loan from Balancer can fund a manipulation of the Aave market. */
  balancer: BalancerV2Kit
  /** The OZ 4.9 vault's asset is Aave's USDX. */
  oz49: Oz49System
  /** The OZ 5.4 vault's asset is Aave's USDX too. */
  oz5: Oz5System
  /** Seeded positions on Aave. */
  positions: AaveV3Position[]
  /** The accounts `seed…` funded (dev accounts 5–8) and the funded attacker (dev account 9). */
  actors: Address[]
  attacker: Address
}

export type DeployProtocolSuiteParameters = {
  /** `compileAllProtocols()` (default: compiled, or read from the cache, here). */
  builds?: { aaveV3: KitBuild; uniswapV2: KitBuild; balancerV2: KitBuild; kitContracts: KitBuild; oz5: KitBuild; governance: KitBuild } | undefined
  /** The private key of the emergency account of every kit (default dev account 4's). */
  guardianKey?: Hex | undefined
  deployer?: LocalAccount | undefined
  /** Seed users, positions and liquidity (default true). */
  seed?: boolean | undefined
  onProgress?: ((message: string) => void) | undefined
}

/**
 * Deploys governance, Uniswap V2, the Aave V3 market, the Balancer V2 vault (holding the Aave assets)
 * and the OZ 4.9 and 5.4 systems on one chain, then seeds them.
 */
export async function deployProtocolSuite(chain: KitChain, parameters: DeployProtocolSuiteParameters = {}): Promise<ProtocolSuite> {
  const progress = parameters.onProgress ?? (() => {})
  const builds = parameters.builds ?? (await compileAllProtocols({ onProgress: progress }))
  const deployer = parameters.deployer ?? devAccount(kitAccountIndices.deployer)
  const guardianKey = parameters.guardianKey ?? privateKeyOf(devAccount(kitAccountIndices.guardian))
  const guardian = privateKeyToAccount(guardianKey).address
  const startBlock = await createReadClient({ rpcUrl: chain.rpcUrl }).getBlockNumber({ cacheTime: 0 })
  const governance = await deployKitGovernance(chain, { governanceBuild: builds.governance, deployer })
  progress('Aave V3 and Uniswap V2')
  const aave = await deployAaveV3(chain, { builds, guardian, governance, deployer, onProgress: progress })
  progress('Balancer V2')
  const balancer = await deployBalancerV2(chain, { builds, guardian, governance, deployer, tokens: [aave.reserves.usdx.asset, aave.reserves.wvol.asset] })
  progress('OpenZeppelin 4.9 system')
  const oz49 = await deployOz49System(chain, { builds, guardian, governance, deployer, asset: aave.reserves.usdx.asset })
  progress('OpenZeppelin 5.4 system')
  const oz5 = await deployOz5System(chain, { builds, guardian, governance, deployer, asset: aave.reserves.usdx.asset })
  let positions: AaveV3Position[] = []
  if (parameters.seed ?? true) {
    progress('seeding')
    positions = (await seedAaveV3(chain, aave, { minter: deployer })).positions
    await seedBalancerV2(chain, balancer, { minter: deployer })
    await seedOz49System(chain, oz49, { minter: deployer })
    await seedOz5System(chain, oz5, { minter: deployer })
  }
  const blockNumber = Number(await createReadClient({ rpcUrl: chain.rpcUrl }).getBlockNumber({ cacheTime: 0 }))
  return {
    chainId: chain.chainId,
    fromBlock: Number(startBlock),
    blockNumber,
    deployer: deployer.address,
    guardian,
    guardianKey,
    governance,
    uniswap: aave.uniswap,
    aave,
    balancer,
    oz49,
    oz5,
    positions,
    actors: kitAccountIndices.actors.map((index) => devAccount(index).address),
    attacker: devAccount(kitAccountIndices.attacker).address,
  }
}
