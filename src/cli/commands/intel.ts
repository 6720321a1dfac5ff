import os from 'node:os'
import path from 'node:path'
import { connectChain } from '../../chain/connectChain.js'
import { ProjectInvalidError } from '../../config/errors.js'
import { loadProject, resolveRpcUrl } from '../../config/loadProject.js'
import { severities, type FeedAdvisory } from '../../intel/advisory.js'
import type { ImplementationFingerprint } from '../../intel/fingerprint.js'
import { fingerprintDeployments } from '../../intel/fingerprintDeployments.js'
import { getLastFeedScan, linkMatchToLifecycle, recordScan, type RecordedMatch } from '../../intel/intelRecords.js'
import { matchAdvisories } from '../../intel/matchAdvisories.js'
import { readFeed, type Feed } from '../../intel/readFeed.js'
import { openLifecycle, type LifecycleContext } from '../../lifecycle/context.js'
import { createAdvisory } from '../../lifecycle/createAdvisory.js'
import type { Actor } from '../../lifecycle/types.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { progress, type CliIo } from '../io.js'

const usage =
  'bulwark intel scan [--feed PATH|URL …] [--project FILE] [--chain NAME …] [--if-changed] [--fail-on SEVERITY] [--json | --jsonl]\n       bulwark intel feed [--feed PATH|URL …] [--json]'

export const intelCommand: Command = {
  name: 'intel',
  summary: 'Match security advisories (OSV feeds, team patterns) against every deployed implementation: "which of our live contracts have it?"',
  usage,
  positionals: true,
  options: {
    feed: {
      type: 'string',
      multiple: true,
      valueName: 'path|url',
      description: 'Advisory feed: OSV .json file, folder of them, http(s) URL, or builtin:openzeppelin (default: the built-in OpenZeppelin snapshot). Repeat to combine.',
    },
    project: { type: 'string', valueName: 'file', description: 'Project file naming chains and contracts (default: bulwark.json).' },
    chain: { type: 'string', multiple: true, valueName: 'name', description: 'Scan only this chain of the project file (default: every chain). Repeat for several.' },
    'if-changed': { type: 'boolean', description: 'scan: do nothing when the feed is unchanged since the last recorded scan (for cron or a monitor loop).' },
    'fail-on': { type: 'string', valueName: 'severity', description: 'scan: exit 1 when a match has this severity or higher (low|medium|high|critical).' },
    jsonl: { type: 'boolean', description: 'scan: one JSON object per match on stdout (alert lines), with `new` false for matches already reported.' },
    'no-advisories': { type: 'boolean', description: 'scan: record matches but open no lifecycle advisory for them (a dry run).' },
  },
  async run({ values, positionals }, io) {
    const [subcommand, ...extra] = positionals
    if (extra.length > 0) throw new UsageError({ message: `Unexpected argument "${extra[0]}".`, usage })
    if (subcommand === 'feed') return listFeed(values, io)
    if (subcommand === 'scan') return scan(values, io)
    throw new UsageError({ message: subcommand === undefined ? 'Give a subcommand: scan or feed.' : `Unknown intel subcommand "${subcommand}" (scan, feed).`, usage })
  },
}

type Values = Record<string, unknown>

async function loadFeed(values: Values, io: CliIo): Promise<Feed> {
  return readFeed({ locations: (values.feed as string[] | undefined) ?? [], cwd: io.cwd })
}

function reportRejected(feed: Feed, io: CliIo): void {
  for (const entry of feed.rejected) io.stderr(`warning: skipped advisory ${entry.id ?? '(no id)'} at ${entry.location}: ${entry.reason}`)
}

async function listFeed(values: Values, io: CliIo): Promise<number> {
  const feed = await loadFeed(values, io)
  if (values.json) {
    io.stdout(JSON.stringify({ ok: true, hash: feed.hash, locations: feed.locations, advisories: feed.advisories.map(describeAdvisory), rejected: feed.rejected, withdrawn: feed.withdrawn }, null, 2))
    return 0
  }
  reportRejected(feed, io)
  for (const advisory of feed.advisories) {
    const ranges = advisory.affected.map((a) => `${a.package} ${a.ranges.map((r) => r.events.map((e) => Object.entries(e).map(([k, v]) => `${k} ${v}`).join(', ')).join('; ')).join(' | ')}`)
    io.stdout(`${advisory.id.padEnd(22)} ${advisory.severity.padEnd(8)} ${advisory.summary}`)
    for (const line of advisory.kind === 'pattern' ? ['team pattern'] : ranges) io.stdout(`${' '.repeat(32)}${line}`)
    io.stdout(`${' '.repeat(32)}${advisory.source}`)
  }
  io.stdout(`${feed.advisories.length} advisories, ${feed.rejected.length} skipped (feed ${feed.hash.slice(0, 12)})`)
  return 0
}

