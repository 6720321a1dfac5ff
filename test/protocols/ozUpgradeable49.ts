import { encodeFunctionData, getAddress, maxUint256, parseAbi, parseUnits, sliceHex, type Abi, type Address, type Hex, type LocalAccount } from 'viem'
import { createDevClient } from '../../src/chain/clients.js'
import { deployContract } from '../../src/chain/deployContract.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { kitArtifact, type KitBuild } from './compileKit.js'
import { deployKitGovernance, kitAccountIndices, sendKitCall, type KitChain, type KitGovernance } from './kitGovernance.js'
import { erc20Abi } from './uniswapV2.js'

/**
 * An OpenZeppelin Contracts 4.9 upgradeable system (OZ 4.9.6 proxies and contracts-upgradeable 4.9.6,
 * solc 0.8.19) under a Safe → timelock, as `deployOz49System` returns it. Upgrades are the 4.x calls:
 * `vault.upgradeTo(impl)` (UUPS, owner = timelock), `proxyAdmin.upgrade(proxy, impl)` (Transparent,
 * ProxyAdmin owned by the timelock), `beacon.upgradeTo(impl)` (Beacon, owned by the timelock).
 */
export type Oz49System = {
  chainId: number
  fromBlock: number
  blockNumber: number
  deployer: Address
  /** May call `vault.pause()`. */
  guardian: Address
  governance: KitGovernance
  /** The vault's asset: a KitToken (MINTER_ROLE: the deployer) unless one was given. */
  asset: Address
  /** OzVault behind an OZ 4.9 ERC1967Proxy (UUPS); ERC-7201 namespace `bulwark.kit.OzVault` for balances. */
  vault: { proxy: Address; implementation: Address }
  /** OzPriceOracle behind an OZ 4.9 TransparentUpgradeableProxy administered by `proxyAdmin`. */
  oracle: { proxy: Address; implementation: Address; proxyAdmin: Address }
  /** OzTreasury behind two OZ 4.9 BeaconProxies of one UpgradeableBeacon. */
  treasury: { beacon: Address; implementation: Address; proxies: Address[] }
  /** Storage-compatible V2 implementations (only `version()` returns "2"), deployed and ready for an upgrade. */
  v2Implementations: { vault: Address; oracle: Address; treasury: Address }
  abis: { vault: Abi; oracle: Abi; treasury: Abi; proxyAdmin: Abi; beacon: Abi }
}

export type DeployOz49SystemParameters = {
  builds: { kitContracts: KitBuild; governance: KitBuild }
  governance?: KitGovernance | undefined
  /** May pause the vault (default dev account 4). */
  guardian?: Address | undefined
  /** The vault's asset (default a new KitToken "OZ Kit USD", 18 decimals). */
  asset?: Address | undefined
  deployer?: LocalAccount | undefined
}

/** The OZ 4.x upgrade entry points (4.9 has no `upgradeAndCall(…, 0x)` that tolerates empty data). */
export const oz49UpgradeAbi = parseAbi([
  'function upgradeTo(address newImplementation)',
  'function upgradeToAndCall(address newImplementation, bytes data) payable',
  'function upgrade(address proxy, address implementation)',
  'function upgradeAndCall(address proxy, address implementation, bytes data) payable',
  'function getProxyImplementation(address proxy) view returns (address)',
  'function getProxyAdmin(address proxy) view returns (address)',
  'function implementation() view returns (address)',
  'function owner() view returns (address)',
  'function version() view returns (string)',
])

// bytes32(uint256(keccak256('eip1967.proxy.implementation')) - 1)
export const erc1967ImplementationSlot: Hex = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc'

