import path from 'node:path'
import { compileProject } from '../../compile/compileProject.js'
import { formatCompileSummary } from '../../compile/formatCompileSummary.js'
import type { Command } from '../command.js'
import { progress } from '../io.js'

export const compileCommand: Command = {
  name: 'compile',
  summary: 'Compile contracts/ with the pinned solc-js; write build-info and artifacts (cached by content hash).',
  usage: 'bulwark compile [--root DIR] [--json]',
  options: {
    root: { type: 'string', valueName: 'dir', description: 'Project root holding contracts/ (default: current directory).' },
  },
  async run({ values }, io) {
    const root = path.resolve(io.cwd, (values.root as string | undefined) ?? '.')
    const report = progress(io, Boolean(values.quiet) || Boolean(values.json))
    const result = await compileProject({ root, onProgress: report })
    if (values.json) {
      io.stdout(
        JSON.stringify(
          {
            ok: true,
            cached: result.cached,
            solcVersion: result.buildInfo.solcVersion,
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
