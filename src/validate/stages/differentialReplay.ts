import { getAddress, getContractAddress, toHex, zeroAddress, type Address, type Hash, type Hex, type Log, type Transaction } from 'viem'
import { reasonOf } from '../../chain/deployContract.js'
import { createFinding } from '../findings.js'
import type { Finding, JsonObject, Stage, StageContext } from '../stage.js'
import { ForkPreparationError } from '../dynamicStageErrors.js'
import { createTouchFinder } from './touchingTransactions.js'
import { forkDeployer, planUpgradeRoutes, startValidationFork, type UpgradeRoute, type ValidationFork } from './validationFork.js'

/** What one transaction did on the fork: everything the comparison looks at. */
export type ReplayEffects = {
  status: 'success' | 'reverted'
  /** Top-level return data, or revert data. */
  output: Hex
  logs: { address: Address; topics: readonly Hex[]; data: Hex }[]
  /** Net balance change per account (decimal wei), from the prestate diff; zero changes omitted. */
  balances: Record<string, string>
  /** Value after the transaction of every storage slot it changed: `address:slot` → word. */
  storage: Record<string, Hex>
}

type BlockToReplay = { number: bigint; timestamp: bigint; transactions: Transaction[] }

/** Blocks fetched per JSON-RPC batch while looking back for the transactions to replay. */
const scanChunk = 100n

/**
 * Differential replay: the last N transactions that touch the target proxies, taken from the chain's
 * history — by default every transaction whose trace calls a target at any depth (sent to it, or
 * through an integrator: a router, a multicall, an arbitrage or flash-loan contract), found with
 * `trace_filter` / `trace_block` / `debug_traceBlockByNumber`; with `scope: 'direct'` only those
 * sent to one — are replayed on a fork taken just before the first of them, every transaction of every
 * block in the range in original order and at the original timestamps (each sender impersonated,
 * same calldata, value and gas limit, gas price 0 so balance effects are the transaction's own).
 *
 * Each block is run twice from the same state: first with the upgrade applied at the start of the
 * block (patched), then — after reverting to a snapshot — as it happened (unpatched), which is the
 * state the next block continues from. So every transaction is compared from the exact pre-state it
 * had in production, and one divergence does not cascade into every later transaction: each finding
 * names the one transaction that behaves differently. Compared: status, return data, events, net
 * balance changes and storage writes. A block holding none of the selected transactions is run once,
 * as it happened (nothing in it is compared; it only carries the state on).
 */
