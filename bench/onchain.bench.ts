/**
 * Gas of Bulwark's on-chain components on the demo protocol (local anvil): a release of the demo's
 * three proxies through the ReleaseGate, an emergency pause through the seal, a partial pause, and
 * the circuit breaker's overhead per guarded outflow (target: under 10,000 gas).
 * Gas is deterministic for a given compiler and EVM version; these are figures, not gates.
 */
import path from 'node:path'
import { encodeFunctionData, keccak256, parseEther, toFunctionSelector, toHex, type Abi, type Address, type Hash, type Hex } from 'viem'
import { circuitBreakerAbi } from '../src/chain/circuitBreakerAbi.js'
import { createDevClient, createTestChainClient } from '../src/chain/clients.js'
import { deployContract } from '../src/chain/deployContract.js'
import { demoAuditorAccountIndices, deployDemoProtocol, demoSealMaxPauseDuration } from '../src/chain/deployDemoProtocol.js'
import { devAccount, devRoles } from '../src/chain/devAccounts.js'
import { encodeReleaseCalls } from '../src/chain/encodeReleaseCalls.js'
import { scheduleAndExecuteViaSafe } from '../src/chain/scheduleAndExecuteViaSafe.js'
import { signReleaseAttestation } from '../src/chain/signReleaseAttestation.js'
import { startAnvil } from '../src/chain/startAnvil.js'
import { compileProject } from '../src/compile/compileProject.js'
import { getArtifact } from '../src/compile/getArtifact.js'

