import { getAddress, maxUint256, parseAbi, parseUnits, toFunctionSelector, type Abi, type Address, type Hex, type LocalAccount } from 'viem'
import { createDevClient } from '../../src/chain/clients.js'
import { deployContract } from '../../src/chain/deployContract.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { kitArtifact, type KitBuild } from './compileKit.js'
import { deployKitGovernance, kitAccountIndices, sendKitCall, type KitChain, type KitGovernance } from './kitGovernance.js'
import { erc20Abi } from './uniswapV2.js'

/** A Balancer V2 Vault from @balancer-labs/v2-vault 3.0.1 under a Safe → timelock, as `deployBalancerV2` returns it. */
export type BalancerV2Kit = {
  chainId: number
  fromBlock: number
  blockNumber: number
  deployer: Address
  /** Holds the vault's `setPaused(bool)` action: the protocol's own pause. */
  guardian: Address
  governance: KitGovernance
  /** The Vault (bytecode from its own sources, solc 0.7.1 runs 500). */
  vault: Address
  /** The vault's ProtocolFeesCollector (created by the vault's constructor). */
  protocolFeesCollector: Address
  /** BalancerActionAuthorizer: action ids as AccessControl roles; DEFAULT_ADMIN_ROLE: the timelock. */
  authorizer: Address
  /** `vault.getActionId(setPaused.selector)`: the role the guardian holds. */
  setPausedActionId: Hex
  weth: Address
  /** Tokens the seed deposits as internal balances (the vault's flash-loan liquidity). */
  tokens: Address[]
  /** Seconds from deployment during which the vault can be paused (Balancer's maximum, 90 days), and the buffer after it (30 days). */
  pauseWindowDuration: number
  bufferPeriodDuration: number
  /** Our FlashLoanUser: takes and repays vault flash loans honestly (`borrowFromBalancer(vault, token, amount)`). */
  flashLoanUser: Address
  abis: { vault: Abi; authorizer: Abi }
}

export type DeployBalancerV2Parameters = {
  builds: { balancerV2: KitBuild; kitContracts: KitBuild; governance: KitBuild }
  /** Granted the setPaused action (default dev account 4). */
  guardian?: Address | undefined
  governance?: KitGovernance | undefined
  /** Tokens to hold in the vault (default: two new KitTokens, BUSD 18 decimals and BVOL 18 decimals, minted to the deployer). */
  tokens?: readonly Address[] | undefined
  deployer?: LocalAccount | undefined
}

/** The vault functions the kit and its tests use, typed (the full ABI is `kit.abis.vault`). */
export const balancerVaultAbi = parseAbi([
  'function setPaused(bool paused)',
  'function getPausedState() view returns (bool paused, uint256 pauseWindowEndTime, uint256 bufferPeriodEndTime)',
  'function getActionId(bytes4 selector) view returns (bytes32)',
  'function getAuthorizer() view returns (address)',
  'function getProtocolFeesCollector() view returns (address)',
  'struct UserBalanceOp { uint8 kind; address asset; uint256 amount; address sender; address recipient; }',
  'function manageUserBalance(UserBalanceOp[] ops) payable',
  'function getInternalBalance(address user, address[] tokens) view returns (uint256[])',
  'function flashLoan(address recipient, address[] tokens, uint256[] amounts, bytes userData)',
])

/** Balancer's UserBalanceOpKind. */
export const userBalanceOpKind = { depositInternal: 0, withdrawInternal: 1, transferInternal: 2, transferExternal: 3 } as const

const pauseWindowDuration = 90 * 24 * 60 * 60
const bufferPeriodDuration = 30 * 24 * 60 * 60

/**
 * Deploys a Balancer V2 Vault with its pause window open, an authorizer whose admin is the timelock,
 * and the guardian allowed to call `setPaused`. No pools (they live in other Balancer packages):
 * the vault's own traffic is internal balances (`manageUserBalance`) and flash loans.
 */
