import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { getHeapStatistics } from 'node:v8'
import type { Address, PublicClient } from 'viem'
import { connectChain } from '../../chain/connectChain.js'
import { parseAddress } from '../../chain/parseAddress.js'
import { ProjectInvalidError } from '../../config/errors.js'
import { loadProject, resolveRpcUrl } from '../../config/loadProject.js'
import { BaseError, redactSecrets } from '../../errors/BaseError.js'
import { serveMetrics, type MetricsServer } from '../../metrics/serveMetrics.js'
import { openLifecycle } from '../../lifecycle/context.js'
import { createMonitorIncidentLedger } from '../../lifecycle/createMonitorIncidentLedger.js'
import { createDetectors, type DetectorsConfig } from '../../monitor/detectors/createDetectors.js'
import { loadPolicy, parsePolicy, type Policy } from '../../monitor/policy.js'
import { loadResponderKey } from '../../monitor/responders/loadResponderKey.js'
import { assertResponsesArmed, checkResponses } from '../../monitor/responders/checkResponses.js'
import { acquireMonitorLease, type MonitorLease } from '../../monitor/acquireMonitorLease.js'
import { startMonitor } from '../../monitor/runMonitor.js'
import { readCheckpoint } from '../../monitor/sources/checkpoint.js'
import type { AlertSink } from '../../monitor/sinks/alertSink.js'
import { createAlertStreamSink } from '../../monitor/sinks/alertStream.js'
import { createStdoutSink } from '../../monitor/sinks/createStdoutSink.js'
import { createWebhookSink } from '../../monitor/sinks/createWebhookSink.js'
import type { Command } from '../command.js'
import { monitorBacktestCommand, readAheadOf } from './monitorBacktest.js'
import { UsageError } from '../errors.js'
import { progress } from '../io.js'
import type { TraceMethod } from '../../monitor/sources/fetchBlock.js'

/** Without --policy every alert is printed and nothing is sent on chain. */
export const notifyOnlyPolicy: Policy = parsePolicy({ rules: [{ name: 'notify', minScore: 0, respond: [{ kind: 'notify' }] }] })

