import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { encodeFunctionData, getAddress, parseAbi, parseEther, toFunctionSelector } from 'viem'
import { createDevClient, createReadClient, type ReadClient } from '../../chain/clients.js'
import { deployContract } from '../../chain/deployContract.js'
import { getProxyInfo } from '../../chain/getProxyInfo.js'
import { getArtifact } from '../../compile/getArtifact.js'
import { devAccount, devRoles } from '../../chain/devAccounts.js'
import { startAnvil, type Anvil } from '../../chain/startAnvil.js'
import { compileOz4Fixture, deployOz4System, oz4StageContext, oz4TargetBuild, type Oz4Build, type Oz4System } from '../../../test/fixtures/validate-oz4/system.js'
import { ForkPreparationError } from '../dynamicStageErrors.js'
import { isBlocking } from '../findings.js'
import { differentialReplay } from './differentialReplay.js'
import { runDynamicStages } from './dynamicStageFixtures.js'
import { withForks } from './forkPool.js'
import { planUpgradeRoutes } from './validationFork.js'

/**
 * OpenZeppelin 4.9 proxies (solc 0.8.19): a UUPS vault, a Transparent oracle behind a 4.9 ProxyAdmin
 * and a Beacon treasury, all under Safe → timelock, with an arbitrage bot taking flash loans from the
 * vault. On 4.9 the call forms of the upgrade functions always call the new implementation (empty
 * data included), so every stage must choose upgradeTo / ProxyAdmin.upgrade.
 */
let chain: Anvil
let build: Oz4Build
let system: Oz4System
beforeAll(async () => {
  build = await compileOz4Fixture()
  chain = await startAnvil()
  system = await deployOz4System(chain, build)
}, 240_000)
afterAll(async () => chain?.stop())

const selector = (signature: string) => toFunctionSelector(`function ${signature}`)

