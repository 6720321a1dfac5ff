import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { connectChain } from '../../chain/connectChain.js'
import { demoEntries, demoInventoryRoots } from '../../chain/demoEntries.js'
import { deployDemoProtocol, type DemoProtocol } from '../../chain/deployDemoProtocol.js'
import { readInventory } from '../../chain/readInventory.js'
import { renderInventory } from '../../chain/renderInventory.js'
import { startAnvil } from '../../chain/startAnvil.js'
import { bulwarkRoot } from '../../compile/bulwarkRoot.js'
import { compileProject } from '../../compile/compileProject.js'
import { formatCompileSummary } from '../../compile/formatCompileSummary.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { progress } from '../io.js'
import { dashboardPort, startDashboard } from './startDashboard.js'

/** Where a running devnet leaves its RPC URL and addresses for `bulwark init` and scripts. */
export const devnetStateFile = path.join('.bulwark', 'devnet.json')

export type DevnetState = { rpcUrl: string; chainId: number; pid: number; startedAt: string; protocol: DemoProtocol }

export const devnetCommand: Command = {
  name: 'devnet',
  summary: 'Start a local anvil chain, deploy the demo protocol, print its addresses and inventory; run until Ctrl-C.',
  usage: 'bulwark devnet [--port N] [--once] [--json]',
  options: {
    port: { type: 'string', valueName: 'n', description: 'Port for anvil (default 8545; 0 picks a free port).' },
    once: { type: 'boolean', description: 'Deploy, print and stop instead of running until Ctrl-C.' },
    'api-port': { type: 'string', valueName: 'n', description: 'Port of the dashboard and API (default 7340; 0 picks a free port). Not used with --once.' },
  },
  async run({ values }, io) {
    const portText = (values.port as string | undefined) ?? '8545'
    if (!/^\d+$/.test(portText) || Number(portText) > 65_535) throw new UsageError({ message: `--port must be a port number; got "${portText}".`, usage: devnetCommand.usage })
    const report = progress(io, Boolean(values.quiet))

    report('compiling contracts/')
    // The demo is Bulwark's own Solidity, compiled from the package, wherever the user runs from.
    const build = await compileProject({ root: bulwarkRoot(), onProgress: report })
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
        const labels = Object.fromEntries([...entries.contracts, ...entries.authorities].map((entry) => [entry.address, entry.name]))
        io.stdout(renderInventory(inventory, { labels }))
        io.stdout('')
      }
      if (!values.once) {
        // The dashboard and the API over the local store, with this devnet attached (inventory, demo incident).
        const dashboard = await startDashboard({ io, devnet: { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, protocol }, port: dashboardPort(values['api-port']) })
        try {
          io.stdout(`Dashboard: ${dashboard.url}`)
          io.stderr(`Devnet running at ${anvil.rpcUrl}; dashboard at ${dashboard.url}. Play the incident with the dashboard's button or \`npx bulwark demo\`. Press Ctrl-C to stop.`)
          await io.waitForStop()
          report('stopping the dashboard and anvil')
        } finally {
          await dashboard.close()
        }
      }
    } finally {
      await rm(stateFile, { force: true })
      await anvil.stop()
    }
    return 0
  },
}