export const differentialReplay: Stage = async (context) => {
  const config = context.manifest.differentialReplay
  if (!config) return { findings: [], skipped: 'differential replay is not configured in the manifest' }
  const targets = new Set(context.builds.map((build) => build.proxy.toLowerCase()))
  // Fails early (no proxy, no authority) before any history is read.
  const pinnedRoutes = await planUpgradeRoutes(context)

  const { blocks, selected, traceMethod } = config.hashes
    ? { ...(await blocksOfHashes(context, config.hashes as Hash[])), traceMethod: undefined }
    : await historyOnce(context, targets, config.transactions, BigInt(config.fromBlock ?? 0), config.scope)
  if (selected.size === 0) {
    return { findings: [], skipped: `no transaction ${config.scope === 'direct' ? 'sent to' : 'touching'} the targets found up to block ${context.blockNumber}`, data: { transactions: 0, direct: 0, viaIntegrators: 0 } }
  }
  const forkBlock = blocks[0]!.number - 1n
  // Direct: sent to a target. Via integrators: sent elsewhere (a router, an arbitrage or flash-loan contract…) that calls a target.
  const integratorOf = new Map<string, Address>()
  for (const block of blocks) {
    for (const transaction of block.transactions) {
      const hash = transaction.hash.toLowerCase()
      if (selected.has(hash) && !(transaction.to && targets.has(transaction.to.toLowerCase()))) integratorOf.set(hash, transaction.to ? getAddress(transaction.to) : zeroAddress)
    }
  }
  const integrators: Record<string, number> = {}
  for (const integrator of integratorOf.values()) integrators[integrator] = (integrators[integrator] ?? 0) + 1
  const counts = `${selected.size - integratorOf.size} sent to the targets, ${integratorOf.size} via ${Object.keys(integrators).length} integrator contract(s)`
  context.progress(`replaying ${selected.size} transaction(s) touching the targets (${counts}) from blocks ${blocks[0]!.number}–${blocks.at(-1)!.number} (${blocks.reduce((sum, block) => sum + block.transactions.length, 0)} in all)`)

  const originals = new Map<string, { status: 'success' | 'reverted'; logs: readonly Log[] }>()
  const readOriginals = Promise.all([...selected].map(async (hash) => {
    const receipt = await context.client.getTransactionReceipt({ hash: hash as Hash })
    originals.set(hash, { status: receipt.status, logs: receipt.logs })
  }))

  // A node that prunes state (anvil keeps 64 blocks here, many full nodes 128) cannot be forked that far back.
  await context.client.getBalance({ address: forkDeployer, blockNumber: forkBlock }).catch((error: unknown) => {
    throw new ForkPreparationError({
      step: `read state at block ${forkBlock}`,
      reason: `the RPC endpoint cannot serve state that old (${reasonOf(error).split('\n')[0]}); use an archive node, or replay fewer transactions (differentialReplay.transactions / fromBlock)`,
      cause: error,
    })
  })
  // The upgrade is made as the authority of the replayed blocks, which may not be today's (an owner
  // handed over to a timelock since); when the proxies cannot be planned there, as of the pinned block.
  // The fork starts meanwhile: these reads go to the production endpoint, not to it.
  const starting = startValidationFork({ ...context, blockNumber: forkBlock }, ['--order', 'fifo'])
  const [routes, fork] = await Promise.all([
    planUpgradeRoutes({ ...context, blockNumber: forkBlock }).catch(() => pinnedRoutes),
    starting,
    readOriginals,
  ]).then(([routes, fork]) => [routes, fork] as const, async (error: unknown) => {
    await starting.then((fork) => fork.stop(), () => {})
    throw error
  })
  try {
    await fork.client.setAutomine(false)
    // Every historical sender sends as itself: one setting instead of one impersonation per transaction.
    await fork.client.request({ method: 'anvil_autoImpersonateAccount', params: [true] } as never)
    const implementations = await placeImplementations(fork, routes)
    const upgrades = routes.map((route, index) => ({ target: route.target, from: route.authority, ...route.upgradeCall(implementations[index]!) }))
    const results = new Map<string, { patched: ReplayEffects; unpatched: ReplayEffects }>()
    try {
      for (const block of blocks) {
        // A block with nothing to compare is run once, as it happened: it only carries the state on.
        if (!block.transactions.some((transaction) => selected.has(transaction.hash.toLowerCase()))) {
          await replayBlock(fork, block, selected, [])
          continue
        }
        const snapshot = await fork.client.snapshot()
        const patched = await replayBlock(fork, block, selected, upgrades)
        await fork.client.revert({ id: snapshot })
        const unpatched = await replayBlock(fork, block, selected, [])
        for (const [hash, effects] of unpatched) results.set(hash, { unpatched: effects, patched: patched.get(hash)! })
      }
    } catch (error) {
      // The upgrade itself reverting is a fact about the patch, not a replay that could not run.
      if (!(error instanceof ForkPreparationError && error.revertedUpgrade)) throw error
      const { target, transaction } = error.revertedUpgrade
      return {
        findings: [createFinding('differential-replay', 'upgrade-reverted', { target, message: `${target}: the upgrade reverted at the start of the first replayed block (transaction ${transaction}); no transaction could be replayed after it`, details: { transaction } })],
        summary: `the upgrade of ${target} reverted: nothing replayed`,
        data: { transactions: 0, upgradeReverted: { target, transaction } },
      }
    }

    const expected = new Map(config.expectDivergence.map((entry) => [entry.transaction.toLowerCase(), entry.reason]))
    const findings: Finding[] = []
    let divergent = 0
    const diverged = new Set<string>()
    for (const block of blocks) {
      for (const transaction of block.transactions) {
        const hash = transaction.hash.toLowerCase()
        const result = results.get(hash)
        if (!result) continue
        const original = originals.get(hash)!
        const unfaithful = faithfulness(original, result.unpatched)
        if (unfaithful) {
          findings.push(createFinding('differential-replay', 'replay-unfaithful', {
            message: `Transaction ${transaction.hash} (block ${block.number}) replays differently from the original on the unpatched fork: ${unfaithful}`,
            details: { transaction: transaction.hash, block: block.number.toString() },
          }))
        }
        const differences = compareEffects(result.unpatched, result.patched)
        if (differences.length === 0) continue
        diverged.add(hash)
        const reason = expected.get(hash)
        const details: JsonObject = {
          transaction: transaction.hash,
          block: block.number.toString(),
          from: transaction.from,
          ...(transaction.to ? { to: transaction.to } : {}),
          ...(integratorOf.has(hash) ? { viaIntegrator: integratorOf.get(hash)! } : {}),
          selector: transaction.input.slice(0, 10),
          differences,
          ...(reason !== undefined ? { expectedReason: reason } : {}),
        }
        const summary = `Transaction ${transaction.hash} (block ${block.number}, ${transaction.input.slice(0, 10)} from ${transaction.from}${integratorOf.has(hash) ? `, via integrator ${integratorOf.get(hash)!}` : ''}) diverges after the patch: ${differences.slice(0, 3).join('; ')}${differences.length > 3 ? `; and ${differences.length - 3} more` : ''}`
        if (reason !== undefined) {
          findings.push(createFinding('differential-replay', 'replay-divergence-expected', { message: `${summary}. Expected: ${reason}`, details }))
        } else {
          divergent += 1
          findings.push(createFinding('differential-replay', 'replay-divergence', { message: summary, details }))
        }
      }
    }
    for (const [hash, reason] of expected) {
      if (!diverged.has(hash)) {
        findings.push(createFinding('differential-replay', 'replay-expected-unused', {
          message: `Transaction ${hash} is marked as an expected divergence (${reason}) but ${results.has(hash) ? 'behaves the same after the patch' : 'was not replayed'}`,
          details: { transaction: hash, reason },
        }))
      }
    }
    return {
      findings,
      summary: `${results.size} transaction(s) replayed from block ${blocks[0]!.number} (${counts}): ${divergent} unexpected divergence(s), ${diverged.size - divergent} expected`,
      data: {
        transactions: results.size,
        direct: selected.size - integratorOf.size,
        viaIntegrators: integratorOf.size,
        integrators,
        scope: config.hashes ? 'hashes' : config.scope,
        ...(traceMethod ? { traceMethod } : {}),
        transactionsInRange: blocks.reduce((sum, block) => sum + block.transactions.length, 0),
        fromBlock: blocks[0]!.number.toString(),
        toBlock: blocks.at(-1)!.number.toString(),
        forkBlock: forkBlock.toString(),
        divergent,
        expected: diverged.size - divergent,
      },
    }
  } finally {
    await fork.stop()
  }
}

