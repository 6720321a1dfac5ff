import { readFileSync } from 'node:fs'
import path from 'node:path'

/** A source file that belongs to a published package, with the version it came from and how that was learned. */
export type LibraryComponent = {
  /** npm package name (`@openzeppelin/contracts-upgradeable`). */
  package: string
  /** False when the package was guessed from a header or path rather than read from its package.json. */
  packageCertain: boolean
  version?: string
  /** `package.json` of the package the file sits in; a version in the path; OpenZeppelin's `(last updated vX.Y.Z)` header. */
  versionSource: 'package.json' | 'path' | 'header' | 'unknown'
  /** Path inside the package (`proxy/utils/UUPSUpgradeable.sol`). */
  file: string
  /** The source unit name in the build (`oz-upgradeable-4-3-1/proxy/utils/UUPSUpgradeable.sol`). */
  sourceName: string
}

type PackageInfo = { name: string; version: string | undefined; dir: string }

/**
 * Finds the package.json a source unit sits under (in a root, or a node_modules in or above it),
 * cached per folder. Give the project root and, for a build-info, the folder it was written to:
 * the build that produced it usually sits above it.
 */
export function createPackageLocator(...roots: string[]) {
  const cache = new Map<string, PackageInfo | null>()
  const bases: string[] = []
  for (const root of roots) {
    bases.push(root)
    for (let dir = root; ; dir = path.dirname(dir)) {
      bases.push(path.join(dir, 'node_modules'))
      if (path.dirname(dir) === dir) break
    }
  }

  function read(prefix: string): PackageInfo | null {
    const cached = cache.get(prefix)
    if (cached !== undefined) return cached
    let found: PackageInfo | null = null
    for (const base of new Set(bases)) {
      try {
        const json = JSON.parse(readFileSync(path.join(base, prefix, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown }
        if (typeof json.name === 'string') {
          found = { name: json.name, version: typeof json.version === 'string' ? json.version : undefined, dir: prefix }
          break
        }
      } catch {
        // no package.json here
      }
    }
    cache.set(prefix, found)
    return found
  }

  return function locate(sourceName: string): PackageInfo | undefined {
    if (path.posix.isAbsolute(sourceName) || sourceName.split('/').includes('..')) return undefined
    const parts = sourceName.split('/').slice(0, -1)
    for (let length = parts.length; length > 0; length -= 1) {
      const found = read(parts.slice(0, length).join('/'))
      if (found) return found
    }
    return undefined
  }
}

export type PackageLocator = ReturnType<typeof createPackageLocator>

const headerPattern = /^\/\/ OpenZeppelin Contracts(?: Upgradeable)?(?: \(last updated v(\d+\.\d+\.\d+(?:-[\w.]+)?)\)| v(\d+\.\d+\.\d+(?:-[\w.]+)?))? \(([^)\s]+\.sol)\)/m
const ozPathPattern = /(?:^|\/)(@openzeppelin\/contracts(?:-upgradeable)?|openzeppelin-contracts(?:-upgradeable)?)(?:@v?(\d+\.\d+\.\d+[\w.-]*)|[-_]v?(\d+\.\d+\.\d+[\w.-]*))?\/(?:contracts\/)?(.+\.sol)$/

/**
 * Says which package and version a source file came from: the package.json of the folder it sits
 * in (exact), else a version written in its path (`@openzeppelin/contracts@4.3.1/…`), else
 * OpenZeppelin's header (`// OpenZeppelin Contracts (last updated v4.7.0) (utils/…)`, the version
 * the file's content dates from). Undefined for files that are not from a package.
 */
export function identifyLibraryComponent(sourceName: string, content: string, locate: PackageLocator | undefined): LibraryComponent | undefined {
  const header = headerPattern.exec(content.slice(0, 600))
  const headerVersion = header?.[1] ?? header?.[2]
  const located = locate?.(sourceName)
  if (located) {
    const file = sourceName.slice(located.dir.length + 1)
    const version = located.version ?? headerVersion
    return {
      package: located.name,
      packageCertain: true,
      ...(version === undefined ? {} : { version }),
      versionSource: located.version !== undefined ? 'package.json' : headerVersion !== undefined ? 'header' : 'unknown',
      file,
      sourceName,
    }
  }
  const byPath = ozPathPattern.exec(sourceName)
  if (!byPath && !header) return undefined
  const upgradeable = byPath ? byPath[1]!.endsWith('-upgradeable') : /Upgradeable/.test(path.posix.basename(header![3]!)) && !/^(UUPSUpgradeable|TransparentUpgradeableProxy)\.sol$/.test(path.posix.basename(header![3]!))
  const pathVersion = byPath?.[2] ?? byPath?.[3]
  const version = pathVersion ?? headerVersion
  return {
    package: upgradeable ? '@openzeppelin/contracts-upgradeable' : '@openzeppelin/contracts',
    packageCertain: false,
    ...(version === undefined ? {} : { version }),
    versionSource: pathVersion !== undefined ? 'path' : headerVersion !== undefined ? 'header' : 'unknown',
    file: header?.[3] ?? byPath![4]!,
    sourceName,
  }
}

/** Two package paths name the same component, the upgradeable twin (`ECDSAUpgradeable.sol`) included. */
export function sameComponentFile(a: string, b: string): boolean {
  const normalize = (file: string) => file.replace(/^contracts\//, '').replace(/Upgradeable\.sol$/, '.sol')
  return normalize(a) === normalize(b)
}