function describeAdvisory(advisory: FeedAdvisory): Omit<FeedAdvisory, 'details'> {
  return Object.fromEntries(Object.entries(advisory).filter(([key]) => key !== 'details')) as Omit<FeedAdvisory, 'details'>
}

async function scan(values: Values, io: CliIo): Promise<number> {
  const report = progress(io, Boolean(values.quiet) || Boolean(values.json) || Boolean(values.jsonl))
  const failOn = values['fail-on'] as string | undefined
  if (failOn !== undefined && !severities.includes(failOn as never)) throw new UsageError({ message: `--fail-on must be one of ${severities.join(', ')}; got "${failOn}".`, usage })
  if (values.json && values.jsonl) throw new UsageError({ message: 'Give --json or --jsonl, not both.', usage })

  const feed = await loadFeed(values, io)
  report(`feed: ${feed.advisories.length} advisories, ${feed.rejected.length} skipped, hash ${feed.hash.slice(0, 12)}`)
  reportRejected(feed, io)

  const file = path.resolve(io.cwd, (values.project as string | undefined) ?? 'bulwark.json')
  const project = await loadProject(file)
  const root = path.dirname(file)
  const chainNames = (values.chain as string[] | undefined) ?? Object.keys(project.chains)
  for (const name of chainNames) if (!project.chains[name]) throw new UsageError({ message: `--chain "${name}" is not a chain of ${file} (${Object.keys(project.chains).join(', ')}).`, usage })

  const lifecycle = await openLifecycle({ cwd: io.cwd, env: io.env })
  const store = lifecycle.store
  try {
    const last = await getLastFeedScan(store)
    const changed = last?.feedHash !== feed.hash
    if (values['if-changed'] && !changed) {
      report(`feed unchanged since scan #${last?.id} (${last?.scannedAt.toISOString()}): nothing to do`)
      if (values.json) io.stdout(JSON.stringify({ ok: true, skipped: true, reason: 'feed unchanged', feed: feedSummary(feed) }, null, 2))
      else if (!values.jsonl) io.stdout(`Feed unchanged since the last scan (${feed.hash.slice(0, 12)}); nothing scanned.`)
      return 0
    }

    const implementations: ImplementationFingerprint[] = []
    const chains: { chain: string; chainId: number; blockNumber: string; implementations: number }[] = []
    for (const chain of chainNames) {
      const targets = project.contracts.filter((contract) => contract.chain === chain)
      if (targets.length === 0) continue
      const { client, chainId, blockNumber } = await connectChain({ rpcUrl: resolveRpcUrl(project, chain, file) })
      const expected = project.chains[chain]!.chainId
      if (expected !== chainId) {
        throw new ProjectInvalidError({ file, issues: [{ path: `chains.${chain}.chainId`, message: `is ${expected} but the RPC endpoint serves chain ${chainId}` }] })
      }
      const described = await fingerprintDeployments(client, { chain, targets, root, blockNumber, onProgress: report })
      implementations.push(...described.implementations)
      chains.push({ chain, chainId, blockNumber: blockNumber.toString(), implementations: described.implementations.length })
    }

    const matches = matchAdvisories({ advisories: feed.advisories, implementations })
    const recorded = await recordScan(store, { feedHash: feed.hash, locations: feed.locations, advisoryCount: feed.advisories.length, rejected: feed.rejected, matches })
    if (!values['no-advisories']) await openAdvisories(lifecycle, recorded, feed)
    report(`${implementations.length} implementation(s) on ${chains.length} chain(s): ${recorded.length} match(es), ${recorded.filter((m) => m.new).length} new`)
    const failing = failOn === undefined ? [] : recorded.filter((m) => severities.indexOf(m.severity) >= severities.indexOf(failOn as never))

    if (values.jsonl) {
      for (const match of recorded) io.stdout(JSON.stringify({ type: 'intel.match', ...match }))
    } else if (values.json) {
      io.stdout(JSON.stringify({ ok: failing.length === 0, feed: feedSummary(feed), feedChanged: changed, chains, implementations: implementations.map(describeImplementation), matches: recorded }, null, 2))
    } else {
      io.stdout(renderScan(recorded, implementations.length, chains.length))
    }
    return failing.length > 0 ? 1 : 0
  } finally {
    await store.close()
  }
}

/**
 * Opens one lifecycle advisory per (advisory, chain, implementation) the first time it matches,
 * and links it to the intel record; a later scan finds the link and opens nothing new.
 */