export const monitorCommand: Command = {
  name: 'monitor',
  summary: 'Watch blocks, traces and the mempool; score incidents and answer them (alert, partial lockdown, pause, breaker) by policy, until Ctrl-C.',
  usage:
    'bulwark monitor [--project FILE] [--chain NAME] [--rpc URL] [--address A …] [--key env:VAR] [--cosigner-key env:VAR …] [--policy FILE] [--detectors FILE] [--dry-run] [--read-ahead N|auto] [--webhook URL] [--slack URL] [--metrics-port N] [--json]\n' +
    '       bulwark monitor check [--project FILE] [--chain NAME] [--rpc URL] --key env:VAR [--cosigner-key env:VAR …] --policy FILE [--json]\n' +
    '       bulwark monitor backtest --from-block A --to-block B [--warmup-from-block W] [--read-ahead N|auto] [--project FILE] [--rpc URL] [--address A …] [--policy FILE] [--detectors FILE] [--json]',
  positionals: true,
  options: {
    project: { type: 'string', valueName: 'file', description: 'Project file naming chains and contracts (default: bulwark.json).' },
    chain: { type: 'string', valueName: 'name', description: 'Which chain of the project file to watch (default: its first chain).' },
    rpc: { type: 'string', valueName: 'url', description: 'RPC endpoint (overrides the project file); it needs trace_block or debug_traceBlockByNumber, debug_traceCall and txpool_content for traces and the mempool.' },
    address: { type: 'string', multiple: true, valueName: 'address', description: 'A protocol contract to watch; repeat for several (default: the project file\'s contracts).' },
    'release-gate': { type: 'string', multiple: true, valueName: 'address', description: 'A ReleaseGate: upgrades inside its release() are the approved path.' },
    authority: { type: 'string', multiple: true, valueName: 'address', description: "A governance account (timelock, Safe): its admin work is the approved path (default: the project file's authorities)." },
    key: { type: 'string', valueName: 'env:VAR', description: 'The responder key, read from the environment variable VAR; never printed. Without it the monitor only alerts.' },
    'cosigner-key': { type: 'string', multiple: true, valueName: 'env:VAR', description: 'A further owner key of a guardian Safe that `via: "safe"` responses are signed with (repeat for several); read from the environment, never printed.' },
    'dry-run': { type: 'boolean', description: 'Decide and alert, saying what would be sent, but sign and send nothing; responses that are not armed are logged instead of stopping the monitor.' },
    policy: { type: 'string', valueName: 'file', description: 'Response policy JSON: score thresholds → responses (docs/monitor.md). Default: notify only.' },
    detectors: { type: 'string', valueName: 'file', description: 'Detector config JSON: { "<detector id>": { …thresholds } | false }.' },
    webhook: { type: 'string', multiple: true, valueName: 'url', description: 'POST each alert as JSON to this URL; repeat for several.' },
    slack: { type: 'string', multiple: true, valueName: 'url', description: 'POST each alert as a Slack-compatible message to this webhook URL.' },
    'no-pending': { type: 'boolean', description: 'Do not watch the mempool (for nodes without txpool_content).' },
    'no-traces': { type: 'boolean', description: 'Do not fetch call traces (for nodes without trace_block or debug_traceBlockByNumber); trace-based detectors then see nothing.' },
    'trace-method': { type: 'string', valueName: 'method', description: 'auto (default: trace_block, else debug_traceBlockByNumber), trace_block, or debug_traceBlockByNumber (exact logs per frame, re-executes each block: slow).' },
    'read-ahead': { type: 'string', valueName: 'blocks', description: 'Blocks read at once while catching up (1–64, or auto: one from a node on this machine, which would otherwise spend its CPU serving requests ahead; 4 from a node elsewhere, 8 for backtest).' },
    'from-block': { type: 'string', valueName: 'n', description: 'First block when this chain has no checkpoint yet (default: the head); for backtest, the first block replayed.' },
    'to-block': { type: 'string', valueName: 'n', description: 'backtest: the last block replayed.' },
    'warmup-from-block': { type: 'string', valueName: 'n', description: 'Replay history from this block up to where judging starts, silently, so baselines and windows learn usual traffic (monitor and backtest).' },
    'no-chain-governance': { type: 'boolean', description: 'Do not read owners, role holders, Safes, timelocks and proxy admins from the chain at start (only the project file and --authority count as governance).' },
    'interval-ms': { type: 'string', valueName: 'ms', description: 'Block polling interval (default 250).' },
    'metrics-port': { type: 'string', valueName: 'n', description: 'Serve GET /metrics (Prometheus text: blocks behind head, transactions and blocks judged, detector time per block, responses by outcome) on this port of 127.0.0.1 (0 picks a free one; default none).' },
  },
  async run({ values, positionals }, io) {
    if (positionals[0] === 'check' && positionals.length === 1) return checkCommand(values, io)
    if (positionals[0] === 'backtest' && positionals.length === 1) return monitorBacktestCommand(values, io, { usage: monitorCommand.usage, notifyOnlyPolicy, resolveScope, readJson })
    if (positionals.length > 0) throw new UsageError({ message: `Unknown monitor subcommand "${positionals.join(' ')}"; the ones there are: check, backtest.`, usage: monitorCommand.usage })
    const report = progress(io, Boolean(values.quiet))
    const account = values.key === undefined ? undefined : loadResponderKey(values.key as string, io.env)
    const cosigners = cosignersOf(values, io)
    const policy = values.policy === undefined ? notifyOnlyPolicy : await loadPolicy(path.resolve(io.cwd, values.policy as string))
    const detectorConfig = values.detectors === undefined ? {} : await readJson(path.resolve(io.cwd, values.detectors as string))
    const detectors = createDetectors(detectorConfig as DetectorsConfig)
    const sinks: AlertSink[] = []
    for (const url of (values.webhook as string[] | undefined) ?? []) sinks.push(createWebhookSink({ url: checkUrl(url, '--webhook'), format: 'json' }))
    for (const url of (values.slack as string[] | undefined) ?? []) sinks.push(createWebhookSink({ url: checkUrl(url, '--slack'), format: 'slack' }))
    const fromBlock = values['from-block'] === undefined ? undefined : wholeNumber(values['from-block'] as string, '--from-block')
    const traceMethod = (values['trace-method'] as string | undefined) ?? 'auto'
    if (!traceMethods.includes(traceMethod as TraceMethod)) throw new UsageError({ message: `--trace-method must be one of ${traceMethods.join(', ')}.` })
    const readAhead = readAheadOf(values, monitorCommand.usage)
    const intervalMs = values['interval-ms'] === undefined ? undefined : Number(wholeNumber(values['interval-ms'] as string, '--interval-ms'))
    const metricsPort = values['metrics-port'] === undefined ? undefined : Number(wholeNumber(values['metrics-port'] as string, '--metrics-port'))
    if (metricsPort !== undefined && metricsPort > 65_535) throw new UsageError({ message: `--metrics-port must be a whole number from 0 to 65535; got "${values['metrics-port'] as string}".`, usage: monitorCommand.usage })

    const { rpcUrl, contracts, authorities, chainName } = await resolveScope(values, io.cwd)
    report(`connecting to ${redactSecrets(rpcUrl)}`)
    const { client, chainId } = await connectChain({ rpcUrl })
    const context = await openLifecycle({ cwd: io.cwd, env: io.env })
    const stopRequested = io.waitForStop()
    const standingBy = new AbortController()
    void stopRequested.then(() => standingBy.abort())
    let lease: MonitorLease | undefined
    let metrics: MetricsServer | undefined
    try {
      metrics = metricsPort === undefined ? undefined : await serveMetrics({ port: metricsPort })
      if (metrics) report(`metrics on ${metrics.url}`)
      // On PostgreSQL several monitors may watch one chain: one holds the lease, the others stand by.
      if (context.store.kind === 'postgres') {
        const shard = `chain:${chainId}`
        lease = await acquireMonitorLease({
          databaseUrl: io.env.DATABASE_URL!,
          shard,
          signal: standingBy.signal,
          onStandby: (holder) => report(`standby: ${shard} is monitored by ${holder ?? 'another process'}; taking over when its lease ends`),
        })
        if (!lease) {
          report('stopping (standby)')
          return 0
        }
        const checkpoint = await readCheckpoint(context.store, chainId)
        report(`lease on ${shard} held by ${lease.holder}; ${checkpoint ? `resuming after block ${checkpoint.blockNumber}` : 'no checkpoint yet'}`)
      }
      // alerts as JSON lines on stdout with --json; a readable line otherwise
      sinks.unshift(values.json ? createStdoutSink(io.stdout) : { name: 'stdout', send: async (alert) => io.stdout(`[${alert.severity}] ${alert.detector} risk ${alert.riskScore} → ${alert.response.kind}${alert.response.tx ? ` ${alert.response.tx}` : ''}: ${alert.summary}`) })
      sinks.push(createAlertStreamSink(context.store))
      const releaseGates = ((values['release-gate'] as string[] | undefined) ?? []).map((value, index) => parseAddress(value, `--release-gate #${index + 1}`))
      const monitor = await startMonitor({
        client: client as unknown as PublicClient,
        store: context.store,
        chain: { id: chainId, name: chainName ?? String(chainId) },
        scope: { contracts, releaseGates, authorities },
        detectors,
        policy,
        account,
        cosigners,
        dryRun: Boolean(values['dry-run']),
        sinks,
        ledger: createMonitorIncidentLedger(context),
        log: (line) => io.stderr(`monitor: ${line}`),
        pendingIntervalMs: values['no-pending'] ? 0 : 50,
        blockIntervalMs: intervalMs,
        startBlock: fromBlock,
        traces: !values['no-traces'],
        traceMethod: traceMethod as TraceMethod,
        readAhead,
        governanceFromChain: !values['no-chain-governance'],
        warmupFromBlock: values['warmup-from-block'] === undefined ? undefined : wholeNumber(values['warmup-from-block'] as string, '--warmup-from-block'),
        fence: lease?.fence,
      })
      // bin/bulwark.js runs the monitor in a heap-capped thread (src/cli/launch.ts); say what it got
      report(`V8 heap limit ${Math.round(getHeapStatistics().heap_size_limit / 2 ** 20)} MB (NODE_OPTIONS="--max-old-space-size=<MB>" sets another)`)
      report(`watching ${contracts.length} contract(s) on chain ${chainId}${account ? ` as responder ${account.address}${values['dry-run'] ? ' (--dry-run: nothing is sent)' : ', every response checked and armed'}` : ' (no --key: alerts only)'}; Ctrl-C stops`)
      const lost = await Promise.race([stopRequested.then(() => undefined), lease?.lost ?? new Promise<never>(() => undefined)])
      report(lost ? 'lease lost: stopping' : 'stopping')
      await monitor.stop()
      if (lost) throw lost
    } finally {
      await metrics?.close()
      await lease?.release()
      await context.store.close()
    }
    return 0
  },
}