type History = Awaited<ReturnType<typeof lastTransactionsTouching>>

/**
 * Histories already scanned in this process, by endpoint, chain, pinned block hash (a mined block's past never
 * changes; a restarted dev chain reusing the port has other hashes), targets and selection. The scan
 * reads every block back to where the selection is complete: a re-run, or another patch to the same
 * proxies at the same block, reads it once. At most `maxHistories` are kept (they hold whole blocks).
 */
const histories = new Map<string, Promise<History>>()
const maxHistories = 8

async function historyOnce(context: StageContext, targets: ReadonlySet<string>, count: number, fromBlock: bigint, scope: 'touching' | 'direct'): Promise<History> {
  const pinned = await context.client.getBlock({ blockNumber: context.blockNumber }).then((block) => block.hash ?? undefined, () => undefined)
  if (!pinned) return lastTransactionsTouching(context, targets, count, fromBlock, scope)
  // Keyed by the endpoint the client actually reads (it may differ from context.rpcUrl), whose trace methods are part of the result.
  const endpoint = (context.client.transport as { url?: string }).url ?? context.rpcUrl
  const key = JSON.stringify([endpoint, context.chainId, context.blockNumber.toString(), pinned.toLowerCase(), [...targets].sort(), count, fromBlock.toString(), scope])
  let history = histories.get(key)
  if (!history) {
    history = lastTransactionsTouching(context, targets, count, fromBlock, scope)
    histories.set(key, history)
    // A failed scan (a node that lacks the trace methods, a timeout) is not remembered.
    history.catch(() => histories.delete(key))
    while (histories.size > maxHistories) histories.delete(histories.keys().next().value!)
  }
  return history
}

