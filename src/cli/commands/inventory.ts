import path from 'node:path'
import type { Address } from 'viem'
import { connectChain } from '../../chain/connectChain.js'
import { diffInventory, renderInventoryDiff } from '../../chain/diffInventory.js'
import { parseAddress } from '../../chain/parseAddress.js'
import { readInventory, type Inventory } from '../../chain/readInventory.js'
import { renderInventory } from '../../chain/renderInventory.js'
import { redactSecrets } from '../../errors/BaseError.js'
import { ProjectInvalidError } from '../../config/errors.js'
import { loadProject, resolveRpcUrl } from '../../config/loadProject.js'
import { NoSnapshotError } from '../../store/errors.js'
import { getLatestInventorySnapshot, inventoryScope, saveInventorySnapshot } from '../../store/inventorySnapshots.js'
import { openStore } from '../../store/openStore.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { progress, type CliIo } from '../io.js'

const severities = ['low', 'medium', 'high', 'critical'] as const

export const inventoryCommand: Command = {
  name: 'inventory',
  summary: "Read a live protocol's proxies, implementations and chain of control from the chain; flag risky configurations.",
  usage: 'bulwark inventory (--rpc URL --address A [--address B …] | [--project FILE] [--chain NAME]) [--diff] [--no-save] [--fail-on SEVERITY] [--json]',
  options: {
    rpc: { type: 'string', valueName: 'url', description: 'RPC endpoint to read from (overrides the project file).' },
    address: { type: 'string', multiple: true, valueName: 'address', description: 'A contract to start from; repeat for several.' },
    project: { type: 'string', valueName: 'file', description: 'Project file naming chains and contracts (default: bulwark.json).' },
    chain: { type: 'string', valueName: 'name', description: 'Which chain of the project file to read (default: its first chain).' },
    diff: { type: 'boolean', description: 'Show what changed since the last snapshot of the same contracts.' },
    'no-save': { type: 'boolean', description: 'Do not record this inventory as a snapshot.' },
    'fail-on': { type: 'string', valueName: 'severity', description: 'Exit 1 when a finding has this severity or higher (low|medium|high|critical).' },
    'from-block': { type: 'string', valueName: 'n', description: 'First block to scan for role events (default 0).' },
  },
  async run({ values }, io) {
    const report = progress(io, Boolean(values.quiet) || Boolean(values.json))
    const failOn = values['fail-on'] as string | undefined
    if (failOn !== undefined && !severities.includes(failOn as never)) {
      throw new UsageError({ message: `--fail-on must be one of ${severities.join(', ')}; got "${failOn}".`, usage: inventoryCommand.usage })
    }
    const fromBlock = parseBlock(values['from-block'] as string | undefined)
    const { rpcUrl, addresses, labels, expectedChain } = await resolveTargets(values, io)

    report(`connecting to ${redactSecrets(rpcUrl)}`)
    const { client, chainId, blockNumber } = await connectChain({ rpcUrl })
    if (expectedChain && expectedChain.chainId !== chainId) {
      throw new ProjectInvalidError({
        file: expectedChain.file,
        issues: [{ path: `chains.${expectedChain.name}.chainId`, message: `is ${expectedChain.chainId} but the RPC endpoint serves chain ${chainId}` }],
      })
    }
    report(`reading ${addresses.length} contract(s) at block ${blockNumber}`)
    const inventory = await readInventory(client, { addresses, blockNumber, ...(fromBlock === undefined ? {} : { fromBlock }) })

    const scope = inventoryScope(addresses)
    const store = await openStore({ databaseUrl: io.env.DATABASE_URL, dataDir: path.join(io.cwd, '.bulwark', 'db') })
    let changes: ReturnType<typeof diffInventory> | undefined
    let previousBlock: bigint | undefined
    try {
      const previous = values.diff ? await getLatestInventorySnapshot<Inventory>(store, { chainId, scope }) : undefined
      if (!values['no-save']) await saveInventorySnapshot(store, { chainId, scope, blockNumber, inventory })
      if (values.diff) {
        if (!previous) throw new NoSnapshotError({ chainId, scope })
        previousBlock = previous.blockNumber
        changes = diffInventory(previous.inventory, inventory)
      }
    } finally {
      await store.close()
    }

    const failing = failOn === undefined ? [] : inventory.findings.filter((f) => severities.indexOf(f.severity) >= severities.indexOf(failOn as never))
    if (values.json) {
      io.stdout(
        JSON.stringify(
          { ok: failing.length === 0, inventory, ...(changes ? { diff: { sinceBlock: previousBlock?.toString(), changes } } : {}) },
          null,
          2,
        ),
      )
    } else {
      io.stdout(renderInventory(inventory, { labels }))
      if (changes) {
        io.stdout('')
        io.stdout(`Changes since block ${previousBlock}:`)
        io.stdout(renderInventoryDiff(changes))
      }
    }
    return failing.length > 0 ? 1 : 0
  },
}

