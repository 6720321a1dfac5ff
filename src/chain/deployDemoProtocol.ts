import {
  encodeDeployData,
  encodeFunctionData,
  getAddress,
  getContractAddress,
  maxUint256,
  parseEther,
  parseGwei,
  sliceHex,
  type Abi,
  type Address,
  type Hash,
  type Hex,
  type LocalAccount,
  zeroAddress,
} from 'viem'
import type { Artifact } from '../compile/artifacts.js'
import { getArtifact } from '../compile/getArtifact.js'
import { createDevClient, createReadClient, createTestChainClient, type ReadClient } from './clients.js'
import { deployContract, reasonOf } from './deployContract.js'
import { deploySafe, deploySafeInfrastructure, type SafeInfrastructure } from './deploySafe.js'
import { deployTimelock } from './deployTimelock.js'
import { devAccount, devRoles } from './devAccounts.js'
import { DeployError } from './errors.js'

/** Every address of a deployed demo protocol, plus its governance parameters. JSON-serializable as is. */
export type DemoProtocol = {
  chainId: number
  /** The block before the first deployment transaction: where log scans (role holders) may start. */
  fromBlock: number
  /** The block after the last seeding transaction. */
  blockNumber: number
  deployer: Address
  /** Holds PAUSER_ROLE on the pool and may pause the rewards vaults. */
  guardian: Address
  /** The account that runs `LendingPoolAttacker`; funded with dUSD like any user. */
  attacker: Address
  depositors: Address[]
  safe: Address
  safeOwners: Address[]
  threshold: number
  safeInfrastructure: SafeInfrastructure
  /** Proposer, executor and canceller: the Safe. Admin: itself only (the deployer renounced). */
  timelock: Address
  /** Timelock delay in seconds. */
  minDelay: number
  tokens: {
    /** dUSD, the pool's asset: a DemoToken with ERC-777-style receive hooks. */
    asset: Address
    /** DRW, paid out by the rewards vaults. */
    reward: Address
  }
  /**
   * UUPS (ERC1967Proxy); DEFAULT_ADMIN_ROLE held by the timelock, UPGRADER_ROLE by the release gate,
   * PAUSER_ROLE by the guardian and the pause seal. Carries V1's reentrancy bug; its outflows go through the circuit breaker.
   */
  lendingPool: { proxy: Address; implementation: Address }
  /** TransparentUpgradeableProxy; its ProxyAdmin is owned by the release gate, the model itself by the timelock. */
  interestRateModel: { proxy: Address; implementation: Address; proxyAdmin: Address }
  /** BeaconProxies of one UpgradeableBeacon owned by the release gate; each vault is owned by the timelock. */
  rewardsVaults: { beacon: Address; implementation: Address; assetStaking: Address; rewardStaking: Address }
  /**
   * The upgrade authority of all three proxies (ReleaseGate): administered by the timelock; the timelock
   * and the private timelock may approve and release patches with `auditorThreshold` of `auditors`' attestations.
   */
  releaseGate: Address
  /** Auditor keys registered in the release gate (dev accounts, see `demoAuditorAccountIndices`). */
  auditors: Address[]
  auditorThreshold: number
  /** A PrivateTimelock (commitments only until execute): the Safe proposes, executes and cancels. */
  privateTimelock: Address
  /** The private timelock's delay in seconds. */
  privateMinDelay: number
  /** One-shot, expiring emergency pause of the lending pool; the guardian is its committee. */
  pauseSeal: { address: Address; committee: Address; targets: Address[]; maxPauseDuration: number; expiresAt: number }
  /** Per-asset outflow limit of the lending pool (dUSD); owned by the timelock. `limit` in wei, decimal. */
  circuitBreaker: { address: Address; asset: Address; limit: string; window: number }
  /** Ordinary user transactions sent to give the protocol a history (deposits, borrows, repayments, claims…). */
  seedTransactionCount: number
  /**
   * The emergency route's security council: a Safe 1.4.1 with a higher threshold (3-of-4, dev accounts
   * `demoSecurityCouncilAccountIndices`) holding the gate's RELEASER_ROLE directly, with no delay.
   */
  securityCouncil: { safe: Address; owners: Address[]; threshold: number }
  /** `contracts/release/Create2Deployer.sol`: deterministic (CREATE2) deployment of patch implementations. */
  create2Deployer: Address
}

