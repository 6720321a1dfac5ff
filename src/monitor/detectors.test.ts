import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeDeployData, keccak256, maxUint256, parseEther, toHex, type Abi, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { main } from '../cli/main.js'
import { captureIo } from '../cli/testIo.js'
import type { Artifact } from '../compile/artifacts.js'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'
import { createDevClient, createReadClient, type DevClient, type ReadClient } from '../chain/clients.js'
import { deployContract } from '../chain/deployContract.js'
import { devAccount, devRoles } from '../chain/devAccounts.js'
import { startAnvil, type Anvil } from '../chain/startAnvil.js'
import { openStore, type Store } from '../store/openStore.js'
import { backtest } from './backtest.js'
import { createDetectors, runDetectors, type DetectorsConfig } from './detectors/createDetectors.js'
import { grownContracts, nativeToken } from './detectors/traceIndex.js'
import { parsePolicy } from './policy.js'
import { processNewBlocks } from './sources/processNewBlocks.js'
import { readGovernance, withGovernance } from './sources/readGovernance.js'
import { tracePending } from './sources/tracePending.js'
import type { Alert, DetectorFinding, MonitorScope } from './types.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const chain = { id: 31337, name: 'anvil' }
let anvil: Anvil
let reader: ReadClient
let store: Store
let build: { artifacts: Artifact[] }
const deployer = devAccount(devRoles.deployer)
const attacker = devAccount(devRoles.attacker)
const depositors = devRoles.depositors.map((index) => devAccount(index))

const abiOf = (name: string): Abi => getArtifact(build, name).abi
const client = (account: Parameters<typeof createDevClient>[0]['account']): DevClient => createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account })
async function send(from: DevClient, address: Address, name: string, functionName: string, args: readonly unknown[] = [], value?: bigint) {
  const hash = await from.writeContract({ address, abi: abiOf(name), functionName, args, ...(value === undefined ? {} : { value }) } as unknown as Parameters<DevClient['writeContract']>[0])
  const receipt = await from.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  expect(receipt.status, `${name}.${functionName}`).toBe('success')
  return receipt
}
const deploy = async (from: DevClient, name: string, args: readonly unknown[] = []) =>
  (await deployContract(from, { name, abi: abiOf(name), bytecode: getArtifact(build, name).bytecode, args })).address

/** A fresh account (nonce 0) with some ETH. */
async function freshAccount(label: string) {
  const account = privateKeyToAccount(keccak256(toHex(`detectors test ${label}`)))
  await reader.request({ method: 'anvil_setBalance', params: [account.address, toHex(parseEther('100'))] } as never)
  return account
}

/** A monitor over `contracts` (the deployer is governance: its deployments are the protocol's own). */
function watch(contracts: Address[], config: DetectorsConfig = {}, extra: Partial<MonitorScope> = {}) {
  const scope: MonitorScope = { contracts, releaseGates: [], authorities: [deployer.address], ...extra }
  const detectors = createDetectors(config)
  const memory = new Map<string, unknown>()
  return {
    scope,
    detectors,
    /** Judges every block mined since the last pass (of any monitor in this file). */
    pass: async (override?: MonitorScope): Promise<Alert[]> => (await processNewBlocks({ client: reader as never, store, chain, detectors, scope: override ?? scope, memory })).alerts,
  }
}
/** Marks everything mined so far as history no monitor of this file judges. */
const skipHistory = () => processNewBlocks({ client: reader as never, store, chain, detectors: [], scope: { contracts: [], releaseGates: [], authorities: [] }, memory: new Map() })
const of = (alerts: readonly Alert[], detector: string) => alerts.filter((alert) => alert.detector === detector)

beforeAll(async () => {
  build = await compileProject({ root, sources: ['test/monitor'] })
  anvil = await startAnvil()
  reader = createReadClient({ rpcUrl: anvil.rpcUrl, timeoutMs: 60_000 })
  store = await openStore({ dataDir: 'memory://' })
  await processNewBlocks({ client: reader as never, store, chain, detectors: [], scope: { contracts: [], releaseGates: [], authorities: [] }, memory: new Map() })
}, 180_000)
afterAll(async () => {
  await store?.close()
  await anvil?.stop()
})