/** Authorities that are contracts by definition; guardians and pausers are often plain keys, reached through role edges. */
const contractAuthorityKinds = new Set(['safe', 'timelock', 'proxy-admin', 'security-council'])

type Targets = {
  rpcUrl: string
  addresses: Address[]
  /** Names from the project file, shown in the tree. */
  labels: Record<Address, string>
  expectedChain?: { file: string; name: string; chainId: number }
}

async function resolveTargets(values: Record<string, unknown>, io: CliIo): Promise<Targets> {
  const given = (values.address as string[] | undefined) ?? []
  const addresses = given.map((value, index) => parseAddress(value, `--address #${index + 1}`))
  let rpcUrl = values.rpc as string | undefined
  if (rpcUrl !== undefined && addresses.length > 0) return { rpcUrl: checkUrl(rpcUrl), addresses, labels: {} }

  // Whatever the flags leave open comes from the project file.
  const file = path.resolve(io.cwd, (values.project as string | undefined) ?? 'bulwark.json')
  if (values.project === undefined && rpcUrl === undefined && addresses.length === 0) {
    const { existsSync } = await import('node:fs')
    if (!existsSync(file)) {
      throw new UsageError({ message: 'Give --rpc and at least one --address, or a project file (bulwark.json, or --project FILE).', usage: inventoryCommand.usage })
    }
  }
  const project = await loadProject(file)
  const chainName = (values.chain as string | undefined) ?? Object.keys(project.chains)[0]!
  rpcUrl ??= resolveRpcUrl(project, chainName, file)
  if (addresses.length === 0) {
    const entries = [...project.contracts, ...project.authorities.filter((authority) => contractAuthorityKinds.has(authority.kind))]
    for (const entry of entries) if (entry.chain === chainName) addresses.push(parseAddress(entry.address, `${file}: ${entry.name}`))
  }
  if (addresses.length === 0) throw new UsageError({ message: `The project file names no contracts on chain "${chainName}"; give --address.`, usage: inventoryCommand.usage })
  const expectedChainId = project.chains[chainName]?.chainId
  const labels: Record<Address, string> = {}
  for (const entry of [...project.contracts, ...project.authorities]) if (entry.chain === chainName) labels[parseAddress(entry.address)] = entry.name
  return {
    rpcUrl: checkUrl(rpcUrl),
    addresses,
    labels,
    ...(expectedChainId === undefined || values.rpc !== undefined ? {} : { expectedChain: { file, name: chainName, chainId: expectedChainId } }),
  }
}

function checkUrl(url: string): string {
  if (!/^https?:\/\/\S+$/.test(url)) throw new UsageError({ message: `--rpc must be an http(s):// URL; got "${redactSecrets(url)}".` })
  return url
}

function parseBlock(value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) throw new UsageError({ message: `--from-block must be a block number; got "${value}".` })
  return BigInt(value)
}