const traceMethods: readonly TraceMethod[] = ['auto', 'trace_block', 'debug_traceBlockByNumber']


function cosignersOf(values: Record<string, unknown>, io: { env: NodeJS.ProcessEnv }) {
  return ((values['cosigner-key'] as string[] | undefined) ?? []).map((reference) => loadResponderKey(reference, io.env))
}

/**
 * `bulwark monitor check`: simulates every response of the policy as the responder against the
 * latest block and prints each one's state; exit 0 when all are armed (or already in place),
 * else BW_RESPONSE_NOT_ARMED's exit code with the first failure named.
 */
async function checkCommand(values: Record<string, unknown>, io: Parameters<Command['run']>[1]): Promise<number> {
  const report = progress(io, Boolean(values.quiet))
  if (values.key === undefined) throw new UsageError({ message: 'monitor check needs the responder key (--key env:VAR): responses are simulated as it.', usage: monitorCommand.usage })
  if (values.policy === undefined) throw new UsageError({ message: 'monitor check needs --policy FILE: the responses to check.', usage: monitorCommand.usage })
  const account = loadResponderKey(values.key as string, io.env)
  const cosigners = cosignersOf(values, io)
  const policy = await loadPolicy(path.resolve(io.cwd, values.policy as string))
  const rpc = values.rpc as string | undefined
  const rpcUrl = rpc !== undefined ? checkUrl(rpc, '--rpc') : (await resolveScope(values, io.cwd)).rpcUrl
  report(`connecting to ${redactSecrets(rpcUrl)}`)
  const { client, chainId } = await connectChain({ rpcUrl })
  const result = await checkResponses({ client: client as unknown as PublicClient, chainId, policy, account, cosigners })
  let failure: BaseError | undefined
  try {
    assertResponsesArmed(result)
  } catch (error) {
    if (!(error instanceof BaseError)) throw error
    failure = error
  }
  if (values.json) {
    io.stdout(JSON.stringify({ ...result, ...(failure ? { error: failure.toJSON() } : {}) }, null, 2))
  } else {
    io.stdout(`responder ${account.address}${cosigners.length > 0 ? ` (+${cosigners.length} cosigner key(s))` : ''}, chain ${chainId}, block ${result.block}`)
    for (const check of result.checks) {
      io.stdout(`${check.status.padEnd(10)} rule "${check.rule}": ${check.label} (${check.strength}, sent by ${check.sender})${check.reason ? `: ${check.reason}` : ''}`)
      for (const call of check.calls) io.stdout(`             ${call.target}.${call.function}: ${call.status}${call.reason ? ` (${call.reason})` : ''}`)
    }
    if (failure) io.stderr(`error ${failure.code}: ${failure.message}`)
  }
  return failure ? failure.exitCode : 0
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    throw new UsageError({ message: `${file} is not a readable JSON file (${error instanceof SyntaxError ? 'invalid JSON' : ((error as NodeJS.ErrnoException).code ?? 'error')}).` })
  }
}