/** Deploys the UUPS vault, the Transparent oracle (with its 4.9 ProxyAdmin) and the Beacon treasury, all owned by the timelock. */
export async function deployOz49System(chain: KitChain, parameters: DeployOz49SystemParameters): Promise<Oz49System> {
  const { kitContracts } = parameters.builds
  const deployer = parameters.deployer ?? devAccount(kitAccountIndices.deployer)
  const client = createDevClient({ ...chain, account: deployer })
  const guardian = getAddress(parameters.guardian ?? devAccount(kitAccountIndices.guardian).address)
  const governance = parameters.governance ?? (await deployKitGovernance(chain, { governanceBuild: parameters.builds.governance, deployer }))
  const { timelock } = governance
  const fromBlock = Number(await client.getBlockNumber({ cacheTime: 0 }))
  const artifact = (name: string) => kitArtifact(kitContracts, name)
  const deploy = async (name: string, args: readonly unknown[] = []) => {
    const { abi, bytecode } = artifact(name)
    return (await deployContract(client, { name, abi, bytecode, args })).address
  }
  const encode = (name: string, functionName: string, args: readonly unknown[]) =>
    encodeFunctionData({ abi: artifact(name).abi, functionName, args } as Parameters<typeof encodeFunctionData>[0])

  const asset = parameters.asset ?? (await deploy('KitToken', ['OZ Kit USD', 'OZUSD', 18, deployer.address]))

  const vaultImplementation = await deploy('OzVault')
  const vaultProxy = await deploy('ERC1967Proxy', [vaultImplementation, encode('OzVault', 'initialize', [asset, timelock, guardian])])

  const oracleImplementation = await deploy('OzPriceOracle')
  const proxyAdmin = await deploy('ProxyAdmin')
  const oracleProxy = await deploy('TransparentUpgradeableProxy', [oracleImplementation, proxyAdmin, encode('OzPriceOracle', 'initialize', [timelock])])
  await sendKitCall(client, 'ProxyAdmin ownership to the timelock', { address: proxyAdmin, abi: artifact('ProxyAdmin').abi, functionName: 'transferOwnership', args: [timelock] })

  const treasuryImplementation = await deploy('OzTreasury')
  const beacon = await deploy('UpgradeableBeacon', [treasuryImplementation])
  await sendKitCall(client, 'beacon ownership to the timelock', { address: beacon, abi: artifact('UpgradeableBeacon').abi, functionName: 'transferOwnership', args: [timelock] })
  const treasuries = [
    await deploy('BeaconProxy', [beacon, encode('OzTreasury', 'initialize', [timelock])]),
    await deploy('BeaconProxy', [beacon, encode('OzTreasury', 'initialize', [timelock])]),
  ]

  const v2Implementations = { vault: await deploy('OzVaultV2'), oracle: await deploy('OzPriceOracleV2'), treasury: await deploy('OzTreasuryV2') }
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
    abis: { vault: artifact('OzVault').abi, oracle: artifact('OzPriceOracle').abi, treasury: artifact('OzTreasury').abi, proxyAdmin: artifact('ProxyAdmin').abi, beacon: artifact('UpgradeableBeacon').abi },
  }
}

/** The implementation an ERC-1967 proxy points at (read from its storage slot). */
export async function getErc1967Implementation(client: { getStorageAt: (args: { address: Address; slot: Hex }) => Promise<Hex | undefined> }, proxy: Address): Promise<Address> {
  const word = await client.getStorageAt({ address: proxy, slot: erc1967ImplementationSlot })
  return getAddress(sliceHex(word ?? `0x${'00'.repeat(32)}`, 12, 32))
}

export type SeedOz49SystemParameters = {
  /** Depositors (default dev accounts 5–8). */
  actors?: readonly LocalAccount[] | undefined
  /** The asset's minter (default dev account 0); null when the asset cannot be minted and actors hold it already. */
  minter?: LocalAccount | null | undefined
}

/** Mints each actor 10,000 of the asset, deposits 5,000 into the vault, and funds each treasury with 50,000 (whole tokens). */
export async function seedOz49System(chain: KitChain, system: Oz49System, parameters: SeedOz49SystemParameters = {}): Promise<void> {
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