describe('prices from any source', () => {
  test('a Uniswap-V3-style Swap, a Chainlink-style aggregator and a view function each report a move past the threshold, and only then', async () => {
    const owner = client(deployer)
    const q96 = 2n ** 96n
    const pool = await deploy(owner, 'V3StylePool', [q96])
    const feed = await deploy(owner, 'StyleAggregator', [2000n * 10n ** 8n])
    const oracle = await deploy(owner, 'ViewOracle', [parseEther('1')])
    await skipHistory()
    const monitor = watch([], {
      'price-deviation': { sources: [{ kind: 'uniswap-v3', pool }, { kind: 'aggregator', feed }, { kind: 'view', address: oracle, function: 'function price() view returns (uint256)' }] },
    })
    const trader = client(devAccount(devRoles.depositors[0]))
    // small moves: sqrt price +1% (price +2%), answer +0.5%, view +3%
    await send(trader, pool, 'V3StylePool', 'swapTo', [(q96 * 101n) / 100n])
    await send(owner, feed, 'StyleAggregator', 'submit', [2010n * 10n ** 8n])
    await send(owner, oracle, 'ViewOracle', 'set', [parseEther('1.03')])
    expect(of(await monitor.pass(), 'price-deviation')).toEqual([])
    // manipulation-sized moves: sqrt price +20% (price +44%), answer +49%, view ×1.5
    await send(trader, pool, 'V3StylePool', 'swapTo', [(q96 * 121n) / 100n])
    await send(owner, feed, 'StyleAggregator', 'submit', [3000n * 10n ** 8n])
    await send(owner, oracle, 'ViewOracle', 'set', [parseEther('1.545')])
    const moves = of(await monitor.pass(), 'price-deviation')
    expect(moves.map((alert) => alert.evidence['source']).sort()).toEqual(['aggregator', 'uniswap-v3', 'view'])
    const v3 = moves.find((alert) => alert.evidence['source'] === 'uniswap-v3')!
    expect(v3.addresses[0]).toBe(pool)
    // (1.21² - 1.01²) / 1.01² = 43.5%
    expect(v3.evidence['deviationBps']).toBe(4352)
    expect(moves.find((alert) => alert.evidence['source'] === 'aggregator')!.evidence['deviationBps']).toBe(4925)
    expect(moves.find((alert) => alert.evidence['source'] === 'view')!.evidence['deviationBps']).toBe(5000)
  }, 120_000)
})

