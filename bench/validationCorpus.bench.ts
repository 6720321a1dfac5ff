/**
 * The validation corpus (test/validation-corpus) timed case by case: Bulwark's whole pipeline (cold:
 * empty build cache; warm: the same process again) beside a "stitched" baseline built in the same run
 * from what a team would glue together by hand — upgrades-core (validate, getErrors, storage upgrade
 * report on the build-info), one anvil fork, the upgrade made as the timelock on it, and a replay script
 * re-sending the same historical transactions that touch the targets (trace_filter) and comparing their
 * status and events. Bulwark also runs its extra stages (reproducibility recompile, diff review,
 * initializer safety on forks, the Safe → timelock rehearsal, exploit replay, integrator accounting).
 * Prints per-case times, the ratio Bulwark / stitched (target ≤ 1.0×) and Bulwark's costliest stages.
 * Never fails on a time. `BENCH_CASES=aave,oz5` runs only cases whose id contains one of the words.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { getStorageLayout, getStorageUpgradeReport, getErrors, getContractVersion, solcInputOutputDecoder, validate, concatRunData, withValidationDefaults, type SolcInput, type SolcOutput } from '@openzeppelin/upgrades-core'
import { encodeDeployData, encodeFunctionData, getAddress, getContractAddress, parseAbi, toHex, type Address, type Hash, type Hex } from 'viem'
import { createReadClient, createTestChainClient } from '../src/chain/clients.js'
import { startAnvil } from '../src/chain/startAnvil.js'
import { codeOutputSelection, type BuildInfo, type CompileSettings } from '../src/compile/buildInfo.js'
import { compileSources } from '../src/compile/compileSources.js'
import { getArtifact } from '../src/compile/getArtifact.js'
import { reproduceBuild } from '../src/compile/reproduceBuild.js'
import { runSolc } from '../src/compile/runSolc.js'
import { repoRoot } from '../test/protocols/compileKit.js'
import { corpusCases, type CorpusCase } from '../test/validation-corpus/cases.js'
import { startCorpusChain, type CorpusChain } from '../test/validation-corpus/corpusChain.js'
import type { CorpusTarget } from '../test/validation-corpus/manifestTemplate.js'
import { runCorpusCase } from '../test/validation-corpus/runCase.js'

const filter = process.env.BENCH_CASES?.split(',').filter(Boolean)
const cases = corpusCases.filter((testCase) => !filter || filter.some((word) => testCase.id.includes(word)))

type Stitched = { ms: number; parts: Record<'compile' | 'static' | 'fork' | 'upgrade' | 'replay', number>; verdict: 'pass' | 'fail'; why: string[]; replayed: number }

const upgradeAbi = parseAbi([
  'function upgradeTo(address)',
  'function upgradeToAndCall(address, bytes) payable',
  'function upgrade(address, address)',
  'function upgradeAndCall(address, address, bytes) payable',
])

/** How this team upgrades each of its proxies, written down once in the script (as a team would). */
function upgradeCall(chain: CorpusChain, target: CorpusTarget, implementation: Address, initializer: Hex): { authority: Address; to: Address; data: Hex } {
  const proxy = getAddress(target.proxy)
  const flash = chain.flash
  const oz5 = chain.suite.oz5
  if (proxy === getAddress(flash.vault.proxy)) return { authority: flash.timelock, to: proxy, data: encodeFunctionData({ abi: upgradeAbi, functionName: 'upgradeTo', args: [implementation] }) }
  if (proxy === getAddress(flash.oracle.proxy)) return { authority: flash.timelock, to: flash.oracle.proxyAdmin, data: encodeFunctionData({ abi: upgradeAbi, functionName: 'upgrade', args: [proxy, implementation] }) }
  if (proxy === getAddress(flash.treasury.proxy)) return { authority: flash.timelock, to: flash.treasury.beacon, data: encodeFunctionData({ abi: upgradeAbi, functionName: 'upgradeTo', args: [implementation] }) }
  const timelock = chain.suite.governance.timelock
  if (proxy === getAddress(oz5.vault.proxy)) return { authority: timelock, to: proxy, data: encodeFunctionData({ abi: upgradeAbi, functionName: 'upgradeToAndCall', args: [implementation, initializer] }) }
  if (proxy === getAddress(oz5.oracle.proxy)) return { authority: timelock, to: oz5.oracle.proxyAdmin, data: encodeFunctionData({ abi: upgradeAbi, functionName: 'upgradeAndCall', args: [proxy, implementation, '0x'] }) }
  if (proxy === getAddress(oz5.treasury.proxies[0]!)) return { authority: timelock, to: oz5.treasury.beacon, data: encodeFunctionData({ abi: upgradeAbi, functionName: 'upgradeTo', args: [implementation] }) }
  throw new Error(`no upgrade recipe for ${proxy}`)
}