export async function deployBalancerV2(chain: KitChain, parameters: DeployBalancerV2Parameters): Promise<BalancerV2Kit> {
  const { balancerV2, kitContracts } = parameters.builds
  const deployer = parameters.deployer ?? devAccount(kitAccountIndices.deployer)
  const client = createDevClient({ ...chain, account: deployer })
  const guardian = getAddress(parameters.guardian ?? devAccount(kitAccountIndices.guardian).address)
  const governance = parameters.governance ?? (await deployKitGovernance(chain, { governanceBuild: parameters.builds.governance, deployer }))
  const fromBlock = Number(await client.getBlockNumber({ cacheTime: 0 }))
  const vaultArtifact = kitArtifact(balancerV2, '@balancer-labs/v2-vault/contracts/Vault.sol:Vault')
  const authorizerArtifact = kitArtifact(kitContracts, 'BalancerActionAuthorizer')
  const deploy = async (name: string, artifact: { abi: Abi; bytecode: Hex }, args: readonly unknown[] = []) =>
    (await deployContract(client, { name, abi: artifact.abi, bytecode: artifact.bytecode, args })).address

  const weth = await deploy('WETH9', kitArtifact(kitContracts, 'WETH9'))
  const authorizer = await deploy('BalancerActionAuthorizer', authorizerArtifact, [deployer.address])
  const vault = await deploy('Balancer V2 Vault', vaultArtifact, [authorizer, weth, BigInt(pauseWindowDuration), BigInt(bufferPeriodDuration)])
  const setPausedActionId = await client.readContract({ address: vault, abi: balancerVaultAbi, functionName: 'getActionId', args: [toFunctionSelector('setPaused(bool)')] })
  const protocolFeesCollector = getAddress(await client.readContract({ address: vault, abi: balancerVaultAbi, functionName: 'getProtocolFeesCollector' }))
  const call = (step: string, address: Address, abi: Abi, functionName: string, args: readonly unknown[]) => sendKitCall(client, step, { address, abi, functionName, args })
  const defaultAdminRole = `0x${'00'.repeat(32)}` as Hex
  await call('grant setPaused to the guardian', authorizer, authorizerArtifact.abi, 'grantRole', [setPausedActionId, guardian])
  await call('grant setPaused to the timelock', authorizer, authorizerArtifact.abi, 'grantRole', [setPausedActionId, governance.timelock])
  await call('grant the authorizer admin to the timelock', authorizer, authorizerArtifact.abi, 'grantRole', [defaultAdminRole, governance.timelock])
  await call('renounce the authorizer admin', authorizer, authorizerArtifact.abi, 'renounceRole', [defaultAdminRole, deployer.address])

  let tokens = parameters.tokens ? [...parameters.tokens] : undefined
  if (!tokens) {
    const kitToken = kitArtifact(kitContracts, 'KitToken')
    tokens = [await deploy('BUSD', kitToken, ['Kit Balancer USD', 'BUSD', 18, deployer.address]), await deploy('BVOL', kitToken, ['Kit Balancer Volatile', 'BVOL', 18, deployer.address])]
  }
  const flashLoanUser = await deploy('FlashLoanUser', kitArtifact(kitContracts, 'FlashLoanUser'))
  const blockNumber = Number(await client.getBlockNumber({ cacheTime: 0 }))
  return {
    chainId: chain.chainId,
    fromBlock,
    blockNumber,
    deployer: deployer.address,
    guardian,
    governance,
    vault,
    protocolFeesCollector,
    authorizer,
    setPausedActionId,
    weth,
    tokens,
    pauseWindowDuration,
    bufferPeriodDuration,
    flashLoanUser,
    abis: { vault: vaultArtifact.abi, authorizer: authorizerArtifact.abi },
  }
}

export type SeedBalancerV2Parameters = {
  /** Depositors (default dev accounts 5–8). Each needs the kit's tokens, or `minter` must be able to mint them. */
  actors?: readonly LocalAccount[] | undefined
  /** A MINTER_ROLE holder of the tokens (KitTokens), default dev account 0; undefined skips minting. */
  minter?: LocalAccount | null | undefined
  /** Deposited per actor per token, in whole tokens (default 100,000; scaled by each token's decimals). */
  amount?: number | undefined
}

/** Mints each actor twice `amount` of every kit token and deposits `amount` into the vault as internal balances (the vault's flash-loan liquidity). */
export async function seedBalancerV2(chain: KitChain, kit: BalancerV2Kit, parameters: SeedBalancerV2Parameters = {}): Promise<void> {
  const actors = parameters.actors ?? kitAccountIndices.actors.map((index) => devAccount(index))
  const minter = parameters.minter === undefined ? devAccount(kitAccountIndices.deployer) : parameters.minter
  const wholeTokens = String(parameters.amount ?? 100_000)
  const reader = createDevClient({ ...chain, account: actors[0] ?? devAccount(kitAccountIndices.deployer) })
  const amounts = new Map<Address, bigint>()
  for (const token of kit.tokens) amounts.set(token, parseUnits(wholeTokens, await reader.readContract({ address: token, abi: erc20Abi, functionName: 'decimals' })))
  const mintAbi = parseAbi(['function mint(address to, uint256 amount)'])
  for (const account of actors) {
    const client = createDevClient({ ...chain, account })
    for (const token of kit.tokens) {
      const amount = amounts.get(token)!
      if (minter) await sendKitCall(createDevClient({ ...chain, account: minter }), 'mint', { address: token, abi: mintAbi, functionName: 'mint', args: [account.address, 2n * amount] })
      await sendKitCall(client, 'approve the vault', { address: token, abi: erc20Abi, functionName: 'approve', args: [kit.vault, maxUint256] })
    }
    const ops = kit.tokens.map((token) => ({ kind: userBalanceOpKind.depositInternal, asset: token, amount: amounts.get(token)!, sender: account.address, recipient: account.address }))
    await sendKitCall(client, 'deposit internal balances', { address: kit.vault, abi: balancerVaultAbi, functionName: 'manageUserBalance', args: [ops] })
  }
}