describe('value flows', () => {
  test('a native-ETH drain is a large outflow (ETH counted like a token)', async () => {
    const vault = await deploy(client(deployer), 'EthVault')
    for (const depositor of depositors.slice(0, 3)) await send(client(depositor), vault, 'EthVault', 'deposit', [], parseEther('10'))
    await skipHistory()
    const monitor = watch([vault])
    await send(client(depositors[0]!), vault, 'EthVault', 'deposit', [], parseEther('1'))
    expect(await monitor.pass()).toEqual([])
    await send(client(attacker), vault, 'EthVault', 'withdrawAll', [attacker.address, parseEther('25')])
    const outflows = of(await monitor.pass(), 'large-outflow')
    // net of the window: 25 out, 1 in since it opened on 30
    expect(outflows.find((alert) => alert.evidence['actor'] === null)!.evidence).toMatchObject({ token: nativeToken, holder: vault, outflow: parseEther('24').toString(), balanceBefore: parseEther('30').toString() })
  }, 120_000)

  test('inflows count against outflows, and a drain after an earlier reported outflow is reported again (no sticky flag)', async () => {
    const owner = client(deployer)
    const token = await deploy(owner, 'PlainToken')
    const vault = await deploy(owner, 'TokenVault', [token])
    const [whale, user] = [client(depositors[0]!), client(depositors[1]!)]
    for (const account of [whale, user]) {
      await send(account, token, 'PlainToken', 'mint', [account.account.address, parseEther('1000')])
      await send(account, token, 'PlainToken', 'approve', [vault, maxUint256])
    }
    await send(whale, vault, 'TokenVault', 'deposit', [parseEther('1000')])
    await skipHistory()
    const monitor = watch([vault])
    // a large withdrawal: 30% of the vault, reported
    await send(whale, vault, 'TokenVault', 'withdraw', [parseEther('300')])
    const first = of(await monitor.pass(), 'large-outflow')
    expect(first.map((alert) => alert.evidence['outflow'])).toContain(parseEther('300').toString())
    // ordinary traffic in the same window: 400 in and out, again and again — net nothing
    for (let round = 0; round < 3; round++) {
      await send(user, vault, 'TokenVault', 'deposit', [parseEther('400')])
      await send(user, vault, 'TokenVault', 'withdraw', [parseEther('400')])
    }
    expect(of(await monitor.pass(), 'large-outflow')).toEqual([])
    // the drain, inside the same window as the first report
    const drain = await send(client(attacker), vault, 'TokenVault', 'emergencyExit', [attacker.address])
    const drained = of(await monitor.pass(), 'large-outflow')
    expect(drained.filter((alert) => alert.tx === drain.transactionHash && alert.evidence['actor'] === null)).toHaveLength(1)
  }, 120_000)

  test('many small drains by one account, each far below the threshold, are summed per actor', async () => {
    const owner = client(deployer)
    const token = await deploy(owner, 'PlainToken')
    const vault = await deploy(owner, 'TokenVault', [token])
    const whale = client(depositors[2]!)
    await send(whale, token, 'PlainToken', 'mint', [whale.account.address, parseEther('1000')])
    await send(whale, token, 'PlainToken', 'approve', [vault, maxUint256])
    await send(whale, vault, 'TokenVault', 'deposit', [parseEther('1000')])
    await skipHistory()
    // a 5-block contract window: each skim (3%) is alone in it; the per-actor window (default 1,000 blocks) sums them
    const monitor = watch([vault], { 'large-outflow': { windowBlocks: 5 } })
    const thief = client(attacker)
    const hashes: Hex[] = []
    for (let i = 0; i < 8; i++) {
      const balance = (await reader.readContract({ address: token, abi: abiOf('PlainToken'), functionName: 'balanceOf', args: [vault] })) as bigint
      hashes.push((await send(thief, vault, 'TokenVault', 'skim', [(balance * 3n) / 100n])).transactionHash)
      await reader.request({ method: 'anvil_mine', params: ['0x6'] } as never)
    }
    const alerts = of(await monitor.pass(), 'large-outflow')
    expect(alerts.filter((alert) => alert.evidence['actor'] === null)).toEqual([])
    const summed = alerts.filter((alert) => alert.evidence['actor'] === attacker.address)
    expect(summed).toHaveLength(1)
    // 3% of a shrinking balance: 7 skims are 19.3%, the 8th crosses 20%
    expect(summed[0]!.tx).toBe(hashes[7])
  }, 120_000)
})

describe('flash loans from any lender', () => {
  test('an ERC-3156 loan whose callback uses the protocol is seen whether the lender is watched or not', async () => {
    const owner = client(deployer)
    const token = await deploy(owner, 'PlainToken')
    const vault = await deploy(owner, 'TokenVault', [token])
    const lender = await deploy(owner, 'Erc3156Lender')
    await send(owner, token, 'PlainToken', 'mint', [lender, parseEther('1000000')])
    const borrower = await deploy(client(depositors[3]!), 'FlashDepositor', [lender, vault])
    await skipHistory()
    const unwatched = watch([vault])
    await send(client(depositors[3]!), borrower, 'FlashDepositor', 'run', [parseEther('500000')])
    const seen = of(await unwatched.pass(), 'flash-loan')
    expect(seen).toHaveLength(1)
    expect(seen[0]!.evidence).toMatchObject({ lender, borrower, token, amount: parseEther('500000').toString(), touched: [vault] })
    // the lender is part of the protocol too: still a flash loan (it used to be skipped)
    const watched = watch([vault, lender])
    await send(client(depositors[3]!), borrower, 'FlashDepositor', 'run', [parseEther('400000')])
    const again = of(await watched.pass(), 'flash-loan')
    expect(again.map((alert) => alert.evidence['lender'])).toEqual([lender])
  }, 120_000)
})