export type DeployDemoProtocolParameters = {
  rpcUrl: string
  chainId: number
  /** A compile result of this repository (`compileProject`): the demo and OpenZeppelin artifacts are taken from it. */
  build: { artifacts: readonly Artifact[] }
  /** Timelock delay in seconds (default two days). */
  minDelay?: number | undefined
  /** Private timelock delay in seconds (default one day). */
  privateMinDelay?: number | undefined
  onProgress?: ((message: string) => void) | undefined
}

const twoDays = 2 * 24 * 60 * 60
const oneDay = 24 * 60 * 60

/** Dev account indices (anvil's mnemonic, beyond the ten funded ones) whose keys are the demo's auditors. */
export const demoAuditorAccountIndices = [10, 11, 12] as const
/** Dev account indices whose keys own the demo's security-council Safe (threshold `demoSecurityCouncilThreshold`). */
export const demoSecurityCouncilAccountIndices = [13, 14, 15, 16] as const
export const demoSecurityCouncilThreshold = 3
/** The demo breaker: at most this much dUSD leaves the pool per window. */
export const demoBreakerLimit = parseEther('100000')
/** The demo breaker's window, in seconds. */
export const demoBreakerWindow = 60 * 60
/** The longest pause the demo seal may impose, in seconds. */
export const demoSealMaxPauseDuration = 7 * oneDay

/**
 * Deploys the demo lending protocol on a local devnet (anvil; it uses time travel while seeding)
 * under real governance: a Safe 1.4.1 2-of-3 proposes and executes on an OpenZeppelin
 * TimelockController (and on a PrivateTimelock), which administer the ReleaseGate that holds every
 * upgrade authority (UUPS role, ProxyAdmin, beacon) and releases only auditor-attested codehashes.
 * The pool is contained by an EmergencyPauseSeal (the guardian's one-shot pause), partial lockdown
 * and a CircuitBreaker on its dUSD outflows. Then it gives the protocol a short history of ordinary
 * use, and the deployer gives up the timelock admin.
 */
