import path from 'node:path'

/** One solc import remapping: `[context:]prefix=target`. */
export type Remapping = { context: string; prefix: string; target: string }

export function parseRemapping(text: string): Remapping | undefined {
  const match = /^(?:([^:=]*):)?([^=]+)=(.*)$/.exec(text.trim())
  if (!match) return undefined
  return { context: match[1] ?? '', prefix: match[2]!, target: match[3]! }
}

export function formatRemapping({ context, prefix, target }: Remapping): string {
  return `${context ? `${context}:` : ''}${prefix}=${target}`
}

/**
 * solc's rule: among the remappings whose context is a prefix of the importing unit's name and whose
 * prefix starts the (already resolved) import, the longest context wins, then the longest prefix,
 * then the last one given.
 */
export function applyRemappings(remappings: readonly Remapping[], importer: string, sourceName: string): string {
  let best: Remapping | undefined
  for (const remapping of remappings) {
    if (!importer.startsWith(remapping.context) || !sourceName.startsWith(remapping.prefix)) continue
    if (
      !best ||
      remapping.context.length > best.context.length ||
      (remapping.context.length === best.context.length && remapping.prefix.length >= best.prefix.length)
    ) {
      best = remapping
    }
  }
  return best ? path.posix.normalize(best.target + sourceName.slice(best.prefix.length)) : sourceName
}