/**
 * Scans back from the pinned block (in JSON-RPC batches) until `count` transactions that touch the
 * targets are found: with `scope: 'touching'`, every transaction whose trace calls a target at any
 * depth (integrators, routers, multicalls, flash-loan callbacks); with `'direct'`, only those sent to one.
 */
async function lastTransactionsTouching(context: StageContext, targets: ReadonlySet<string>, count: number, fromBlock: bigint, scope: 'touching' | 'direct') {
  const finder = scope === 'touching' ? createTouchFinder(context.client, targets) : undefined
  const fetched: BlockToReplay[] = []
  const touching = new Set<string>()
  let found = 0
  let high = context.blockNumber
  while (found < count && high >= fromBlock) {
    const low = high - scanChunk + 1n > fromBlock ? high - scanChunk + 1n : fromBlock
    const numbers = Array.from({ length: Number(high - low + 1n) }, (_, index) => high - BigInt(index))
    const chunk = await Promise.all(numbers.map((blockNumber) => context.client.getBlock({ blockNumber, includeTransactions: true })))
    const busy = chunk.filter((block) => block.transactions.length > 0).map((block) => block.number)
    const traced = finder && busy.length > 0 ? await finder.find(low, high, busy) : new Set<string>()
    for (const block of chunk) {
      const transactions = block.transactions as Transaction[]
      fetched.push({ number: block.number, timestamp: block.timestamp, transactions })
      for (const transaction of transactions) {
        const hash = transaction.hash.toLowerCase()
        if ((transaction.to && targets.has(transaction.to.toLowerCase())) || traced.has(hash)) {
          touching.add(hash)
          found += 1
        }
      }
    }
    if (low === 0n) break
    high = low - 1n
  }
  // Newest first → keep the `count` newest touching transactions, then the blocks from the oldest of them on.
  const selected = new Set<string>()
  let firstBlock = context.blockNumber
  let lastBlock: bigint | undefined
  for (const block of fetched) {
    for (const transaction of [...block.transactions].reverse()) {
      if (selected.size >= count) break
      if (touching.has(transaction.hash.toLowerCase())) {
        selected.add(transaction.hash.toLowerCase())
        firstBlock = block.number
        lastBlock ??= block.number
      }
    }
  }
  // Empty blocks in between are replayed too, so block numbers and timestamps stay those of the
  // original chain; blocks after the last selected transaction would compare nothing and are not run.
  const blocks = fetched.filter((block) => block.number >= firstBlock && block.number <= (lastBlock ?? context.blockNumber)).reverse()
  return { blocks, selected, traceMethod: finder?.method }
}