/** The stitched baseline for one case: compile, upgrades-core, fork, upgrade, replay. */
async function stitched(chain: CorpusChain, testCase: CorpusCase, cacheDir: string): Promise<Stitched> {
  const started = performance.now()
  const parts = { compile: 0, static: 0, fork: 0, upgrade: 0, replay: 0 }
  const why: string[] = []
  const lap = (part: keyof typeof parts, since: number) => {
    parts[part] += performance.now() - since
    return performance.now()
  }
  const patch = testCase.patch(chain)
  const compiled: { target: CorpusTarget; bytecode: Hex; abi: readonly unknown[] }[] = []
  for (const target of patch.targets) {
    let at = performance.now()
    // The team's own build-info for the code on chain, and a compile of the patch with the same solc.
    const reference = JSON.parse(await readFile(target.reference.buildInfo, 'utf8')) as BuildInfo
    const root = path.resolve(repoRoot, target.implementation.root ?? '.')
    const sources = Object.fromEntries(await Promise.all(target.implementation.sources.map(async (source) => [source, await readFile(path.join(root, source), 'utf8')] as const)))
    const settings = target.implementation.settings as CompileSettings
    const build = await compileSources({ root, sources, solcVersion: reference.solcVersion, settings, cacheDir })
    at = lap('compile', at)
    // upgrades-core, as `validateUpgrade` does it: validate both builds, unsafe patterns, storage report.
    const newRun = validate(build.buildInfo.output as unknown as SolcOutput, solcInputOutputDecoder(build.buildInfo.input as unknown as SolcInput, build.buildInfo.output as unknown as SolcOutput), build.buildInfo.solcVersion, build.buildInfo.input as unknown as SolcInput)
    const oldRun = validate(reference.output as unknown as SolcOutput, solcInputOutputDecoder(reference.input as unknown as SolcInput, reference.output as unknown as SolcOutput), reference.solcVersion, reference.input as unknown as SolcInput)
    const artifact = getArtifact(build, target.implementation.contract)
    const newVersion = getContractVersion(newRun, `${artifact.sourceName}:${artifact.contractName}`)
    const kind = target.kind === 'beacon-proxy' ? 'beacon' : (target.kind ?? 'transparent')
    const errors = getErrors(concatRunData(newRun), newVersion, { kind })
    if (errors.length > 0) why.push(...new Set(errors.map((error) => error.kind)))
    const report = getStorageUpgradeReport(getStorageLayout(concatRunData(oldRun), getContractVersion(oldRun, target.reference.contract)), getStorageLayout(concatRunData(newRun), newVersion), withValidationDefaults({ kind }))
    if (!report.ok) why.push('storage')
    lap('static', at)
    compiled.push({ target, bytecode: artifact.bytecode, abi: artifact.abi })
  }
  // Aave's proxies are checked statically, as in Bulwark (the stitched script has no recipe either).
  if (testCase.stages === undefined) {
    let at = performance.now()
    const production = createReadClient({ rpcUrl: chain.anvil.rpcUrl })
    const proxies = patch.targets.map((target) => getAddress(target.proxy))
    const traces = (await production.request({ method: 'trace_filter', params: [{ fromBlock: toHex(0), toBlock: toHex(chain.blockNumber), toAddress: proxies }] } as never)) as { transactionHash: Hash; blockNumber: number }[]
    const hashes = [...new Set(traces.map((trace) => trace.transactionHash))].slice(-200)
    // Calls only: the proxies' own deployments are not something a patch can replay.
    const originals = (await Promise.all(hashes.map(async (hash) => ({ transaction: await production.getTransaction({ hash }), receipt: await production.getTransactionReceipt({ hash }) })))).filter(
      ({ transaction }) => transaction.to !== null,
    )
    originals.sort((a, b) => Number(a.receipt.blockNumber - b.receipt.blockNumber) || a.receipt.transactionIndex - b.receipt.transactionIndex)
    const forkBlock = originals.length > 0 ? originals[0]!.receipt.blockNumber - 1n : BigInt(chain.blockNumber)
    const fork = await startAnvil({ forkUrl: chain.anvil.rpcUrl, forkBlockNumber: forkBlock, chainId: chain.anvil.chainId })
    try {
      const client = createTestChainClient({ rpcUrl: fork.rpcUrl, chainId: chain.anvil.chainId })
      at = lap('fork', at)
      const send = async (from: Address, request: { to?: Address | undefined; data: Hex; value?: bigint; gas?: bigint }) => {
        await client.impersonateAccount({ address: from })
        const hash = (await client.request({ method: 'eth_sendTransaction', params: [{ from, ...(request.to ? { to: request.to } : {}), data: request.data, value: toHex(request.value ?? 0n), gas: toHex(request.gas ?? 10_000_000n) }] } as never)) as Hash
        return client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
      }
      const deployer = getAddress('0x00000000000000000000000000000000000bE4c1')
      await client.setBalance({ address: deployer, value: 10n ** 24n })
      let upgraded = true
      for (const { target, bytecode, abi } of compiled) {
        const nonce = await client.getTransactionCount({ address: deployer })
        await send(deployer, { data: encodeDeployData({ abi: [], bytecode }) })
        const implementation = getContractAddress({ from: deployer, nonce: BigInt(nonce) })
        const initializer = target.initializer ? encodeFunctionData({ abi, functionName: target.initializer.function, args: target.initializer.args } as never) : '0x'
        const call = upgradeCall(chain, target, implementation, initializer)
        await client.setBalance({ address: call.authority, value: 10n ** 21n })
        const receipt = await send(call.authority, { to: call.to, data: call.data })
        if (receipt.status !== 'success') {
          upgraded = false
          why.push(`upgrade of ${target.name} reverted`)
        }
      }
      at = lap('upgrade', at)
      if (upgraded && originals.length > 0) {
        // Every transaction from the first touching one to the last, in order (the touching ones need the
        // state the others leave: approvals, funding); only the touching ones are compared.
        const touching = new Set(originals.map(({ transaction }) => transaction.hash))
        const receiptOf = new Map(originals.map(({ transaction, receipt }) => [transaction.hash, receipt]))
        for (let number = originals[0]!.receipt.blockNumber; number <= originals.at(-1)!.receipt.blockNumber; number += 1n) {
          const block = await production.getBlock({ blockNumber: number, includeTransactions: true })
          for (const transaction of block.transactions) {
            const replayed = await send(transaction.from, { to: transaction.to ?? undefined, data: transaction.input, value: transaction.value, gas: transaction.gas })
            const receipt = receiptOf.get(transaction.hash)
            if (touching.has(transaction.hash) && receipt && (replayed.status !== receipt.status || replayed.logs.length !== receipt.logs.length)) {
              why.push(`replay diverged (${receipt.status} → ${replayed.status}, ${receipt.logs.length} → ${replayed.logs.length} events)`)
            }
          }
        }
      }
      lap('replay', at)
      return { ms: performance.now() - started, parts, verdict: why.length > 0 ? 'fail' : 'pass', why: [...new Set(why)], replayed: upgraded ? originals.length : 0 }
    } finally {
      await fork.stop()
    }
  }
  return { ms: performance.now() - started, parts, verdict: why.length > 0 ? 'fail' : 'pass', why: [...new Set(why)], replayed: 0 }
}