function checkUrl(url: string, flag: string): string {
  if (!/^https?:\/\/\S+$/.test(url)) throw new UsageError({ message: `${flag} must be an http(s):// URL; got "${redactSecrets(url)}".`, usage: monitorCommand.usage })
  return url
}

function wholeNumber(value: string, flag: string): bigint {
  if (!/^\d+$/.test(value)) throw new UsageError({ message: `${flag} must be a whole number; got "${value}".`, usage: monitorCommand.usage })
  return BigInt(value)
}

async function resolveScope(values: Record<string, unknown>, cwd: string): Promise<{ rpcUrl: string; contracts: Address[]; authorities: Address[]; chainName: string | undefined }> {
  const authorities = ((values.authority as string[] | undefined) ?? []).map((value, index) => parseAddress(value, `--authority #${index + 1}`))
  const contracts = ((values.address as string[] | undefined) ?? []).map((value, index) => parseAddress(value, `--address #${index + 1}`))
  const rpc = values.rpc as string | undefined
  if (rpc !== undefined && contracts.length > 0) return { rpcUrl: checkUrl(rpc, '--rpc'), contracts, authorities, chainName: undefined }
  const file = path.resolve(cwd, (values.project as string | undefined) ?? 'bulwark.json')
  if (values.project === undefined && !existsSync(file)) {
    throw new UsageError({ message: 'Give --rpc and at least one --address, or a project file (bulwark.json, or --project FILE).', usage: monitorCommand.usage })
  }
  const project = await loadProject(file)
  const chainName = (values.chain as string | undefined) ?? Object.keys(project.chains)[0]!
  if (!project.chains[chainName]) throw new ProjectInvalidError({ file, issues: [{ path: `chains.${chainName}`, message: 'no such chain' }] })
  if (contracts.length === 0) for (const entry of project.contracts) if (entry.chain === chainName) contracts.push(parseAddress(entry.address, `${file}: ${entry.name}`))
  if (authorities.length === 0) for (const entry of project.authorities) if (entry.chain === chainName) authorities.push(parseAddress(entry.address, `${file}: ${entry.name}`))
  if (contracts.length === 0) throw new UsageError({ message: `The project file names no contracts on chain "${chainName}"; give --address.`, usage: monitorCommand.usage })
  return { rpcUrl: checkUrl(rpc ?? resolveRpcUrl(project, chainName, file), '--rpc'), contracts, authorities, chainName }
}