async function blocksOfHashes(context: StageContext, hashes: Hash[]) {
  const transactions = await Promise.all(hashes.map((hash) => context.client.getTransaction({ hash })))
  const numbers = transactions.map((transaction) => transaction.blockNumber!)
  const low = numbers.reduce((a, b) => (a < b ? a : b))
  const high = numbers.reduce((a, b) => (a > b ? a : b))
  const all = await Promise.all(Array.from({ length: Number(high - low + 1n) }, (_, index) => context.client.getBlock({ blockNumber: low + BigInt(index), includeTransactions: true })))
  const blocks = all.map((block) => ({ number: block.number, timestamp: block.timestamp, transactions: block.transactions as Transaction[] }))
  return { blocks, selected: new Set(hashes.map((hash) => hash.toLowerCase())) }
}

/**
 * Puts each new implementation's runtime code on the fork without mining a block (which would move
 * the clock past the first replayed block): the creation code is run with eth_call from the fork
 * deployer, and its result placed at the address a real deployment would get, so immutables such as
 * UUPS's `__self` hold the right address. The deployer's nonce is set before each one (an eth_call
 * creates at the address of the account's current nonce) and left past the last, so no later
 * deployment lands on a placed implementation.
 */
async function placeImplementations(fork: ValidationFork, routes: readonly UpgradeRoute[]): Promise<Address[]> {
  const nonce = await fork.client.getTransactionCount({ address: forkDeployer })
  const addresses: Address[] = []
  for (const [index, route] of routes.entries()) {
    const address = getContractAddress({ from: forkDeployer, nonce: BigInt(nonce + index) })
    try {
      await fork.client.setNonce({ address: forkDeployer, nonce: nonce + index })
      const { data } = await fork.client.call({ account: forkDeployer, data: route.creationCode, gas: 30_000_000n })
      if (!data || data === '0x') throw new Error('the constructor returned no code')
      await fork.client.setCode({ address, bytecode: data })
    } catch (error) {
      throw new ForkPreparationError({ step: `place the new implementation of ${route.target}`, reason: reasonOf(error), cause: error })
    }
    addresses.push(address)
  }
  await fork.client.setNonce({ address: forkDeployer, nonce: nonce + routes.length })
  return addresses
}

type TraceCallFrame = { output?: Hex; error?: string }
type PrestateAccount = { balance?: Hex; storage?: Record<Hex, Hex> }
type PrestateDiff = { pre: Record<string, PrestateAccount>; post: Record<string, PrestateAccount> }