describe('suspicious creation at deployment', () => {
  test('a fresh account deploying a contract that names a protocol contract is reported when mined and while pending', async () => {
    const owner = client(deployer)
    const token = await deploy(owner, 'PlainToken')
    const vault = await deploy(owner, 'TokenVault', [token])
    await skipHistory()
    const monitor = watch([vault])
    const fresh = await freshAccount('mined exploit')
    const exploit = await deploy(client(fresh), 'Exploit', [vault])
    const mined = of(await monitor.pass(), 'suspicious-creation')
    expect(mined).toHaveLength(1)
    expect(mined[0]!.evidence).toMatchObject({ contract: exploit, creator: fresh.address, namesProtocol: [vault], atDeployment: true })
    // an exploit that names nothing of the protocol, deployed by the same kind of account, is not reported at deployment
    await deploy(client(await freshAccount('innocent')), 'Exploit', [token])
    expect(of(await monitor.pass(), 'suspicious-creation')).toEqual([])

    const pendingAccount = await freshAccount('pending exploit')
    await reader.request({ method: 'evm_setAutomine', params: [false] } as never)
    try {
      const data = encodeDeployData({ abi: abiOf('Exploit'), bytecode: getArtifact(build, 'Exploit').bytecode, args: [vault] })
      const hash = await client(pendingAccount).sendTransaction({ data, gas: 1_000_000n })
      const events = await tracePending(reader as never, { chain, seen: new Set() })
      const findings: DetectorFinding[] = []
      for (const event of events) findings.push(...(await runDetectors(monitor.detectors, event, { client: reader as never, scope: monitor.scope, memory: new Map() })))
      const pending = findings.filter((finding) => finding.detector === 'suspicious-creation')
      expect(pending).toHaveLength(1)
      expect(pending[0]).toMatchObject({ pending: true, tx: hash, evidence: { creator: pendingAccount.address, namesProtocol: [vault], atDeployment: true } })
    } finally {
      await reader.request({ method: 'evm_mine', params: [] } as never)
      await reader.request({ method: 'evm_setAutomine', params: [true] } as never)
    }
  }, 120_000)
})

describe('governance from the chain and usual sizes', () => {
  test('a minter (role read from RoleGranted history) minting its usual amount is not an alert; 100× that, or an address without the role, is', async () => {
    const owner = client(deployer)
    const legacy = depositors[1]!
    const minter = depositors[0]!
    const token = await deploy(owner, 'RoleToken', [legacy.address])
    await send(owner, token, 'RoleToken', 'grantRole', [keccak256(toHex('MINTER_ROLE')), minter.address])
    await skipHistory()
    const governance = await readGovernance(reader as never, { contracts: [token] })
    expect(governance.roles).toEqual(expect.arrayContaining([{ contract: token, holder: minter.address, role: 'MINTER_ROLE' }]))
    // no authorities named at all: governance is what the chain says
    const monitor = watch([token], {}, { authorities: [] })
    const scope = withGovernance(monitor.scope, governance)
    let firstMint = 0n
    for (let i = 0; i < 5; i++) {
      const receipt = await send(client(minter), token, 'RoleToken', 'mint', [minter.address, parseEther(String(1000 + i * 10))])
      firstMint ||= receipt.blockNumber
    }
    expect(await monitor.pass(scope)).toEqual([])
    const big = await send(client(minter), token, 'RoleToken', 'mint', [minter.address, parseEther('104000')])
    const large = of(await monitor.pass(scope), 'privileged-change')
    expect(large).toHaveLength(1)
    expect(large[0]!.evidence).toMatchObject({ caller: minter.address, roleHolder: true, size: parseEther('104000').toString() })
    await send(client(legacy), token, 'RoleToken', 'mint', [legacy.address, parseEther('1000')])
    const unknown = of(await monitor.pass(scope), 'privileged-change')
    expect(unknown.map((alert) => alert.evidence['caller'])).toEqual([legacy.address])
    // what "usual" is comes from history: judged alone the large mint is a holder at work; after a warm-up over the earlier mints it is not
    const policy = parsePolicy({ rules: [{ minScore: 0, respond: [{ kind: 'notify' }] }] })
    const replay = (warmupFromBlock?: bigint) =>
      backtest({ client: reader as never, chain, scope: withGovernance({ contracts: [token], releaseGates: [], authorities: [] }, governance), detectors: createDetectors(), policy, fromBlock: big.blockNumber, toBlock: big.blockNumber, warmupFromBlock })
    expect(of((await replay()).alerts, 'privileged-change')).toEqual([])
    const warmed = await replay(firstMint)
    expect(warmed.warmupBlocks).toBe(Number(big.blockNumber - firstMint))
    expect(of(warmed.alerts, 'privileged-change').map((alert) => alert.tx)).toEqual([big.transactionHash])
  }, 120_000)
})

