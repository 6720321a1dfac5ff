import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Address } from 'viem'
import { connectChain } from '../../chain/connectChain.js'
import { deployDemoProtocol, type DemoProtocol } from '../../chain/deployDemoProtocol.js'
import { readInventory } from '../../chain/readInventory.js'
import { renderInventory } from '../../chain/renderInventory.js'
import { startAnvil } from '../../chain/startAnvil.js'
import { compileProject } from '../../compile/compileProject.js'
import { formatCompileSummary } from '../../compile/formatCompileSummary.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { progress } from '../io.js'

/** Where a running devnet leaves its RPC URL and addresses for `bulwark init` and scripts. */
export const devnetStateFile = path.join('.bulwark', 'devnet.json')

export type DevnetState = { rpcUrl: string; chainId: number; pid: number; startedAt: string; protocol: DemoProtocol }

/** The demo's named entry points, as the project file and the inventory see them. */
export function demoEntries(protocol: DemoProtocol) {
  return {
    contracts: [
      { name: 'LendingPool', address: protocol.lendingPool.proxy, proxy: 'uups' },
      { name: 'InterestRateModel', address: protocol.interestRateModel.proxy, proxy: 'transparent' },
      { name: 'AssetStakingVault', address: protocol.rewardsVaults.assetStaking, proxy: 'beacon-proxy' },
      { name: 'RewardStakingVault', address: protocol.rewardsVaults.rewardStaking, proxy: 'beacon-proxy' },
      { name: 'RewardsVaultBeacon', address: protocol.rewardsVaults.beacon, proxy: 'beacon' },
      { name: 'DemoUSD', address: protocol.tokens.asset, proxy: 'none' },
      { name: 'DemoReward', address: protocol.tokens.reward, proxy: 'none' },
    ],
    authorities: [
      { name: 'Timelock', address: protocol.timelock, kind: 'timelock' },
      { name: 'GovernanceSafe', address: protocol.safe, kind: 'safe' },
      { name: 'ProxyAdmin', address: protocol.interestRateModel.proxyAdmin, kind: 'proxy-admin' },
      { name: 'Guardian', address: protocol.guardian, kind: 'guardian' },
    ],
  } as const satisfies {
    contracts: readonly { name: string; address: Address; proxy: string }[]
    authorities: readonly { name: string; address: Address; kind: string }[]
  }
}

/** Inventory roots: the protocol's user-facing contracts; their controllers are reached from them. */
export function demoInventoryRoots(protocol: DemoProtocol): Address[] {
  return [protocol.lendingPool.proxy, protocol.interestRateModel.proxy, protocol.rewardsVaults.assetStaking, protocol.rewardsVaults.rewardStaking]
}

export const devnetCommand: Command = {
  name: 'devnet',
  summary: 'Start a local anvil chain, deploy the demo protocol, print its addresses and inventory; run until Ctrl-C.',
  usage: 'bulwark devnet [--port N] [--once] [--json]',
  options: {
    port: { type: 'string', valueName: 'n', description: 'Port for anvil (default 8545; 0 picks a free port).' },
    once: { type: 'boolean', description: 'Deploy, print and stop instead of running until Ctrl-C.' },
  },
  async run({ values }, io) {
    const portText = (values.port as string | undefined) ?? '8545'
    if (!/^\d+$/.test(portText) || Number(portText) > 65_535) throw new UsageError({ message: `--port must be a port number; got "${portText}".`, usage: devnetCommand.usage })
    const report = progress(io, Boolean(values.quiet))

    report('compiling contracts/')
    const build = await compileProject({ root: io.cwd, onProgress: report })
    report(formatCompileSummary(build))
    report(`starting anvil on port ${portText}`)
    const anvil = await startAnvil({ port: Number(portText) })
    const stateFile = path.join(io.cwd, devnetStateFile)
    try {
      report(`anvil listening at ${anvil.rpcUrl}; deploying the demo protocol`)
      const protocol = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build, onProgress: report })
      const { client, blockNumber } = await connectChain({ rpcUrl: anvil.rpcUrl })
      report('reading the inventory')
      const inventory = await readInventory(client, { addresses: demoInventoryRoots(protocol), blockNumber, fromBlock: BigInt(protocol.fromBlock) })

      const state: DevnetState = { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, pid: process.pid, startedAt: new Date().toISOString(), protocol }
      await mkdir(path.dirname(stateFile), { recursive: true })
      await writeFile(stateFile, `${JSON.stringify(state, null, 2)}\n`)

      if (values.json) {
        io.stdout(JSON.stringify({ ok: true, rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, protocol, inventory }, null, 2))
      } else {
        const entries = demoEntries(protocol)
        const width = Math.max(...[...entries.contracts, ...entries.authorities].map((entry) => entry.name.length))
        io.stdout(`Devnet: ${anvil.rpcUrl} (chain ${anvil.chainId}), demo protocol deployed at block ${protocol.blockNumber}`)
        io.stdout('')
        io.stdout('Contracts')
        for (const entry of entries.contracts) io.stdout(`  ${entry.name.padEnd(width)}  ${entry.address}  ${entry.proxy}`)
        io.stdout('Authorities')
        for (const entry of entries.authorities) io.stdout(`  ${entry.name.padEnd(width)}  ${entry.address}  ${entry.kind}`)
        io.stdout(`  ${'Safe owners'.padEnd(width)}  ${protocol.safeOwners.join(', ')} (${protocol.threshold}-of-${protocol.safeOwners.length})`)
        io.stdout(`  ${'Attacker'.padEnd(width)}  ${protocol.attacker}`)
        io.stdout('')
        io.stdout(renderInventory(inventory))
        io.stdout('')
      }
      if (!values.once) {
        io.stderr(`Devnet running at ${anvil.rpcUrl}. Try: bulwark init && bulwark inventory. Press Ctrl-C to stop.`)
        await io.waitForStop()
        report('stopping anvil')
      }
    } finally {
      await rm(stateFile, { force: true })
      await anvil.stop()
    }
    return 0
  },
}