/** Sends `prelude` and then every transaction of the block, mines it at the original timestamp, and reads the selected transactions' effects. */
async function replayBlock(
  fork: ValidationFork,
  block: BlockToReplay,
  selected: ReadonlySet<string>,
  prelude: readonly { target: string; from: Address; to: Address; data: Hex }[],
): Promise<Map<string, ReplayEffects>> {
  // Gas price 0 needs a zero base fee; the pool checks it when the transaction is accepted.
  await fork.client.request({ method: 'anvil_setNextBlockBaseFeePerGas', params: ['0x0'] } as never)
  const upgrades: Hash[] = []
  for (const call of prelude) {
    await fork.client.setBalance({ address: call.from, value: 10n ** 21n })
    upgrades.push(await sendReplay(fork, { from: call.from, to: call.to, data: call.data, gas: 10_000_000n }).catch((error: unknown) => {
      throw new ForkPreparationError({ step: `upgrade as ${call.from} at the start of block ${block.number}`, reason: reasonOf(error), cause: error })
    }))
  }
  // One at a time and in order: with `--order fifo` the order they reach the pool is the block's order.
  const sent: { original: string; hash: Hash }[] = []
  for (const transaction of block.transactions) {
    const hash = await sendReplay(fork, { from: transaction.from, to: transaction.to ?? undefined, data: transaction.input, value: transaction.value, gas: transaction.gas }).catch((error: unknown) => {
      throw new ForkPreparationError({ step: `replay transaction ${transaction.hash} of block ${block.number}${prelude.length > 0 ? ' after the upgrade' : ''}`, reason: reasonOf(error), cause: error })
    })
    sent.push({ original: transaction.hash.toLowerCase(), hash })
  }
  await fork.client.setNextBlockTimestamp({ timestamp: block.timestamp })
  await fork.client.mine({ blocks: 1 })
  const compared = sent.filter(({ original }) => selected.has(original))
  if (upgrades.length === 0 && compared.length === 0) return new Map()

  // The whole block in three round trips (its receipts, then each tracer over the block) instead of
  // three per transaction; one at a time, as anvil runs traces one after the other anyway.
  const receipts = new Map(((await fork.client.request({ method: 'eth_getBlockReceipts', params: ['latest'] } as never)) as BlockReceipt[]).map((receipt) => [receipt.transactionHash.toLowerCase(), receipt]))
  const receiptOf = (hash: Hash) => {
    const receipt = receipts.get(hash.toLowerCase())
    if (!receipt) throw new ForkPreparationError({ step: `replay block ${block.number}`, reason: `transaction ${hash} was not mined in the replayed block (${receipts.size} of ${upgrades.length + sent.length} were)` })
    return receipt
  }
  for (const [index, hash] of upgrades.entries()) {
    // A patched pass whose upgrade reverted would compare the old code with itself and pass silently.
    if (receiptOf(hash).status !== '0x1') {
      const trace = (await fork.client.request({ method: 'debug_traceTransaction', params: [hash, { tracer: 'callTracer' }] } as never).catch(() => undefined)) as (TraceCallFrame & { revertReason?: string; to?: Address }) | undefined
      const why = trace?.revertReason ?? trace?.error
      throw new ForkPreparationError({
        step: `upgrade at the start of block ${block.number}`,
        reason: `the upgrade transaction ${hash}${trace?.to ? ` to ${getAddress(trace.to)}` : ''} reverted${why ? `: ${why}` : ''}`,
        revertedUpgrade: { target: prelude[index]!.target, transaction: hash },
      })
    }
  }
  const effects = new Map<string, ReplayEffects>()
  if (compared.length === 0) return effects
  const mined = toHex(BigInt(receiptOf(compared[0]!.hash).blockNumber))
  const calls = await traceBlock<TraceCallFrame>(fork, mined, { tracer: 'callTracer', tracerConfig: { onlyTopCall: true } })
  const diffs = await traceBlock<PrestateDiff>(fork, mined, { tracer: 'prestateTracer', tracerConfig: { diffMode: true } })
  for (const { original, hash } of compared) {
    const receipt = receiptOf(hash)
    const call = calls.get(hash.toLowerCase())
    const diff = diffs.get(hash.toLowerCase())
    if (!call || !diff) throw new ForkPreparationError({ step: `trace block ${block.number}`, reason: `the block trace has no entry for transaction ${hash}` })
    effects.set(original, {
      status: receipt.status === '0x1' ? 'success' : 'reverted',
      output: call.output ?? '0x',
      logs: receipt.logs.map((log) => ({ address: getAddress(log.address), topics: log.topics, data: log.data })),
      ...stateEffects(diff),
    })
  }
  return effects
}

/** A receipt as `eth_getBlockReceipts` returns it (unformatted). */
type BlockReceipt = { transactionHash: Hash; blockNumber: Hex; status: Hex; logs: { address: Address; topics: Hex[]; data: Hex }[] }

/** One tracer over every transaction of a mined block of the fork: transaction hash (lower case) → its result. */
async function traceBlock<T>(fork: ValidationFork, block: Hex, tracer: Record<string, unknown>): Promise<Map<string, T>> {
  const results = (await fork.client.request({ method: 'debug_traceBlockByNumber', params: [block, tracer] } as never)) as { txHash?: Hash; result?: T }[]
  return new Map(results.flatMap((entry) => (entry.txHash && entry.result !== undefined ? [[entry.txHash.toLowerCase(), entry.result] as const] : [])))
}

