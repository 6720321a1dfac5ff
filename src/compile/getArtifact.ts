import { fullyQualifiedName, type Artifact } from './artifacts.js'
import { ArtifactNotFoundError } from './errors.js'

/**
 * Finds one contract of a build by its short name (`Vault`) or full name
 * (`contracts/examples/Vault.sol:Vault`, `@openzeppelin/contracts/…/TimelockController.sol:TimelockController`).
 *
 * @throws {ArtifactNotFoundError} no such contract (close matches are listed), or a short name
 * that several contracts share (their full names are listed).
 */
export function getArtifact(build: { artifacts: readonly Artifact[] }, name: string): Artifact {
  const isFullName = name.includes(':')
  const matches = build.artifacts.filter((artifact) => (isFullName ? fullyQualifiedName(artifact) === name : artifact.contractName === name))
  if (matches.length === 1) return matches[0]!
  if (matches.length > 1) {
    throw new ArtifactNotFoundError({
      contract: name,
      candidates: matches.map(fullyQualifiedName).sort(),
      ambiguous: true,
      total: build.artifacts.length,
    })
  }
  throw new ArtifactNotFoundError({
    contract: name,
    candidates: closeMatches(build.artifacts, name),
    ambiguous: false,
    total: build.artifacts.length,
  })
}

/** Contracts whose name is a small edit away from the request, or contains it, nearest first. */
function closeMatches(artifacts: readonly Artifact[], name: string): string[] {
  const wanted = (name.includes(':') ? name.slice(name.lastIndexOf(':') + 1) : name).toLowerCase()
  const limit = Math.max(2, Math.floor(wanted.length / 3))
  return artifacts
    .map((artifact) => {
      const candidate = artifact.contractName.toLowerCase()
      const distance = editDistance(wanted, candidate)
      const related = distance <= limit || (wanted.length >= 3 && (candidate.includes(wanted) || wanted.includes(candidate)))
      return { fullName: fullyQualifiedName(artifact), distance, related }
    })
    .filter((match) => match.related)
    .sort((a, b) => a.distance - b.distance || a.fullName.localeCompare(b.fullName))
    .slice(0, 5)
    .map((match) => match.fullName)
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}