const root = path.resolve(import.meta.dirname, '..')
const anvil = await startAnvil()
try {
  const build = await compileProject({ root })
  const demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
  const client = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
  const deployer = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.deployer) })
  const guardian = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.guardian) })
  const abiOf = (name: string) => getArtifact(build, name).abi
  const deploy = async (name: string, args: readonly unknown[] = []) => {
    const artifact = getArtifact(build, name)
    return (await deployContract(deployer, { name, abi: artifact.abi, bytecode: artifact.bytecode, args })).address
  }
  const gasOf = async (hash: Hash) => (await client.waitForTransactionReceipt({ hash, pollingInterval: 20 })).gasUsed
  const send = async (from: typeof deployer, to: Address, abi: Abi | readonly unknown[], functionName: string, args: readonly unknown[] = []) =>
    gasOf(await from.sendTransaction({ to, data: encodeFunctionData({ abi: abi as Abi, functionName, args }) }))
  /** Gas of a call from `from` (impersonated), as its own transaction. */
  const sendAs = async (from: Address, to: Address, data: Hex) => {
    await client.impersonateAccount({ address: from })
    await client.setBalance({ address: from, value: parseEther('10') })
    const request = client.request as unknown as (args: { method: string; params: unknown[] }) => Promise<Hash>
    const gas = await gasOf(await request({ method: 'eth_sendTransaction', params: [{ from, to, data, gas: '0x1c9c380' }] }))
    await client.stopImpersonatingAccount({ address: from })
    return gas
  }
  const rows: [string, bigint, string][] = []
  // anvil consumes a snapshot when reverting to it, so each revert is followed by a new one.
  let baseline = await client.snapshot()

  // 1. A release of the demo's three proxies (UUPS, Transparent, Beacon) through the gate.
  const implementations = [await deploy('LendingPoolV2'), await deploy('InterestRateModel'), await deploy('RewardsVault')]
  const codehashes = await Promise.all(implementations.map(async (address) => keccak256((await client.getCode({ address }))!)))
  const attestation = { gate: demo.releaseGate, chainId: anvil.chainId, patchId: keccak256(toHex('bench')), reportHash: keccak256(toHex('bench report')), codehashes }
  const signatures = await Promise.all(demoAuditorAccountIndices.slice(0, 2).map((index) => signReleaseAttestation(devAccount(index), attestation)))
  const [approve, release] = encodeReleaseCalls({
    ...attestation,
    signatures,
    upgrades: [
      { kind: 'uups', proxy: demo.lendingPool.proxy, implementation: implementations[0]! },
      { kind: 'transparent', proxy: demo.interestRateModel.proxy, admin: demo.interestRateModel.proxyAdmin, implementation: implementations[1]! },
      { kind: 'beacon', proxy: demo.rewardsVaults.beacon, implementation: implementations[2]! },
    ],
  })
  const atRelease = await client.snapshot()
  const approveGas = await sendAs(demo.timelock, demo.releaseGate, approve.data)
  const releaseGas = await sendAs(demo.timelock, demo.releaseGate, release.data)
  rows.push(['gate.approvePatch (2-of-3 attestations, 3 codehashes)', approveGas, 'its own transaction, from the timelock'])
  rows.push(['gate.release (3 proxies: UUPS + Transparent + Beacon)', releaseGas, 'its own transaction, from the timelock'])
  await client.revert({ id: atRelease })
  const governed = await scheduleAndExecuteViaSafe({
    rpcUrl: anvil.rpcUrl,
    chainId: anvil.chainId,
    safe: demo.safe,
    timelock: demo.timelock,
    calls: [approve, release],
    signers: [devAccount(devRoles.safeOwners[0]), devAccount(devRoles.safeOwners[1])],
  })
  rows.push(['Safe → timelock executeBatch [approvePatch, release]', await gasOf(governed.executeTransactionHash), 'the whole release transaction'])
  await client.revert({ id: baseline })
  baseline = await client.snapshot()

  // 2. Pauses.
  const afterPauses = await client.snapshot()
  rows.push(['seal.seal([pool], 7 days) (one-shot emergency pause)', await send(guardian, demo.pauseSeal.address, abiOf('EmergencyPauseSeal'), 'seal', [[demo.lendingPool.proxy], BigInt(demoSealMaxPauseDuration)]), 'guardian as committee'])
  await client.revert({ id: afterPauses })
  rows.push(['pool.pause() (OpenZeppelin full pause, for comparison)', await send(guardian, demo.lendingPool.proxy, abiOf('LendingPool'), 'pause'), 'guardian'])
  rows.push(['pool.pauseSelector(withdraw) (partial pause)', await send(guardian, demo.lendingPool.proxy, abiOf('LendingPool'), 'pauseSelector', [toFunctionSelector('withdraw(uint256)')]), 'guardian'])
  rows.push(['pool.pauseAsset(dUSD) (partial pause)', await send(guardian, demo.lendingPool.proxy, abiOf('LendingPool'), 'pauseAsset', [demo.tokens.asset]), 'guardian'])
  await client.revert({ id: baseline })

  // 3. Breaker overhead: the same transfer with and without asking the breaker, each in a fresh transaction (cold storage).
  const breaker = await deploy('CircuitBreaker', [deployer.account.address])
  const token = await deploy('DemoToken', ['Bench', 'BNC', deployer.account.address, parseEther('1000000')])
  const vault = await deploy('GuardedVaultHarness', [breaker])
  await send(deployer, token, abiOf('DemoToken'), 'transfer', [vault, parseEther('1000')])
  await send(deployer, breaker, circuitBreakerAbi, 'setRule', [vault, token, parseEther('1000000'), 3600n])
  const recipient = devAccount(7).address
  // Warm the recipient's balance slot once, so both series pay the same for the token transfer.
  await send(deployer, vault, abiOf('GuardedVaultHarness'), 'sendUnguarded', [token, recipient, 1n])
  const samples = 5
  const overheads: bigint[] = []
  for (let index = 0; index < samples; index += 1) {
    const unguarded = await send(deployer, vault, abiOf('GuardedVaultHarness'), 'sendUnguarded', [token, recipient, parseEther('1')])
    const guarded = await send(deployer, vault, abiOf('GuardedVaultHarness'), 'sendGuarded', [token, recipient, parseEther('1')])
    overheads.push(guarded - unguarded)
  }
  const worst = overheads.reduce((max, value) => (value > max ? value : max), 0n)
  rows.push(['breaker overhead per guarded outflow (worst of 5)', worst, `samples ${overheads.join(', ')}; target < 10000`])

  // The same on the demo pool: withdraw with the breaker, then with the breaker switched off by the admin.
  const dave = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.depositors[3]) })
  await send(dave, demo.lendingPool.proxy, abiOf('LendingPool'), 'withdraw', [parseEther('1')])
  const withBreaker = await send(dave, demo.lendingPool.proxy, abiOf('LendingPool'), 'withdraw', [parseEther('1')])
  await sendAs(demo.timelock, demo.lendingPool.proxy, encodeFunctionData({ abi: abiOf('LendingPool'), functionName: 'setCircuitBreaker', args: ['0x0000000000000000000000000000000000000000'] }))
  const withoutBreaker = await send(dave, demo.lendingPool.proxy, abiOf('LendingPool'), 'withdraw', [parseEther('1')])
  rows.push(['pool.withdraw with breaker − without (demo pool)', withBreaker - withoutBreaker, `${withBreaker} vs ${withoutBreaker} gas`])

  const width = Math.max(...rows.map(([name]) => name.length))
  console.log('On-chain components: gas (anvil, solc 0.8.30, optimizer 200 runs, cancun)')
  for (const [name, gas, note] of rows) console.log(`  ${name.padEnd(width)}  ${String(gas).padStart(9)}  ${note}`)
  console.log(`  breaker overhead vs target: ${((Number(worst) / 10_000) * 100).toFixed(1)}% of 10,000 gas`)
  console.log(`  release gas per proxy: ${(Number(releaseGas) / 3).toFixed(0)}`)
} finally {
  await anvil.stop()
}