const seconds = (ms: number) => (ms / 1000).toFixed(1).padStart(6)
const chain = await startCorpusChain()
// Every solc release the cases use is loaded and run before timing, so neither side's first case pays
// the WebAssembly load or V8's optimizing recompile of the compiler's hot code (which the first real
// compiles trigger: seconds on this machine). Both sides share one loaded solc per release in this
// process, so without this whichever side ran first would warm it up for the other; Bulwark's
// reproducibility threads are warmed the same way (Bulwark keeps them loaded between runs, as this
// process keeps its own solc). The warm-up compiles each system's deployed version (the cases'
// reference build-info input, code for the reference contract only), never a candidate, so the build
// caches stay empty for both sides.
const warmDir = await mkdtemp(path.join(tmpdir(), 'bulwark-bench-solc-'))
const warmUps = [
  { buildInfo: chain.buildInfos.aaveV3, sourceName: '@aave/core-v3/contracts/protocol/pool/Pool.sol', contractName: 'Pool' },
  { buildInfo: chain.buildInfos.flashVault, sourceName: 'test/fixtures/validate-oz4/FlashVault.sol', contractName: 'FlashVault' },
  { buildInfo: chain.buildInfos.oz5, sourceName: 'test/protocols/contracts/oz5/OzVault5.sol', contractName: 'OzVault5' },
]
const warmUpStarted = performance.now()
for (const { buildInfo: file, sourceName, contractName } of warmUps) {
  const { input, solcVersion } = JSON.parse(await readFile(file, 'utf8')) as BuildInfo
  const code = { ...input, settings: { ...input.settings, outputSelection: codeOutputSelection([`${sourceName}:${contractName}`]) } }
  await Promise.all([
    runSolc(code, () => undefined, { version: solcVersion }),
    reproduceBuild({ input, solcVersion, contracts: [{ sourceName, contractName }], cacheDir: warmDir }),
  ])
}
console.log(`solc warm-up (0.8.10, 0.8.19, 0.8.24; not timed): ${((performance.now() - warmUpStarted) / 1000).toFixed(1)} s`)
await rm(warmDir, { recursive: true, force: true })
const savedCache = process.env.BULWARK_BUILD_CACHE
const rows: { id: string; bulwarkCold: number; bulwarkWarm: number; stitchedCold: number; stitchedWarm: number }[] = []
try {
  console.log(`corpus chain: ${(chain.setupMs / 1000).toFixed(1)} s to compile (cache) and deploy; cases pinned at block ${chain.blockNumber}`)
  for (const testCase of cases) {
    // Cold: empty build caches for both sides (solc releases stay fetched); warm: the same caches again.
    const bulwarkCache = await mkdtemp(path.join(tmpdir(), 'bulwark-bench-build-'))
    const stitchedCache = await mkdtemp(path.join(tmpdir(), 'bulwark-bench-stitched-'))
    try {
      process.env.BULWARK_BUILD_CACHE = bulwarkCache
      const cold = await runCorpusCase(chain, testCase)
      const warm = await runCorpusCase(chain, testCase)
      const stitchedCold = await stitched(chain, testCase, stitchedCache)
      const stitchedWarm = await stitched(chain, testCase, stitchedCache)
      rows.push({ id: testCase.id, bulwarkCold: cold.durationMs, bulwarkWarm: warm.durationMs, stitchedCold: stitchedCold.ms, stitchedWarm: stitchedWarm.ms })
      const right = warm.verdict === testCase.expected.verdict ? 'right' : 'WRONG'
      console.log(
        `\n${testCase.id} (${testCase.expected.verdict}): Bulwark cold ${seconds(cold.durationMs)} s, warm ${seconds(warm.durationMs)} s (verdict ${warm.verdict}, ${right}) | stitched cold ${seconds(stitchedCold.ms)} s, warm ${seconds(stitchedWarm.ms)} s (verdict ${stitchedWarm.verdict}${stitchedWarm.why.length ? `: ${stitchedWarm.why.slice(0, 4).join('; ')}` : ''}; ${stitchedWarm.replayed} replayed) | ratio cold ${(cold.durationMs / stitchedCold.ms).toFixed(2)}×, warm ${(warm.durationMs / stitchedWarm.ms).toFixed(2)}×`,
      )
      const top = (stageMs: Record<string, number>) =>
        Object.entries(stageMs)
          .filter(([, ms]) => ms > 0)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 4)
          .map(([stage, ms]) => `${stage} ${(ms / 1000).toFixed(1)}`)
          .join(', ')
      console.log(`  Bulwark stages (s; concurrent after build) cold: ${top(cold.stageMs)} | warm: ${top(warm.stageMs)}`)
      const parts = (p: Stitched['parts']) => Object.entries(p).map(([part, ms]) => `${part} ${(ms / 1000).toFixed(1)}`).join(', ')
      console.log(`  stitched parts (s) cold: ${parts(stitchedCold.parts)} | warm: ${parts(stitchedWarm.parts)}`)
    } finally {
      await rm(bulwarkCache, { recursive: true, force: true })
      await rm(stitchedCache, { recursive: true, force: true })
    }
  }
  const sum = (key: keyof (typeof rows)[number]) => rows.reduce((total, row) => total + (row[key] as number), 0)
  console.log(`\ncase                                   Bulwark cold  warm | stitched cold  warm | ratio cold  warm`)
  for (const row of rows) {
    console.log(
      `${row.id.padEnd(38)} ${seconds(row.bulwarkCold)} ${seconds(row.bulwarkWarm)} |      ${seconds(row.stitchedCold)} ${seconds(row.stitchedWarm)} |  ${(row.bulwarkCold / row.stitchedCold).toFixed(2).padStart(6)}× ${(row.bulwarkWarm / row.stitchedWarm).toFixed(2).padStart(5)}×`,
    )
  }
  console.log(
    `${'all cases'.padEnd(38)} ${seconds(sum('bulwarkCold'))} ${seconds(sum('bulwarkWarm'))} |      ${seconds(sum('stitchedCold'))} ${seconds(sum('stitchedWarm'))} |  ${(sum('bulwarkCold') / sum('stitchedCold')).toFixed(2).padStart(6)}× ${(sum('bulwarkWarm') / sum('stitchedWarm')).toFixed(2).padStart(5)}×  (target ≤ 1.0×)`,
  )
} finally {
  if (savedCache === undefined) delete process.env.BULWARK_BUILD_CACHE
  else process.env.BULWARK_BUILD_CACHE = savedCache
  await chain.anvil.stop()
}
