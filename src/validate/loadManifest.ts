import { readFile } from 'node:fs/promises'
import type { z } from 'zod'
import { formatIssuePath } from '../config/loadProject.js'
import { ManifestInvalidError, ManifestNotFoundError, type ManifestIssue } from './errors.js'
import { patchManifestSchema, type PatchManifest } from './manifest.js'

/**
 * Reads and validates a patch manifest; every problem is reported with its field path
 * (`targets[0].implementation: needs one of "sources", "foundry", "hardhat" or "buildInfo"`).
 *
 * @throws {ManifestNotFoundError} no file at `file`.
 * @throws {ManifestInvalidError} not JSON, or fails the schema.
 */
export async function loadManifest(file: string): Promise<PatchManifest> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ManifestNotFoundError({ path: file })
    throw new ManifestInvalidError({ file, issues: [{ path: '(file)', message: (error as Error).message }] })
  }
  return parseManifest(text, file)
}

export function parseManifest(text: string, file: string): PatchManifest {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ManifestInvalidError({ file, issues: [{ path: '(json)', message: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` }] })
  }
  const result = patchManifestSchema.safeParse(json)
  if (!result.success) throw new ManifestInvalidError({ file, issues: result.error.issues.map(toIssue) })
  return result.data
}

function toIssue(issue: z.core.$ZodIssue): ManifestIssue {
  if (issue.code === 'unrecognized_keys') {
    return { path: formatIssuePath([...issue.path, issue.keys[0] ?? '']), message: `unknown field${issue.keys.length > 1 ? `s ${issue.keys.join(', ')}` : ''}` }
  }
  return { path: formatIssuePath(issue.path), message: issue.message }
}
