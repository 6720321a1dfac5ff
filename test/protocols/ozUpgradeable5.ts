import { encodeFunctionData, getAddress, maxUint256, parseAbi, parseUnits, sliceHex, type Abi, type Address, type Hex, type LocalAccount } from 'viem'
import { createDevClient } from '../../src/chain/clients.js'
import { deployContract } from '../../src/chain/deployContract.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { kitArtifact, type KitBuild } from './compileKit.js'
import { deployKitGovernance, kitAccountIndices, sendKitCall, type KitChain, type KitGovernance } from './kitGovernance.js'
import { erc20Abi } from './uniswapV2.js'

/**
 * An OpenZeppelin Contracts 5.4 upgradeable system (solc 0.8.24, not the bundled release) under a
 * Safe → timelock, as `deployOz5System` returns it. Upgrades are the 5.x calls:
 * `vault.upgradeToAndCall(impl, data)` (UUPS, owner = timelock), `proxyAdmin.upgradeAndCall(proxy, impl, data)`
 * (Transparent; the proxy created its ProxyAdmin, owned by the timelock), `beacon.upgradeTo(impl)`.
 */
export type Oz5System = {
  chainId: number
  fromBlock: number
  blockNumber: number
  deployer: Address
  /** May call `vault.pause()`. */
  guardian: Address
  governance: KitGovernance
  /** The vault's asset (a KitToken of the kit-contracts build unless one was given). */
  asset: Address
  /** OzVault5 behind an OZ 5.4 ERC1967Proxy (UUPS); ERC-7201 namespace `bulwark.kit.OzVault5` for balances. */
  vault: { proxy: Address; implementation: Address }
  /** OzPriceOracle5 behind an OZ 5.4 TransparentUpgradeableProxy; `proxyAdmin` is the one the proxy created. */
  oracle: { proxy: Address; implementation: Address; proxyAdmin: Address }
  /** OzTreasury5 behind two OZ 5.4 BeaconProxies of one UpgradeableBeacon. */
  treasury: { beacon: Address; implementation: Address; proxies: Address[] }
  /** Storage-compatible V2 implementations (only `version()` returns "2"). */
  v2Implementations: { vault: Address; oracle: Address; treasury: Address }
  abis: { vault: Abi; oracle: Abi; treasury: Abi; proxyAdmin: Abi; beacon: Abi }
}

export type DeployOz5SystemParameters = {
  /** `compileOz5System()`, `compileGovernance()`, and `compileKitContracts()` (for the default asset). */
  builds: { oz5: KitBuild; kitContracts: KitBuild; governance: KitBuild }
  governance?: KitGovernance | undefined
  /** May pause the vault (default dev account 4). */
  guardian?: Address | undefined
  /** The vault's asset (default a new KitToken "OZ5 Kit USD", 18 decimals, minter the deployer). */
  asset?: Address | undefined
  deployer?: LocalAccount | undefined
}

/** The OZ 5.x upgrade entry points. */
export const oz5UpgradeAbi = parseAbi([
  'function upgradeToAndCall(address newImplementation, bytes data) payable',
  'function upgradeAndCall(address proxy, address implementation, bytes data) payable',
  'function upgradeTo(address newImplementation)',
  'function UPGRADE_INTERFACE_VERSION() view returns (string)',
  'function implementation() view returns (address)',
  'function owner() view returns (address)',
  'function version() view returns (string)',
])

// bytes32(uint256(keccak256('eip1967.proxy.admin')) - 1)
const erc1967AdminSlot: Hex = '0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103'