describe('the watched set grows, and every proxy pattern is watched', () => {
  test('a vault created by a watched factory is watched from its creation: its drain is reported', async () => {
    const owner = client(deployer)
    const token = await deploy(owner, 'PlainToken')
    const factory = await deploy(owner, 'VaultFactory')
    await skipHistory()
    const monitor = watch([factory])
    const created = await send(owner, factory, 'VaultFactory', 'create', [token])
    const vault = `0x${created.logs.at(-1)!.data.slice(-40)}` as Address
    const user = client(depositors[2]!)
    await send(user, token, 'PlainToken', 'mint', [user.account.address, parseEther('1000')])
    await send(user, token, 'PlainToken', 'approve', [vault, maxUint256])
    await send(user, vault, 'TokenVault', 'deposit', [parseEther('1000')])
    expect(await monitor.pass()).toEqual([])
    expect(grownContracts(monitor.scope).map((entry) => entry.address.toLowerCase())).toEqual([vault.toLowerCase()])
    const drain = await send(client(attacker), vault, 'TokenVault', 'emergencyExit', [attacker.address])
    const drained = of(await monitor.pass(), 'large-outflow')
    expect(drained[0]!.evidence).toMatchObject({ outflow: parseEther('1000').toString() })
    expect(drained[0]!.addresses[0]!.toLowerCase()).toBe(vault.toLowerCase())
    // the same history with the watched set frozen: the vault's drain goes unseen
    const frozen = await backtest({
      client: reader as never, chain, scope: { contracts: [factory], releaseGates: [], authorities: [deployer.address] }, detectors: createDetectors({ 'watched-set': false }),
      policy: parsePolicy({ rules: [{ minScore: 0, respond: [{ kind: 'notify' }] }] }), fromBlock: created.blockNumber, toBlock: drain.blockNumber,
    })
    expect(frozen.alerts).toEqual([])
  }, 120_000)

  test('a beacon proxy of a watched beacon and an implementation installed through governance join the watched set', async () => {
    const owner = client(deployer)
    const implementation = await deploy(owner, 'PlainToken')
    const beacon = await deploy(owner, 'MiniBeacon', [implementation])
    const upgradeable = await deploy(owner, 'MiniUpgradeable')
    const other = await deploy(owner, 'MiniBeacon', [implementation])
    await skipHistory()
    // (a proxy deployed by a young account naming a protocol contract is a suspicious creation: not judged here)
    const monitor = watch([beacon, upgradeable], { 'suspicious-creation': false })
    const proxy = await deploy(client(depositors[1]!), 'MiniBeaconProxy', [beacon])
    await deploy(client(depositors[1]!), 'MiniBeaconProxy', [other])
    const installed = await deploy(owner, 'PlainToken')
    await send(owner, upgradeable, 'MiniUpgradeable', 'upgradeTo', [installed])
    // the proxy's constructor announcing its beacon is its deployment, not an upgrade
    expect(await monitor.pass()).toEqual([])
    expect(grownContracts(monitor.scope).map((entry) => [entry.address, entry.reason])).toEqual([
      [proxy, `beacon proxy of ${beacon}`],
      [installed, `implementation of ${upgradeable} installed through governance`],
    ])
  }, 120_000)

  test('a Compound-style _setImplementation and a Diamond cut outside governance are unapproved upgrades', async () => {
    const owner = client(deployer)
    const delegator = await deploy(owner, 'CompoundStyleDelegator')
    const diamond = await deploy(owner, 'DiamondLike')
    await skipHistory()
    const monitor = watch([delegator, diamond])
    // governance doing it is the approved path (no release gate in this scope: authorities approve)
    await send(owner, delegator, 'CompoundStyleDelegator', '_setImplementation', [deployer.address, false, '0x'])
    expect(await monitor.pass()).toEqual([])
    const thief = client(attacker)
    await send(thief, delegator, 'CompoundStyleDelegator', '_setImplementation', [attacker.address, false, '0x'])
    await send(thief, diamond, 'DiamondLike', 'diamondCut', [[{ facetAddress: attacker.address, action: 0, functionSelectors: ['0x12345678'] }], attacker.address, '0x'])
    const upgrades = of(await monitor.pass(), 'unapproved-upgrade')
    expect(upgrades.map((alert) => [alert.evidence['event'], alert.evidence['proxy'], alert.evidence['newValue']])).toEqual([
      ['NewImplementation', delegator, attacker.address],
      ['DiamondCut', diamond, attacker.address],
    ])
  }, 120_000)
})

