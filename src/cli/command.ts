import type { ParseArgsConfig } from 'node:util'
import type { CliIo } from './io.js'

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { description: string; valueName?: string }

export type ParsedArgs = {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>
  positionals: string[]
}

/** One `bulwark <name>` command: its flags (all documented) and what it does. */
export type Command = {
  name: string
  summary: string
  usage: string
  options: Record<string, OptionSpec>
  positionals?: boolean
  run(args: ParsedArgs, io: CliIo): Promise<number>
}

/** Flags every command accepts. */
export const commonOptions: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'Print one JSON document on stdout instead of text.' },
  quiet: { type: 'boolean', short: 'q', description: 'No progress lines on stderr.' },
  help: { type: 'boolean', short: 'h', description: 'Show this help.' },
}

export function renderCommandHelp(command: Command): string {
  const options = { ...command.options, ...commonOptions }
  const width = Math.max(...Object.entries(options).map(([name, spec]) => flagLabel(name, spec).length))
  return [
    `bulwark ${command.name} — ${command.summary}`,
    '',
    `Usage: ${command.usage}`,
    '',
    'Options:',
    ...Object.entries(options).map(([name, spec]) => `  ${flagLabel(name, spec).padEnd(width)}  ${spec.description}`),
  ].join('\n')
}

function flagLabel(name: string, spec: OptionSpec): string {
  const value = spec.type === 'string' ? ` <${spec.valueName ?? 'value'}>` : ''
  return `${spec.short ? `-${spec.short}, ` : ''}--${name}${value}${spec.multiple ? ' …' : ''}`
}