describe('several OpenZeppelin 4.9 proxies in one patch', () => {
  test('the upgrade function is chosen from the deployed code: upgradeTo (UUPS), ProxyAdmin.upgrade (Transparent), upgradeTo (beacon); the call forms only with an initializer', async () => {
    const context = await oz4StageContext(chain, build, system, 'FlashVaultV2')
    const routes = await planUpgradeRoutes(context)
    expect(routes.map((route) => [route.target, route.kind, route.authority, route.functions.withoutData, route.upgradeInterfaceVersion])).toEqual([
      ['Vault', 'uups', system.timelock, 'upgradeTo(address)', undefined],
      ['Oracle', 'transparent', system.timelock, 'upgrade(address,address)', undefined],
      ['Treasury', 'beacon-proxy', system.timelock, 'upgradeTo(address)', undefined],
    ])
    const implementation = getAddress('0x00000000000000000000000000000000000000aa')
    expect(routes.map((route) => route.upgradeCall(implementation))).toEqual([
      { to: system.vault.proxy, data: encodeFunctionData({ abi: parseAbi(['function upgradeTo(address)']), args: [implementation] }) },
      { to: system.oracle.proxyAdmin, data: encodeFunctionData({ abi: parseAbi(['function upgrade(address,address)']), args: [system.oracle.proxy, implementation] }) },
      { to: system.treasury.beacon, data: encodeFunctionData({ abi: parseAbi(['function upgradeTo(address)']), args: [implementation] }) },
    ])

    // With an initializer call: the forms that carry it.
    const initializer = encodeFunctionData({ abi: parseAbi(['function setPrice(uint256)']), args: [7n] })
    const withInitializer = await planUpgradeRoutes({
      ...context,
      builds: [
        oz4TargetBuild(build, 'Vault', system.vault.proxy, 'FlashVaultV2', initializer),
        oz4TargetBuild(build, 'Oracle', system.oracle.proxy, 'PriceOracleV2', initializer),
      ],
    })
    expect(withInitializer.map((route) => route.upgradeCall(implementation).data.slice(0, 10))).toEqual([selector('upgradeToAndCall(address,bytes)'), selector('upgradeAndCall(address,address,bytes)')])
    expect(withInitializer.map((route) => route.upgradeCall(implementation, { withInitializer: false }).data.slice(0, 10))).toEqual([selector('upgradeTo(address)'), selector('upgrade(address,address)')])
  })

  test('a 4.9 Transparent proxy whose admin is an account: that account calls the proxy\'s own upgradeTo, and the upgrade lands on a fork', async () => {
    const admin = devAccount(4)
    const deployer = createDevClient({ rpcUrl: chain.rpcUrl, chainId: chain.chainId, account: devAccount(0) })
    const oracle = getArtifact(build, 'PriceOracle')
    const proxyArtifact = getArtifact(build, 'TransparentUpgradeableProxy')
    const { address: proxy } = await deployContract(deployer, {
      name: 'TransparentUpgradeableProxy',
      abi: proxyArtifact.abi,
      bytecode: proxyArtifact.bytecode,
      args: [system.oracle.implementation, admin.address, encodeFunctionData({ abi: oracle.abi, functionName: 'initialize', args: [system.timelock, 5n] })],
    })
    const context = await oz4StageContext(chain, build, system, 'FlashVaultV2')
    const builds = [oz4TargetBuild(build, 'AccountAdminOracle', proxy, 'PriceOracleV2')]
    const [route] = await planUpgradeRoutes({ ...context, builds })
    expect([route!.kind, route!.authority, route!.admin, route!.functions]).toEqual(['transparent', admin.address, admin.address, { withoutData: 'upgradeTo(address)', withData: 'upgradeToAndCall(address,bytes)' }])
    const implementation = getAddress('0x00000000000000000000000000000000000000aa')
    expect(route!.upgradeCall(implementation)).toEqual({ to: proxy, data: encodeFunctionData({ abi: parseAbi(['function upgradeTo(address)']), args: [implementation] }) })

    await withForks({ ...context, builds }, ['patched'], async ([fork]) => {
      const info = await getProxyInfo(fork!.client as unknown as ReadClient, { address: proxy })
      expect(info!.implementation).toBe(fork!.implementations.get('AccountAdminOracle'))
      expect(await fork!.client.readContract({ address: proxy, abi: parseAbi(['function version() view returns (uint256)']), functionName: 'version', account: devAccount(5).address })).toBe(2n)
    })
  })

  test('a correct three-proxy patch is accepted with every dynamic stage run on shared forks', async () => {
    const context = await oz4StageContext(chain, build, system, 'FlashVaultV2', {
      proofsOfConcept: [
        {
          name: 'flash-loan-repaid-by-deposit',
          contract: {
            build: { contract: 'FlashDepositPoC', sources: ['test/fixtures/validate-oz4/pocs/FlashDepositPoC.sol'] },
            args: [system.vault.proxy, system.token],
            profitToken: system.token,
          },
        },
      ],
      invariants: [
        { name: 'deposits-kept', call: { address: system.vault.proxy, signature: 'function totalDeposits() view returns (uint256)', unchanged: true } },
        { name: 'price-kept', call: { address: system.oracle.proxy, signature: 'function price() view returns (uint256)', op: 'eq', value: '1000' } },
        { name: 'oracle-v2', call: { address: system.oracle.proxy, signature: 'function version() view returns (uint256)', op: 'gte', value: '1' } },
        { name: 'treasury-owned', call: { address: system.treasury.proxy, signature: 'function owner() view returns (address)', op: 'eq', value: system.timelock } },
      ],
      differentialReplay: { transactions: 200 },
      unchangedFunctions: ['function deposit(uint256)', 'function withdraw(uint256)'],
      differentialFuzz: { sequences: 8, length: 4, seed: 7, senders: [system.arbitrageur, ...devRoles.depositors.map((index) => devAccount(index).address)], values: [parseEther('1').toString(), parseEther('100').toString()] },
    })
    const outputs = await runDynamicStages(context)
    for (const [stage, output] of Object.entries(outputs)) {
      expect({ stage, skipped: output.skipped, blocking: output.findings.filter((finding) => isBlocking(finding.severity)).map((finding) => finding.message) }).toEqual({ stage, skipped: undefined, blocking: [] })
    }
    // The rehearsal released all three through one Safe → timelock batch, and each runs the validated code.
    expect(outputs['fork-rehearsal'].data).toMatchObject({ releases: [{ timelock: system.timelock, safe: system.safe, targets: ['Vault', 'Oracle', 'Treasury'] }] })
    expect(outputs['exploit-replay'].data).toMatchObject({ proofsOfConcept: [{ unpatched: { exploited: true }, patched: { exploited: false } }] })
    expect(outputs['differential-replay'].data).toMatchObject({
      transactions: system.direct.length + system.viaIntegrator.length,
      direct: system.direct.length,
      viaIntegrators: system.viaIntegrator.length,
      integrators: { [system.arbitrageur]: system.viaIntegrator.length },
      divergent: 0,
      traceMethod: 'trace_filter',
    })
    expect(outputs['differential-replay'].summary).toContain(`(${system.direct.length} sent to the targets, ${system.viaIntegrator.length} via 1 integrator contract(s))`)
  }, 240_000)

  test('a patch that breaks every flash loan taken through the arbitrage contract is caught by the default replay; replaying only direct transactions would have passed it', async () => {
    const touching = await differentialReplay(await oz4StageContext(chain, build, system, 'FlashVaultV2StrictCallback', { differentialReplay: { transactions: 200 } }))
    const divergences = touching.findings.filter((finding) => finding.kind === 'replay-divergence')
    expect(divergences.map((finding) => (finding.details as { transaction: string }).transaction).sort()).toEqual([...system.viaIntegrator].sort())
    expect(divergences.every((finding) => finding.severity === 'high' && (finding.details as { viaIntegrator?: string }).viaIntegrator === system.arbitrageur)).toBe(true)
    expect(divergences[0]!.message).toMatch(new RegExp(`^Transaction 0x[0-9a-f]{64} \\(block \\d+, ${selector('run(uint256)')} from 0x[0-9a-fA-F]{40}, via integrator ${system.arbitrageur}\\) diverges after the patch: status success → reverted`))
    expect(touching.data).toMatchObject({ direct: system.direct.length, viaIntegrators: system.viaIntegrator.length, divergent: system.viaIntegrator.length })
    expect(touching.summary).toBe(
      `${system.direct.length + system.viaIntegrator.length} transaction(s) replayed from block ${String(touching.data!.fromBlock)} (${system.direct.length} sent to the targets, ${system.viaIntegrator.length} via 1 integrator contract(s)): ${system.viaIntegrator.length} unexpected divergence(s), 0 expected`,
    )

    // Nodes without trace_filter (geth: no trace_* at all): trace_block, then debug_traceBlockByNumber, same transactions.
    for (const [refused, method] of [[['trace_filter'], 'trace_block'], [['trace_filter', 'trace_block'], 'debug_traceBlockByNumber']] as const) {
      const relay = await startRefusingRelay(chain.rpcUrl, refused)
      try {
        const context = await oz4StageContext(chain, build, system, 'FlashVaultV2StrictCallback', { differentialReplay: { transactions: 200 } })
        const output = await differentialReplay({ ...context, client: createReadClient({ rpcUrl: relay.url }) })
        expect(output.data).toMatchObject({ traceMethod: method, direct: system.direct.length, viaIntegrators: system.viaIntegrator.length, divergent: system.viaIntegrator.length })
      } finally {
        await relay.close()
      }
    }
    const none = await startRefusingRelay(chain.rpcUrl, ['trace_filter', 'trace_block', 'debug_traceBlockByNumber'])
    try {
      const context = await oz4StageContext(chain, build, system, 'FlashVaultV2StrictCallback', { differentialReplay: { transactions: 200 } })
      const error = await differentialReplay({ ...context, client: createReadClient({ rpcUrl: none.url }) }).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(ForkPreparationError)
      expect((error as ForkPreparationError).shortMessage).toMatch(/^Could not prepare the validation fork \(find the transactions that touch the targets\): the RPC endpoint answers none of trace_filter, trace_block, debug_traceBlockByNumber \(.*\); use a node with traces, or set differentialReplay.scope to "direct"/)
    } finally {
      await none.close()
    }

    const directOnly = await differentialReplay(await oz4StageContext(chain, build, system, 'FlashVaultV2StrictCallback', { differentialReplay: { transactions: 200, scope: 'direct' } }))
    expect(directOnly.findings).toEqual([])
    expect(directOnly.data).toMatchObject({ transactions: system.direct.length, direct: system.direct.length, viaIntegrators: 0, divergent: 0 })
  }, 120_000)
})

/** A JSON-RPC relay to `upstream` that answers the `refused` methods "method not found" (-32601), like a node without them. */
async function startRefusingRelay(upstream: string, refused: readonly string[]) {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks)
      const parsed = JSON.parse(body.toString()) as { id: unknown; method: string } | { id: unknown; method: string }[]
      const answerOne = async (call: { id: unknown; method: string }) =>
        refused.includes(call.method)
          ? { jsonrpc: '2.0', id: call.id, error: { code: -32601, message: `the method ${call.method} does not exist/is not available` } }
          : ((await (await fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(call) })).json()) as unknown)
      const answer = Array.isArray(parsed) ? Promise.all(parsed.map(answerOne)) : answerOne(parsed)
      void answer.then((value) => {
        response.writeHead(200, { 'content-type': 'application/json' })
        response.end(JSON.stringify(value))
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}