describe('backtest', () => {
  test('replays a block range through the detectors and the policy: the library and `bulwark monitor backtest --json` list every alert with the response it would take', async () => {
    const owner = client(deployer)
    const token = await deploy(owner, 'PlainToken')
    const vault = await deploy(owner, 'TokenVault', [token])
    const user = client(depositors[0]!)
    await send(user, token, 'PlainToken', 'mint', [user.account.address, parseEther('1000')])
    await send(user, token, 'PlainToken', 'approve', [vault, maxUint256])
    const from = (await send(user, vault, 'TokenVault', 'deposit', [parseEther('1000')])).blockNumber
    await send(user, vault, 'TokenVault', 'withdraw', [parseEther('10')])
    const drain = await send(client(attacker), vault, 'TokenVault', 'emergencyExit', [attacker.address])
    const policy = parsePolicy({ rules: [{ name: 'contain', minScore: 70, respond: [{ kind: 'pause', via: 'pauser', targets: [vault], duration: 3600 }] }] })
    const result = await backtest({ client: reader as never, chain, scope: { contracts: [vault], releaseGates: [], authorities: [] }, detectors: createDetectors(), policy, fromBlock: from, toBlock: drain.blockNumber })
    expect(result.blocks).toBe(Number(drain.blockNumber - from) + 1)
    expect(of(result.alerts, 'large-outflow').map((alert) => alert.tx)).toContain(drain.transactionHash)
    expect(result.responses.filter((r) => r.tx === drain.transactionHash).map((r) => r.decision)).toEqual([expect.stringMatching(/^would pause/)])

    const dir = await mkdtemp(path.join(tmpdir(), 'bulwark-backtest-'))
    try {
      const io = captureIo(dir)
      const code = await main(['monitor', 'backtest', '--rpc', anvil.rpcUrl, '--address', vault, '--from-block', String(from), '--to-block', String(drain.blockNumber), '--json'], io.io)
      expect(code, io.stderr()).toBe(0)
      const printed = io.json<{ blocks: number; transactions: number; alerts: Alert[]; byDetector: Record<string, number> }>()
      expect(printed.blocks).toBe(result.blocks)
      expect(printed.transactions).toBe(3)
      expect(printed.alerts.filter((alert) => alert.detector === 'large-outflow').map((alert) => alert.tx)).toContain(drain.transactionHash)
      // a range that ends before it starts is refused
      const bad = captureIo(dir)
      expect(await main(['monitor', 'backtest', '--rpc', anvil.rpcUrl, '--address', vault, '--from-block', '10', '--to-block', '5', '--json'], bad.io)).toBe(2)
      expect(bad.json().error).toMatchObject({ code: 'BW_USAGE', message: expect.stringContaining('--to-block') as string })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
