import type { CompileSourcesReturnType } from './compileSources.js'

/**
 * One human line about a build: `Compiled 37 files (12 contracts) with solc 0.8.30 in 8.2 s`,
 * or `Up to date (cache hit)` when solc did not run.
 */
export function formatCompileSummary(
  result: Pick<CompileSourcesReturnType, 'buildInfo' | 'artifacts' | 'cached' | 'durationMs' | 'warnings'>,
): string {
  if (result.cached) return 'Up to date (cache hit)'
  const warnings = result.warnings.filter((w) => w.severity === 'warning').length
  const warningNote = warnings > 0 ? `, ${plural(warnings, 'warning')}` : ''
  const files = Object.keys(result.buildInfo.input.sources).length
  return (
    `Compiled ${plural(files, 'file')} (${plural(result.artifacts.length, 'contract')}) ` +
    `with solc ${result.buildInfo.solcVersion} in ${(result.durationMs / 1000).toFixed(1)} s${warningNote}`
  )
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
