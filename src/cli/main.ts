import { parseArgs } from 'node:util'
import { toBaseError } from '../errors/BaseError.js'
import { commonOptions, renderCommandHelp, type Command } from './command.js'
import { advisoryCommand } from './commands/advisory.js'
import { auditCommand } from './commands/audit.js'
import { compileCommand } from './commands/compile.js'
import { demoCommand } from './commands/demo.js'
import { devnetCommand } from './commands/devnet.js'
import { initCommand } from './commands/init.js'
import { intelCommand } from './commands/intel.js'
import { inventoryCommand } from './commands/inventory.js'
import { jobCommand } from './commands/job.js'
import { latencyCommand } from './commands/latency.js'
import { monitorCommand } from './commands/monitor.js'
import { multichainCommand } from './commands/multichain.js'
import { patchCommand } from './commands/patch.js'
import { releaseCommand } from './commands/release.js'
import { riskCommand } from './commands/risk.js'
import { serveCommand } from './commands/serve.js'
import { signCommand } from './commands/sign.js'
import { tokenCommand } from './commands/token.js'
import { validateCommand } from './commands/validate.js'
import { verifyCommand } from './commands/verify.js'
import { workerCommand } from './commands/worker.js'
import { UsageError } from './errors.js'
import { processIo, type CliIo } from './io.js'

export const commands: readonly Command[] = [devnetCommand, inventoryCommand, initCommand, compileCommand, riskCommand, intelCommand, serveCommand, tokenCommand, validateCommand, advisoryCommand, patchCommand, latencyCommand, auditCommand, demoCommand, monitorCommand, signCommand, releaseCommand, multichainCommand, verifyCommand, workerCommand, jobCommand]

export const version = '0.1.0'

function renderHelp(): string {
  const width = Math.max(...commands.map((command) => command.name.length))
  return [
    'bulwark — patch management for upgradeable smart-contract systems',
    '',
    'Usage: bulwark <command> [options]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Every command takes --json, --quiet and --help. Exit codes: 0 ok, 1 findings at or above --fail-on,',
    '2 usage or project file, 3 RPC, 4 chain data, 5 compile, 6 devnet/deploy, 7 database, 8 server/API (auth, rate limit, unreachable), 9 lifecycle (illegal transition, not found, conflict), 10 signatures (invalid, duplicate, stale nonce, report hash, threshold), 11 release (not ready, already executed, reverted, nonce conflict), 70 internal.',
    'Error codes: docs/errors.md.',
  ].join('\n')
}

/**
 * The CLI entry point: parses flags (naming the exact bad one), runs the command, prints text
 * or `--json`, and returns the exit code. It never calls process.exit.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv
  const wantsJson = rest.includes('--json')
  try {
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      io.stdout(renderHelp())
      return 0
    }
    if (name === '--version' || name === 'version') {
      io.stdout(wantsJson || argv.includes('--json') ? JSON.stringify({ version }) : `bulwark ${version}`)
      return 0
    }
    const command = commands.find((candidate) => candidate.name === name)
    if (!command) {
      throw new UsageError({ message: `Unknown command "${name}". Commands: ${commands.map((c) => c.name).join(', ')}.`, usage: 'bulwark <command> [options]' })
    }
    let parsed
    try {
      parsed = parseArgs({
        args: [...rest],
        options: Object.fromEntries(
          Object.entries({ ...command.options, ...commonOptions }).map(([key, { description: _d, valueName: _v, ...spec }]) => [key, spec]),
        ),
        strict: true,
        allowPositionals: command.positionals ?? false,
      })
    } catch (error) {
      const message = error instanceof Error ? (error.message.split('. ')[0] ?? error.message) : String(error)
      throw new UsageError({ message: `${message.replace(/\.$/, '')}.`, usage: command.usage })
    }
    if (parsed.values.help) {
      io.stdout(renderCommandHelp(command))
      return 0
    }
    return await command.run(parsed as never, io)
  } catch (error) {
    const failure = toBaseError(error)
    if (wantsJson) io.stdout(JSON.stringify({ ok: false, error: failure.toJSON() }, null, 2))
    else io.stderr(`error ${failure.code}: ${failure.message}`)
    return failure.exitCode
  }
}
