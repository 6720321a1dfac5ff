/**
 * `bulwark intel scan` cost for 100 deployed implementations on local anvil: 100 ERC-1967 proxies,
 * each over its own implementation built on a vulnerable or fixed OpenZeppelin release.
 * Prints figures and ratios; never fails on an absolute time.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { encodeFunctionData, type Address } from 'viem'
import { createDevClient, createReadClient } from '../src/chain/clients.js'
import { deployContract } from '../src/chain/deployContract.js'
import { devAccount } from '../src/chain/devAccounts.js'
import { startAnvil } from '../src/chain/startAnvil.js'
import { compileSources } from '../src/compile/compileSources.js'
import { getArtifact } from '../src/compile/getArtifact.js'
import { fingerprintDeployments, type DeploymentTarget } from '../src/intel/fingerprintDeployments.js'
import { matchAdvisories } from '../src/intel/matchAdvisories.js'
import { readFeed } from '../src/intel/readFeed.js'

const count = Number(process.env.BENCH_IMPLEMENTATIONS ?? 100)
const iterations = Number(process.env.BENCH_ITERATIONS ?? 5)
const root = path.resolve(import.meta.dirname, '..')
const kinds = ['UupsVault431', 'UupsVault432', 'SignatureVault470', 'SignatureVault473'] as const

const anvil = await startAnvil()
try {
  const files = [...kinds, 'IntelProxy']
  const sources = Object.fromEntries(files.map((name) => [`contracts/test/intel/${name}.sol`, readFileSync(path.join(root, 'contracts/test/intel', `${name}.sol`), 'utf8')]))
  const build = await compileSources({ root, sources })
  const dev = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(0) })
  const proxy = getArtifact(build, 'IntelProxy')
  const targets: DeploymentTarget[] = []
  const deployStarted = performance.now()
  for (let i = 0; i < count; i += 1) {
    const kind = kinds[i % kinds.length]!
    const { abi, bytecode } = getArtifact(build, kind)
    const { address: implementation } = await deployContract(dev, { name: kind, abi, bytecode, args: kind.startsWith('Signature') ? [devAccount(1).address] : [] })
    const data = kind.startsWith('Uups') ? encodeFunctionData({ abi, functionName: 'initialize' }) : '0x'
    const { address } = await deployContract(dev, { name: 'proxy', abi: proxy.abi, bytecode: proxy.bytecode, args: [implementation, data] })
    targets.push({ name: `${kind}-${i}`, address: address as Address, buildInfo: build.buildInfoPath, source: `contracts/test/intel/${kind}.sol:${kind}` })
  }
  console.log(`deployed ${count} proxies + implementations in ${((performance.now() - deployStarted) / 1000).toFixed(1)} s`)

  const feed = await readFeed()
  const client = createReadClient({ rpcUrl: anvil.rpcUrl })
  const blockNumber = await client.getBlockNumber()

  async function measure(withBuildInfo: boolean) {
    const scoped = withBuildInfo ? targets : targets.map(({ name, address }) => ({ name, address }))
    const read: number[] = []
    const match: number[] = []
    let matches = 0
    for (let i = 0; i < iterations; i += 1) {
      const started = performance.now()
      const { implementations } = await fingerprintDeployments(client, { chain: 'local', targets: scoped, root, blockNumber })
      const described = performance.now()
      matches = matchAdvisories({ advisories: feed.advisories, implementations }).length
      read.push(described - started)
      match.push(performance.now() - described)
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
    return { readMs: median(read), matchMs: median(match), matches }
  }

  for (const [label, withBuildInfo] of [['build-info', true], ['bytecode only', false]] as const) {
    const result = await measure(withBuildInfo)
    const total = result.readMs + result.matchMs
    console.log(
      `${label.padEnd(13)}: scan of ${count} implementations × ${feed.advisories.length} advisories: ${total.toFixed(0)} ms median ` +
        `(inventory + fingerprint ${result.readMs.toFixed(0)} ms, matching ${result.matchMs.toFixed(1)} ms; ${(total / count).toFixed(1)} ms per implementation), ${result.matches} matches`,
    )
  }
} finally {
  await anvil.stop()
}