/** Deploys the UUPS vault, the Transparent oracle and the Beacon treasury on OpenZeppelin 5.4, all owned by the timelock. */
export async function deployOz5System(chain: KitChain, parameters: DeployOz5SystemParameters): Promise<Oz5System> {
  const { oz5, kitContracts } = parameters.builds
  const deployer = parameters.deployer ?? devAccount(kitAccountIndices.deployer)
  const client = createDevClient({ ...chain, account: deployer })
  const guardian = getAddress(parameters.guardian ?? devAccount(kitAccountIndices.guardian).address)
  const governance = parameters.governance ?? (await deployKitGovernance(chain, { governanceBuild: parameters.builds.governance, deployer }))
  const { timelock } = governance
  const fromBlock = Number(await client.getBlockNumber({ cacheTime: 0 }))
  const artifact = (name: string) => kitArtifact(oz5, name)
  const deploy = async (name: string, args: readonly unknown[] = [], build: KitBuild = oz5) => {
    const { abi, bytecode } = kitArtifact(build, name)
    return (await deployContract(client, { name, abi, bytecode, args })).address
  }
  const encode = (name: string, functionName: string, args: readonly unknown[]) =>
    encodeFunctionData({ abi: artifact(name).abi, functionName, args } as Parameters<typeof encodeFunctionData>[0])

  const asset = parameters.asset ?? (await deploy('KitToken', ['OZ5 Kit USD', 'OZ5USD', 18, deployer.address], kitContracts))

  const vaultImplementation = await deploy('OzVault5')
  const vaultProxy = await deploy('ERC1967Proxy', [vaultImplementation, encode('OzVault5', 'initialize', [asset, timelock, guardian])])

  const oracleImplementation = await deploy('OzPriceOracle5')
  // 5.x: the proxy deploys its own ProxyAdmin, owned by the given initial owner.
  const oracleProxy = await deploy('TransparentUpgradeableProxy', [oracleImplementation, timelock, encode('OzPriceOracle5', 'initialize', [timelock])])
  const adminWord = await client.getStorageAt({ address: oracleProxy, slot: erc1967AdminSlot })
  const proxyAdmin = getAddress(sliceHex(adminWord ?? `0x${'00'.repeat(32)}`, 12, 32))

  const treasuryImplementation = await deploy('OzTreasury5')
  const beacon = await deploy('UpgradeableBeacon', [treasuryImplementation, timelock])
  const treasuries = [
    await deploy('BeaconProxy', [beacon, encode('OzTreasury5', 'initialize', [timelock])]),
    await deploy('BeaconProxy', [beacon, encode('OzTreasury5', 'initialize', [timelock])]),
  ]

  const v2Implementations = { vault: await deploy('OzVault5V2'), oracle: await deploy('OzPriceOracle5V2'), treasury: await deploy('OzTreasury5V2') }
  const blockNumber = Number(await client.getBlockNumber({ cacheTime: 0 }))
  return {
    chainId: chain.chainId,
    fromBlock,
    blockNumber,
    deployer: deployer.address,
    guardian,
    governance,
    asset,
    vault: { proxy: vaultProxy, implementation: vaultImplementation },
    oracle: { proxy: oracleProxy, implementation: oracleImplementation, proxyAdmin },
    treasury: { beacon, implementation: treasuryImplementation, proxies: treasuries },
    v2Implementations,
    abis: { vault: artifact('OzVault5').abi, oracle: artifact('OzPriceOracle5').abi, treasury: artifact('OzTreasury5').abi, proxyAdmin: artifact('ProxyAdmin').abi, beacon: artifact('UpgradeableBeacon').abi },
  }
}

/** Mints each actor 10,000 of the asset, deposits 5,000 into the vault, and funds each treasury with 50,000 (whole tokens). */
export async function seedOz5System(
  chain: KitChain,
  system: Oz5System,
  parameters: { actors?: readonly LocalAccount[] | undefined; minter?: LocalAccount | null | undefined } = {},
): Promise<void> {
  const actors = parameters.actors ?? kitAccountIndices.actors.map((index) => devAccount(index))
  const minter = parameters.minter === undefined ? devAccount(kitAccountIndices.deployer) : parameters.minter
  const mintAbi = parseAbi(['function mint(address to, uint256 amount)'])
  const minterClient = minter ? createDevClient({ ...chain, account: minter }) : undefined
  const decimals = await createDevClient({ ...chain, account: actors[0] ?? devAccount(kitAccountIndices.deployer) }).readContract({ address: system.asset, abi: erc20Abi, functionName: 'decimals' })
  const units = (whole: string) => parseUnits(whole, decimals)
  const mint = async (to: Address, amount: bigint) => {
    if (minterClient) await sendKitCall(minterClient, 'mint', { address: system.asset, abi: mintAbi, functionName: 'mint', args: [to, amount] })
  }
  for (const treasury of system.treasury.proxies) await mint(treasury, units('50000'))
  for (const account of actors) {
    await mint(account.address, units('10000'))
    const client = createDevClient({ ...chain, account })
    await sendKitCall(client, 'approve the vault', { address: system.asset, abi: erc20Abi, functionName: 'approve', args: [system.vault.proxy, maxUint256] })
    await sendKitCall(client, 'deposit', { address: system.vault.proxy, abi: system.abis.vault, functionName: 'deposit', args: [units('5000')] })
  }
}