async function openAdvisories(lifecycle: LifecycleContext, matches: RecordedMatch[], feed: Feed): Promise<void> {
  const actor = localActor()
  for (const match of matches) {
    if (match.lifecycleAdvisoryId !== null) continue
    const advisory = feed.advisories.find((candidate) => candidate.id === match.advisoryId)
    const { advisory: opened } = await createAdvisory(
      lifecycle,
      {
        title: `${match.advisoryId} in ${match.name ?? match.address} (${match.chain}): ${match.summary}`.slice(0, 300),
        description: [
          `Matched by \`bulwark intel scan\` on implementation ${match.address}${match.proxy ? ` behind proxy ${match.proxy}` : ''} (${match.basis}).`,
          `Advisory: ${match.advisorySource}`,
          '',
          'Evidence:',
          '```json',
          JSON.stringify(match.evidence, null, 2),
          '```',
          '',
          advisory?.details ?? '',
        ].join('\n').slice(0, 50_000),
        severity: match.severity,
        affectedContracts: [
          { address: match.proxy ?? match.address, chain: match.chain, ...(match.name ? { name: match.name } : {}) },
          ...(match.proxy ? [{ address: match.address, chain: match.chain, name: `${match.name ?? 'proxy'} implementation` }] : []),
        ],
        reporter: 'bulwark intel',
        alertIds: [`intel:${match.advisoryId}:${match.chain}:${match.address}`],
      },
      actor,
    )
    await linkMatchToLifecycle(lifecycle.store, { advisoryId: match.advisoryId, chain: match.chain, implementation: match.address, lifecycleAdvisoryId: opened.id })
    match.lifecycleAdvisoryId = opened.id
  }
}

/** Whoever can open the local store acts as its admin, named after the OS user. */
function localActor(): Actor {
  let user = 'operator'
  try {
    user = os.userInfo().username || user
  } catch {
    // no passwd entry (some containers): keep the generic name
  }
  return { id: `local:${user}`, roles: ['admin'] }
}

function feedSummary(feed: Feed) {
  return { hash: feed.hash, locations: feed.locations, advisories: feed.advisories.length, rejected: feed.rejected, withdrawn: feed.withdrawn }
}

function describeImplementation(implementation: ImplementationFingerprint) {
  return {
    chain: implementation.chain,
    address: implementation.address,
    ...(implementation.proxy ? { proxy: implementation.proxy } : {}),
    ...(implementation.name ? { name: implementation.name } : {}),
    basis: implementation.basis,
    ...(implementation.contract ? { contract: implementation.contract } : {}),
    components: implementation.components.map(({ package: name, version, versionSource, file }) => ({ package: name, version, versionSource, file })),
    selectors: implementation.selectors.length,
  }
}

function renderScan(matches: readonly RecordedMatch[], implementations: number, chains: number): string {
  if (matches.length === 0) return `No advisory matches any of ${implementations} implementation(s) on ${chains} chain(s).`
  const lines = [`${matches.length} match(es) across ${implementations} implementation(s) on ${chains} chain(s):`, '']
  for (const match of matches) {
    lines.push(`${match.new ? 'NEW ' : '    '}${match.severity.toUpperCase().padEnd(8)} ${match.advisoryId}  ${match.summary}${match.lifecycleAdvisoryId ? `  → ${match.lifecycleAdvisoryId}` : ''}`)
    lines.push(`         ${match.chain} ${match.name ?? ''} implementation ${match.address}${match.proxy ? ` (proxy ${match.proxy})` : ''} [${match.basis}]`)
    for (const evidence of match.evidence) {
      if (evidence.kind === 'component') {
        lines.push(`         ${evidence.package}@${evidence.version} (${evidence.versionSource}) ${evidence.file}${evidence.functions.length > 0 ? ` — ${evidence.functions.join(', ')}` : ''}${evidence.fixedIn.length > 0 ? `; fixed in ${evidence.fixedIn.join(', ')}` : ''}`)
      } else if (evidence.kind === 'bytecode') {
        lines.push(`         bytecode: selectors ${evidence.selectors.join(', ')}${evidence.note ? ` — ${evidence.note}` : ''}`)
      } else {
        const at = evidence.source ? ` ${evidence.source.sourceName}:${evidence.source.line}${evidence.source.contract ? ` in ${evidence.source.contract}` : ''}: ${evidence.source.excerpt}` : ''
        lines.push(`         pattern:${evidence.selectors.length > 0 ? ` selectors ${evidence.selectors.join(', ')}` : ''}${at}`)
      }
    }
    lines.push(`         ${match.advisorySource}`)
  }
  return lines.join('\n')
}
