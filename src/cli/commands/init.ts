import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { connectChain } from '../../chain/connectChain.js'
import { ProjectExistsError } from '../../config/errors.js'
import { defaultProjectFile, parseProject } from '../../config/loadProject.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { demoEntries, demoReleaseConfig } from '../../chain/demoEntries.js'
import { devnetStateFile, type DevnetState } from './devnet.js'

export const initCommand: Command = {
  name: 'init',
  summary: 'Write a project file (bulwark.json) for the running devnet: its chain, contracts and authorities.',
  usage: 'bulwark init [--project FILE] [--force] [--json]',
  options: {
    project: { type: 'string', valueName: 'file', description: 'Where to write the project file (default: bulwark.json).' },
    force: { type: 'boolean', description: 'Overwrite an existing project file.' },
  },
  async run({ values }, io) {
    const file = path.resolve(io.cwd, (values.project as string | undefined) ?? defaultProjectFile)
    if (existsSync(file) && !values.force) throw new ProjectExistsError({ path: file })
    const stateFile = path.join(io.cwd, devnetStateFile)
    if (!existsSync(stateFile)) {
      throw new UsageError({ message: `No running devnet found (${devnetStateFile} is missing). Start one with \`bulwark devnet\` in another terminal, then run \`bulwark init\`.` })
    }
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as DevnetState
    // A devnet that died without cleaning up leaves a stale file: refuse rather than write dead addresses.
    await connectChain({ rpcUrl: state.rpcUrl })

    const entries = demoEntries(state.protocol)
    const project = {
      version: 1,
      name: 'demo-lending',
      chains: { devnet: { chainId: state.chainId, rpcUrl: state.rpcUrl } },
      contracts: entries.contracts.map((entry) => ({ name: entry.name, chain: 'devnet', address: entry.address, proxy: entry.proxy })),
      authorities: entries.authorities.map((entry) => ({ name: entry.name, chain: 'devnet', kind: entry.kind, address: entry.address })),
      // Release routes (bulwark release plan): older devnet state files may predate the council and the deployer.
      ...(state.protocol.securityCouncil && state.protocol.create2Deployer ? { release: { chain: 'devnet', ...demoReleaseConfig(state.protocol) } } : {}),
    }
    const text = `${JSON.stringify(project, null, 2)}\n`
    parseProject(text, file) // what we write must load back
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, text)
    if (values.json) io.stdout(JSON.stringify({ ok: true, path: file, project }, null, 2))
    else io.stdout(`Wrote ${path.relative(io.cwd, file) || file}: ${project.contracts.length} contracts, ${project.authorities.length} authorities on chain "devnet" (${state.rpcUrl}).`)
    return 0
  },
}