/** Sends one transaction as `from` (auto-impersonated on the replay fork) at gas price 0; the block is mined later. */
async function sendReplay(fork: ValidationFork, request: { from: Address; to?: Address | undefined; data: Hex; value?: bigint; gas: bigint }): Promise<Hash> {
  return fork.client.request({
    method: 'eth_sendTransaction',
    params: [{
      from: request.from,
      ...(request.to ? { to: request.to } : {}),
      data: request.data,
      value: toHex(request.value ?? 0n),
      gas: toHex(request.gas),
      gasPrice: '0x0',
    }],
  } as never) as Promise<Hash>
}

function stateEffects(diff: PrestateDiff): Pick<ReplayEffects, 'balances' | 'storage'> {
  const balances: Record<string, string> = {}
  const storage: Record<string, Hex> = {}
  for (const account of new Set([...Object.keys(diff.pre ?? {}), ...Object.keys(diff.post ?? {})])) {
    const pre = diff.pre?.[account]
    const post = diff.post?.[account]
    const before = BigInt(pre?.balance ?? '0x0')
    const after = BigInt(post?.balance ?? pre?.balance ?? '0x0')
    if (after !== before) balances[getAddress(account)] = (after - before).toString()
    for (const slot of new Set([...Object.keys(pre?.storage ?? {}), ...Object.keys(post?.storage ?? {})])) {
      const value = (post?.storage?.[slot as Hex] ?? toHex(0n, { size: 32 })) as Hex
      storage[`${getAddress(account)}:${slot}`] = value
    }
  }
  return { balances, storage }
}

/** Human-readable differences between the unpatched and the patched run of one transaction. */
export function compareEffects(unpatched: ReplayEffects, patched: ReplayEffects): string[] {
  const differences: string[] = []
  if (unpatched.status !== patched.status) differences.push(`status ${unpatched.status} → ${patched.status}`)
  if (unpatched.output !== patched.output) differences.push(`return data ${abbreviate(unpatched.output)} → ${abbreviate(patched.output)}`)
  const logKey = (log: ReplayEffects['logs'][number]) => `${log.address}|${log.topics.join(',')}|${log.data}`
  // Compared as a multiset: a fix that moves an event before a transfer (checks-effects-interactions)
  // reorders logs without changing what happened.
  const unpatchedLogs = unpatched.logs.map(logKey).sort()
  const patchedLogs = patched.logs.map(logKey).sort()
  if (unpatchedLogs.join('\n') !== patchedLogs.join('\n')) {
    differences.push(`events ${unpatched.logs.length} → ${patched.logs.length}${unpatched.logs.length === patched.logs.length ? ' (contents differ)' : ''}`)
  }
  for (const account of new Set([...Object.keys(unpatched.balances), ...Object.keys(patched.balances)])) {
    const a = unpatched.balances[account] ?? '0'
    const b = patched.balances[account] ?? '0'
    if (a !== b) differences.push(`balance change of ${account} ${a} → ${b}`)
  }
  for (const key of new Set([...Object.keys(unpatched.storage), ...Object.keys(patched.storage)])) {
    const a = unpatched.storage[key]
    const b = patched.storage[key]
    if (a !== b) differences.push(`storage ${key} ${a ? abbreviate(a) : 'unchanged'} → ${b ? abbreviate(b) : 'unchanged'}`)
  }
  return differences
}

function faithfulness(original: { status: 'success' | 'reverted'; logs: readonly Log[] }, replay: ReplayEffects): string | undefined {
  if (original.status !== replay.status) return `status ${original.status} originally, ${replay.status} in the replay`
  const key = (log: { address: string; topics: readonly Hex[]; data: Hex }) => `${log.address.toLowerCase()}|${log.topics.join(',')}|${log.data}`
  if (original.logs.map(key).join('\n') !== replay.logs.map(key).join('\n')) return `${original.logs.length} event(s) originally, ${replay.logs.length} in the replay, or different contents`
  return undefined
}

function abbreviate(hex: string): string {
  return hex.length > 26 ? `${hex.slice(0, 14)}…${hex.slice(-8)}` : hex
}
