import { existsSync } from 'node:fs'
import path from 'node:path'
import { compileFoundryProject } from '../../compile/compileFoundryProject.js'
import { compileProject, type CompileProjectReturnType } from '../../compile/compileProject.js'
import { formatCompileSummary } from '../../compile/formatCompileSummary.js'
import { UsageError } from '../errors.js'
import type { Command } from '../command.js'
import { progress } from '../io.js'

export const compileCommand: Command = {
  name: 'compile',
  summary: 'Compile a project with the solc it asks for (foundry.toml, else the pragmas); write build-info and artifacts (cached by content hash).',
  usage: 'bulwark compile [--root DIR] [--solc VERSION | --solc-path FILE] [--json]',
  options: {
    root: { type: 'string', valueName: 'dir', description: 'Project root: a Foundry project (foundry.toml: its src, remappings, lib/) or a folder holding contracts/ (default: current directory).' },
    solc: { type: 'string', valueName: 'version', description: 'Compile with this solc release (e.g. 0.8.19), fetched from the npm registry once; default: foundry.toml, else the newest the pragmas allow (the bundled one when it fits).' },
    'solc-path': { type: 'string', valueName: 'file', description: 'Compile with a native solc binary (run with --standard-json) instead of solc-js.' },
  },
  async run({ values }, io) {
    const root = path.resolve(io.cwd, (values.root as string | undefined) ?? '.')
    const solcVersion = values.solc as string | undefined
    const solcPath = values['solc-path'] === undefined ? undefined : path.resolve(io.cwd, values['solc-path'] as string)
    if (solcVersion !== undefined && solcPath !== undefined) throw new UsageError({ message: 'Give --solc or --solc-path, not both.' })
    if (solcVersion !== undefined && !/^\d+\.\d+\.\d+$/.test(solcVersion)) throw new UsageError({ message: `--solc must be a solc release like 0.8.19; got "${solcVersion}".` })
    const report = progress(io, Boolean(values.quiet) || Boolean(values.json))
    const compiler = { ...(solcVersion === undefined ? {} : { solcVersion }), ...(solcPath === undefined ? {} : { solcPath }), onProgress: report }
    const foundry = existsSync(path.join(root, 'foundry.toml'))
    const result: CompileProjectReturnType = foundry ? await compileFoundryProject({ root, ...compiler }) : await compileProject({ root, ...compiler })
    if (values.json) {
      io.stdout(
        JSON.stringify(
          {
            ok: true,
            project: foundry ? 'foundry' : 'contracts',
            cached: result.cached,
            solcVersion: result.buildInfo.solcVersion,
            solcLongVersion: result.buildInfo.solcLongVersion,
            buildInfoPath: result.buildInfoPath,
            contracts: result.artifacts.filter((a) => !a.external).map((a) => `${a.sourceName}:${a.contractName}`),
          },
          null,
          2,
        ),
      )
    } else {
      io.stdout(formatCompileSummary(result))
      io.stdout(`Build-info: ${path.relative(io.cwd, result.buildInfoPath)}`)
    }
    return 0
  },
}
