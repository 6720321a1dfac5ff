import type { Address, Hex } from 'viem'
import type { FeedAdvisory, Severity } from './advisory.js'
import { containsFragment } from './bytecode.js'
import type { ImplementationFingerprint } from './fingerprint.js'
import { sameComponentFile, type LibraryComponent } from './libraryComponent.js'
import { fixedVersions, isVersionAffected } from './versionRange.js'

/** Why an implementation matches an advisory. */
export type MatchEvidence =
  | {
      kind: 'component'
      /** The source unit in the build, the file inside the package, and the package version it came from. */
      sourceName: string
      file: string
      package: string
      version: string
      versionSource: LibraryComponent['versionSource']
      /** The advisory's affected functions (when known) and those of them found in the deployed dispatcher. */
      functions: string[]
      selectorsPresent: string[]
      fixedIn: string[]
    }
  | { kind: 'bytecode'; selectors: string[]; fragments: string[]; absentFragments: string[]; note?: string }
  | { kind: 'pattern'; selectors: string[]; fragments: string[]; absentFragments: string[]; source?: { sourceName: string; line: number; contract?: string; excerpt: string } }

export type IntelMatch = {
  advisoryId: string
  aliases: string[]
  summary: string
  severity: Severity
  advisorySource: string
  chain: string
  /** The implementation (the code that has the bug). */
  address: Address
  proxy?: Address
  name?: string
  contract?: string
  basis: ImplementationFingerprint['basis']
  evidence: MatchEvidence[]
}

const openzeppelinPackages = new Set(['@openzeppelin/contracts', '@openzeppelin/contracts-upgradeable'])

function packageMatches(component: LibraryComponent, name: string): boolean {
  if (component.package === name) return true
  return !component.packageCertain && openzeppelinPackages.has(component.package) && openzeppelinPackages.has(name)
}

/**
 * Matches every advisory against every implementation and returns the matches with their
 * evidence, ordered by advisory, chain and address. OSV advisories match package files whose
 * version is in an affected range (restricted to the advisory's files when Bulwark knows them,
 * and to implementations whose dispatcher has the affected functions when those have
 * selectors); implementations known only by bytecode match the advisory's bytecode signature.
 * Team patterns match when every criterion they give holds.
 */
export function matchAdvisories({ advisories, implementations }: { advisories: readonly FeedAdvisory[]; implementations: readonly ImplementationFingerprint[] }): IntelMatch[] {
  const matches: IntelMatch[] = []
  for (const advisory of advisories) {
    const compiled = advisory.pattern?.sourcePattern === undefined ? undefined : new RegExp(advisory.pattern.sourcePattern, 'm')
    for (const implementation of implementations) {
      const evidence = advisory.kind === 'pattern' ? matchPattern(advisory, implementation, compiled) : matchOsv(advisory, implementation)
      if (evidence.length === 0) continue
      matches.push({
        advisoryId: advisory.id,
        aliases: advisory.aliases,
        summary: advisory.summary,
        severity: advisory.severity,
        advisorySource: advisory.source,
        chain: implementation.chain,
        address: implementation.address,
        ...(implementation.proxy ? { proxy: implementation.proxy } : {}),
        ...(implementation.name ? { name: implementation.name } : {}),
        ...(implementation.contract ? { contract: implementation.contract } : {}),
        basis: implementation.basis,
        evidence,
      })
    }
  }
  return matches.sort((a, b) => a.advisoryId.localeCompare(b.advisoryId) || a.chain.localeCompare(b.chain) || a.address.localeCompare(b.address))
}

function matchOsv(advisory: FeedAdvisory, implementation: ImplementationFingerprint): MatchEvidence[] {
  const known = advisory.components
  if (implementation.basis === 'bytecode') {
    const signature = known?.bytecode
    if (!signature || !implementation.code) return []
    const code = implementation.code
    const holds =
      signature.selectors.every((selector) => implementation.selectors.includes(selector)) &&
      signature.fragments.every((fragment) => containsFragment(code, fragment as Hex)) &&
      !signature.absentFragments.some((fragment) => containsFragment(code, fragment as Hex))
    return holds && signature.selectors.length + signature.fragments.length > 0
      ? [{ kind: 'bytecode', selectors: signature.selectors, fragments: signature.fragments, absentFragments: signature.absentFragments, ...(signature.note ? { note: signature.note } : {}) }]
      : []
  }
  const evidence = new Map<string, MatchEvidence>()
  for (const affected of advisory.affected) {
    for (const component of implementation.components) {
      if (component.version === undefined || evidence.has(component.sourceName) || !packageMatches(component, affected.package)) continue
      if (known && known.files.length > 0 && !known.files.some((file) => sameComponentFile(file, component.file))) continue
      if (!isVersionAffected(component.version, affected.ranges, affected.versions)) continue
      evidence.set(component.sourceName, {
        kind: 'component',
        sourceName: component.sourceName,
        file: component.file,
        package: component.package,
        version: component.version,
        versionSource: component.versionSource,
        functions: known?.functions ?? [],
        selectorsPresent: (known?.selectors ?? []).filter((selector) => implementation.selectors.includes(selector)),
        fixedIn: fixedVersions(affected.ranges),
      })
    }
  }
  const found = [...evidence.values()]
  // A file compiled in but whose external entry points are absent from the deployed dispatcher is not this contract's bug.
  if (found.length > 0 && known && known.selectors.length > 0 && implementation.code && !known.selectors.some((s) => implementation.selectors.includes(s))) return []
  return found
}

function matchPattern(advisory: FeedAdvisory, implementation: ImplementationFingerprint, regex: RegExp | undefined): MatchEvidence[] {
  const pattern = advisory.pattern!
  const needsCode = pattern.selectors.length + pattern.bytecodeFragments.length + pattern.absentBytecodeFragments.length > 0
  if (needsCode && !implementation.code) return []
  const code = implementation.code ?? '0x'
  if (!pattern.selectors.every((selector) => implementation.selectors.includes(selector.toLowerCase()))) return []
  if (!pattern.bytecodeFragments.every((fragment) => containsFragment(code, fragment as Hex))) return []
  if (pattern.absentBytecodeFragments.some((fragment) => containsFragment(code, fragment as Hex))) return []
  let source: { sourceName: string; line: number; contract?: string; excerpt: string } | undefined
  if (regex) {
    for (const region of implementation.regions) {
      const content = implementation.sources[region.sourceName]
      if (content === undefined) continue
      const found = regex.exec(content.slice(region.start, region.end))
      if (!found) continue
      const at = region.start + found.index
      source = {
        sourceName: region.sourceName,
        line: content.slice(0, at).split('\n').length,
        ...(region.contract ? { contract: region.contract } : {}),
        excerpt: found[0].trim().split('\n')[0]!.trim().slice(0, 160),
      }
      break
    }
    if (!source) return []
  }
  return [
    {
      kind: 'pattern',
      selectors: pattern.selectors.map((selector) => selector.toLowerCase()),
      fragments: pattern.bytecodeFragments,
      absentFragments: pattern.absentBytecodeFragments,
      ...(source ? { source } : {}),
    },
  ]
}