export async function deployDemoProtocol({
  rpcUrl,
  chainId,
  build,
  minDelay = twoDays,
  privateMinDelay = oneDay,
  onProgress,
}: DeployDemoProtocolParameters): Promise<DemoProtocol> {
  const progress = onProgress ?? (() => {})
  const artifact = (name: string) => getArtifact(build, name)
  const demoToken = artifact('contracts/examples/DemoToken.sol:DemoToken')
  const interestRateModel = artifact('contracts/examples/InterestRateModel.sol:InterestRateModel')
  const lendingPool = artifact('contracts/examples/LendingPool.sol:LendingPool')
  const rewardsVault = artifact('contracts/examples/RewardsVault.sol:RewardsVault')
  const timelockController = artifact('TimelockController')
  const erc1967Proxy = artifact('ERC1967Proxy')
  const transparentProxy = artifact('TransparentUpgradeableProxy')
  const upgradeableBeacon = artifact('UpgradeableBeacon')
  const beaconProxy = artifact('BeaconProxy')
  const releaseGateArtifact = artifact('contracts/ReleaseGate.sol:ReleaseGate')
  const privateTimelockArtifact = artifact('contracts/PrivateTimelock.sol:PrivateTimelock')
  const pauseSealArtifact = artifact('contracts/EmergencyPauseSeal.sol:EmergencyPauseSeal')
  const circuitBreakerArtifact = artifact('contracts/CircuitBreaker.sol:CircuitBreaker')
  const create2DeployerArtifact = artifact('contracts/release/Create2Deployer.sol:Create2Deployer')
  const auditors = demoAuditorAccountIndices.map((index) => devAccount(index).address)
  const auditorThreshold = 2

  const deployerAccount = devAccount(devRoles.deployer)
  const safeOwnerAccounts = devRoles.safeOwners.map((index) => devAccount(index))
  const guardian = devAccount(devRoles.guardian).address
  const depositorAccounts = devRoles.depositors.map((index) => devAccount(index))
  const attackerAccount = devAccount(devRoles.attacker)

  const reader = createReadClient({ rpcUrl })
  const testClient = createTestChainClient({ rpcUrl, chainId })
  const deployerClient = createDevClient({ rpcUrl, chainId, account: deployerAccount })
  const fromBlock = Number(await reader.getBlockNumber({ cacheTime: 0 }))

  progress('deploying Safe 1.4.1 (2-of-3) and the timelock')
  const safeInfrastructure = await deploySafeInfrastructure(deployerClient)
  const safeOwners = safeOwnerAccounts.map((account) => account.address)
  const threshold = 2
  // A salt from the deployer's nonce lets a second demo be deployed on the same chain without a CREATE2 clash.
  const saltNonce = BigInt(await reader.getTransactionCount({ address: deployerAccount.address, blockTag: 'pending' }))
  const safe = getAddress(await deploySafe(deployerClient, { infrastructure: safeInfrastructure, owners: safeOwners, threshold, saltNonce }))
  const councilOwners = demoSecurityCouncilAccountIndices.map((index) => devAccount(index).address)
  const councilSafe = getAddress(
    await deploySafe(deployerClient, { infrastructure: safeInfrastructure, owners: councilOwners, threshold: demoSecurityCouncilThreshold, saltNonce: saltNonce + 1n }),
  )
  const timelock = getAddress(await deployTimelock(deployerClient, {
    artifact: timelockController,
    minDelay,
    proposers: [safe],
    executors: [safe],
    // The deployer keeps admin only until the end of this function, then renounces it.
    admin: deployerAccount.address,
  }))

  const privateTimelock = getAddress((await deployContract(deployerClient, {
    name: 'PrivateTimelock',
    abi: privateTimelockArtifact.abi,
    bytecode: privateTimelockArtifact.bytecode,
    args: [BigInt(privateMinDelay), [safe], [safe], zeroAddress],
  })).address)

  progress('deploying the release gate, the circuit breaker, tokens, implementations and proxies')
  const pipeline = await createPipeline(reader, chainId)
  const deployer = await pipeline.sender(deployerAccount)
  // The deployer sets the breaker's rule, then hands it to the timelock (below).
  const circuitBreaker = deployer.deploy('CircuitBreaker', circuitBreakerArtifact, [deployerAccount.address])
  const releaseGate = deployer.deploy('ReleaseGate', releaseGateArtifact, [timelock, [timelock, privateTimelock, councilSafe], auditors, BigInt(auditorThreshold)])
  const create2Deployer = deployer.deploy('Create2Deployer', create2DeployerArtifact, [])
  const asset = deployer.deploy('dUSD', demoToken, ['Demo USD', 'dUSD', deployerAccount.address, parseEther('10000000')])
  const reward = deployer.deploy('DRW', demoToken, ['Demo Reward', 'DRW', deployerAccount.address, parseEther('1000000')])

  const interestRateModelImplementation = deployer.deploy('InterestRateModel implementation', interestRateModel, [])
  const interestRateModelProxy = deployer.deploy('InterestRateModel proxy', transparentProxy, [
    interestRateModelImplementation,
    // OpenZeppelin 5's TransparentUpgradeableProxy creates its own ProxyAdmin owned by this account.
    releaseGate,
    encodeCall(interestRateModel, 'initialize', [timelock, parseEther('0.02'), parseEther('0.1'), parseEther('3'), parseEther('0.8')]),
  ])

  const lendingPoolImplementation = deployer.deploy('LendingPool implementation', lendingPool, [])
  // The seal names the pool and the pool makes the seal a pauser: the seal goes first, at the next address.
  const { timestamp: now } = await reader.getBlock({ blockTag: 'latest' })
  const sealExpiresAt = Number(now) + 365 * oneDay
  const predictedPool = deployer.nextAddress(1)
  const pauseSeal = deployer.deploy('EmergencyPauseSeal', pauseSealArtifact, [guardian, [predictedPool], BigInt(demoSealMaxPauseDuration), BigInt(sealExpiresAt)])
  const lendingPoolProxy = deployer.deploy('LendingPool proxy', erc1967Proxy, [
    lendingPoolImplementation,
    encodeCall(lendingPool, 'initialize', [
      asset,
      interestRateModelProxy,
      parseEther('0.75'),
      parseEther('0.1'),
      timelock,
      releaseGate,
      [guardian, pauseSeal],
      circuitBreaker,
    ]),
  ])
  if (lendingPoolProxy !== predictedPool) throw new DeployError({ contract: 'demo protocol', reason: 'the pool was not deployed at the address the seal names' })
  deployer.call('limit the pool\'s dUSD outflows', circuitBreaker, circuitBreakerArtifact, 'setRule', [lendingPoolProxy, asset, demoBreakerLimit, BigInt(demoBreakerWindow)])
  deployer.call('let the guardian trip the breaker', circuitBreaker, circuitBreakerArtifact, 'setGuardian', [guardian, true])
  deployer.call('hand the breaker to the timelock', circuitBreaker, circuitBreakerArtifact, 'transferOwnership', [timelock])

  const rewardsVaultImplementation = deployer.deploy('RewardsVault implementation', rewardsVault, [])
  const beacon = deployer.deploy('UpgradeableBeacon', upgradeableBeacon, [rewardsVaultImplementation, releaseGate])
  const assetStaking = deployer.deploy('RewardsVault (dUSD staking)', beaconProxy, [
    beacon,
    encodeCall(rewardsVault, 'initialize', [asset, reward, timelock, guardian, parseEther('0.05')]),
  ])
  const rewardStaking = deployer.deploy('RewardsVault (DRW staking)', beaconProxy, [
    beacon,
    encodeCall(rewardsVault, 'initialize', [reward, reward, timelock, guardian, parseEther('0.01')]),
  ])

  const funding: [Address, bigint, bigint][] = [
    [depositorAccounts[0]!.address, parseEther('250000'), parseEther('5000')],
    [depositorAccounts[1]!.address, parseEther('150000'), parseEther('5000')],
    [depositorAccounts[2]!.address, parseEther('100000'), parseEther('5000')],
    [depositorAccounts[3]!.address, parseEther('60000'), parseEther('5000')],
    [attackerAccount.address, parseEther('25000'), 0n],
  ]
  for (const [account, assetAmount, rewardAmount] of funding) {
    deployer.call(`fund ${account} with dUSD`, asset, demoToken, 'transfer', [account, assetAmount])
    if (rewardAmount > 0n) deployer.call(`fund ${account} with DRW`, reward, demoToken, 'transfer', [account, rewardAmount])
  }
  deployer.call('fund the dUSD staking rewards', reward, demoToken, 'transfer', [assetStaking, parseEther('200000')])
  deployer.call('fund the DRW staking rewards', reward, demoToken, 'transfer', [rewardStaking, parseEther('50000')])
  await pipeline.settle()

  progress('seeding user history')
  const [alice, bob, carol, dave] = await Promise.all(depositorAccounts.map((account) => pipeline.sender(account)))
  const users = [alice!, bob!, carol!, dave!]
  const deposits = [parseEther('200000'), parseEther('120000'), parseEther('80000'), parseEther('40000')]
  users.forEach((user, index) => {
    user.call('approve the pool', asset, demoToken, 'approve', [lendingPoolProxy, maxUint256])
    user.call('deposit', lendingPoolProxy, lendingPool, 'deposit', [deposits[index]!])
    user.call('approve dUSD staking', asset, demoToken, 'approve', [assetStaking, maxUint256])
    user.call('stake dUSD', assetStaking, rewardsVault, 'stake', [parseEther('10000')])
  })
  alice!.call('borrow', lendingPoolProxy, lendingPool, 'borrow', [parseEther('60000')])
  carol!.call('borrow', lendingPoolProxy, lendingPool, 'borrow', [parseEther('30000')])
  for (const user of [bob!, dave!]) {
    user.call('approve DRW staking', reward, demoToken, 'approve', [rewardStaking, maxUint256])
    user.call('stake DRW', rewardStaking, rewardsVault, 'stake', [parseEther('4000')])
  }
  await pipeline.settle()

  await testClient.increaseTime({ seconds: 5 * 24 * 60 * 60 })
  await testClient.mine({ blocks: 1 })
  alice!.call('repay part', lendingPoolProxy, lendingPool, 'repay', [alice!.address, parseEther('20000')])
  bob!.call('withdraw part', lendingPoolProxy, lendingPool, 'withdraw', [parseEther('30000')])
  bob!.call('borrow', lendingPoolProxy, lendingPool, 'borrow', [parseEther('15000')])
  dave!.call('deposit more', lendingPoolProxy, lendingPool, 'deposit', [parseEther('10000')])
  carol!.call('claim dUSD staking rewards', assetStaking, rewardsVault, 'claimReward', [])
  dave!.call('claim DRW staking rewards', rewardStaking, rewardsVault, 'claimReward', [])
  carol!.call('accrue interest', lendingPoolProxy, lendingPool, 'accrueInterest', [])
  await pipeline.settle()

  await testClient.increaseTime({ seconds: 2 * 24 * 60 * 60 })
  await testClient.mine({ blocks: 1 })
  carol!.call('repay all', lendingPoolProxy, lendingPool, 'repay', [carol!.address, maxUint256])
  carol!.call('withdraw part', lendingPoolProxy, lendingPool, 'withdraw', [parseEther('20000')])
  alice!.call('claim dUSD staking rewards', assetStaking, rewardsVault, 'claimReward', [])
  alice!.call('deposit more', lendingPoolProxy, lendingPool, 'deposit', [parseEther('5000')])
  dave!.call('unstake dUSD', assetStaking, rewardsVault, 'unstake', [parseEther('5000')])
  bob!.call('claim DRW staking rewards', rewardStaking, rewardsVault, 'claimReward', [])
  const seedTransactionCount = users.reduce((sum, user) => sum + user.sent, 0)

  progress('handing the timelock to itself')
  deployer.call('renounce the timelock admin role', timelock, timelockController, 'renounceRole', [defaultAdminRole, deployerAccount.address])
  await pipeline.settle()

  // The admin slot is the only record of the ProxyAdmin the Transparent proxy created for itself.
  const adminSlot = await reader.getStorageAt({ address: interestRateModelProxy, slot: erc1967AdminSlot })
  const proxyAdmin = getAddress(sliceHex(adminSlot ?? '0x', 12, 32))
  const blockNumber = Number(await reader.getBlockNumber({ cacheTime: 0 }))
  progress(`demo protocol deployed at block ${blockNumber}`)

  return {
    chainId,
    fromBlock,
    blockNumber,
    deployer: deployerAccount.address,
    guardian,
    attacker: attackerAccount.address,
    depositors: depositorAccounts.map((account) => account.address),
    safe,
    safeOwners,
    threshold,
    safeInfrastructure: {
      singleton: getAddress(safeInfrastructure.singleton),
      proxyFactory: getAddress(safeInfrastructure.proxyFactory),
      fallbackHandler: getAddress(safeInfrastructure.fallbackHandler),
      multiSend: getAddress(safeInfrastructure.multiSend),
      multiSendCallOnly: getAddress(safeInfrastructure.multiSendCallOnly),
    },
    timelock,
    minDelay,
    tokens: { asset, reward },
    lendingPool: { proxy: lendingPoolProxy, implementation: lendingPoolImplementation },
    interestRateModel: { proxy: interestRateModelProxy, implementation: interestRateModelImplementation, proxyAdmin },
    rewardsVaults: { beacon, implementation: rewardsVaultImplementation, assetStaking, rewardStaking },
    seedTransactionCount,
    releaseGate,
    auditors,
    auditorThreshold,
    privateTimelock,
    privateMinDelay,
    pauseSeal: { address: pauseSeal, committee: guardian, targets: [lendingPoolProxy], maxPauseDuration: demoSealMaxPauseDuration, expiresAt: sealExpiresAt },
    circuitBreaker: { address: circuitBreaker, asset, limit: demoBreakerLimit.toString(), window: demoBreakerWindow },
    securityCouncil: { safe: councilSafe, owners: councilOwners, threshold: demoSecurityCouncilThreshold },
    create2Deployer,
  }
}

const defaultAdminRole = `0x${'00'.repeat(32)}` as Hex
// bytes32(uint256(keccak256('eip1967.proxy.admin')) - 1)
const erc1967AdminSlot = '0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103'

function encodeCall(artifact: Artifact, functionName: string, args: readonly unknown[]): Hex {
  return encodeFunctionData({ abi: artifact.abi as Abi, functionName, args } as Parameters<typeof encodeFunctionData>[0])
}

type PendingTransaction = { step: string; account: Address; hash: Promise<Hash> }

/**
 * Sends transactions without waiting for each receipt: nonces are counted locally, gas and fees are
 * fixed, and every transaction is signed in-process, so one transaction costs one RPC call. Order
 * within an account is kept by its nonces; `settle()` is the barrier between steps that depend on
 * another account's transactions, and the place where a revert is found and named.
 */
async function createPipeline(reader: ReadClient, chainId: number) {
  const pending: PendingTransaction[] = []
  // Twice today's base fee: it only falls on a devnet of nearly empty blocks, and a fork starts from mainnet's.
  const { baseFeePerGas } = await reader.getBlock({ blockTag: 'latest' })
  const maxPriorityFeePerGas = parseGwei('1')
  const fees = { maxFeePerGas: 2n * (baseFeePerGas ?? parseGwei('1')) + maxPriorityFeePerGas, maxPriorityFeePerGas }

  async function sender(account: LocalAccount) {
    let nonce = await reader.getTransactionCount({ address: account.address, blockTag: 'pending' })
    let queue: Promise<unknown> = Promise.resolve()
    const send = (step: string, request: { to?: Address; data: Hex; gas: bigint }) => {
      const transactionNonce = nonce++
      // Each raw transaction leaves only after the previous one of this account was accepted,
      // so the node never sees a nonce gap.
      const hash = queue.then(async () => {
        const serializedTransaction = await account.signTransaction({
          chainId,
          type: 'eip1559',
          nonce: transactionNonce,
          ...fees,
          ...request,
        })
        return reader.sendRawTransaction({ serializedTransaction })
      })
      queue = hash.catch(() => undefined)
      pending.push({ step, account: account.address, hash })
      return transactionNonce
    }
    const handle = {
      address: account.address,
      sent: 0,
      /** The address the `offset`-th next creation transaction of this account will deploy to. */
      nextAddress(offset = 0): Address {
        return getContractAddress({ from: account.address, nonce: BigInt(nonce + offset) })
      },
      /** Sends a creation transaction and returns the address the contract will have. */
      deploy(name: string, artifact: Artifact, args: readonly unknown[]): Address {
        const data = encodeDeployData({ abi: artifact.abi as Abi, bytecode: artifact.bytecode, args } as Parameters<typeof encodeDeployData>[0])
        const transactionNonce = send(`deploy ${name}`, { data, gas: 8_000_000n })
        return getContractAddress({ from: account.address, nonce: BigInt(transactionNonce) })
      },
      call(step: string, to: Address, artifact: Artifact, functionName: string, args: readonly unknown[]): void {
        send(step, { to, data: encodeCall(artifact, functionName, args), gas: 1_500_000n })
        handle.sent += 1
      },
    }
    return handle
  }

  async function settle(): Promise<void> {
    const batch = pending.splice(0)
    const hashes = await Promise.all(
      batch.map(({ step, hash }) =>
        hash.catch((error: unknown) => {
          throw new DeployError({ contract: 'demo protocol', reason: `step "${step}" was not accepted: ${reasonOf(error)}` })
        }),
      ),
    )
    const receipts = await Promise.all(hashes.map((hash) => reader.waitForTransactionReceipt({ hash, pollingInterval: 20 })))
    receipts.forEach((receipt, index) => {
      const { step, account } = batch[index]!
      if (receipt.status !== 'success') {
        throw new DeployError({ contract: 'demo protocol', reason: `step "${step}" from ${account} reverted (transaction ${receipt.transactionHash})` })
      }
    })
  }

  return { sender, settle }
}
