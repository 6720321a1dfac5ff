import { BaseError } from '../errors/BaseError.js'

export class ManifestNotFoundError extends BaseError {
  override readonly name = 'ManifestNotFoundError'
  constructor({ path }: { path: string }) {
    super('BW_MANIFEST_NOT_FOUND', `No patch manifest at ${path}.`, {
      metaMessages: ['The manifest format is described in docs/validate.md.'],
    })
  }
}

export type ManifestIssue = { path: string; message: string }

/** The manifest is not JSON, fails the schema, or names files that do not exist; each problem is given with its field path. */
export class ManifestInvalidError extends BaseError {
  override readonly name = 'ManifestInvalidError'
  readonly issues: readonly ManifestIssue[]
  constructor({ file, issues }: { file: string; issues: readonly ManifestIssue[] }) {
    const first = issues[0]
    super(
      'BW_MANIFEST_INVALID',
      issues.length === 1 && first ? `Invalid patch manifest ${file}: ${first.path}: ${first.message}` : `Invalid patch manifest ${file}: ${issues.length} problems.`,
      { metaMessages: issues.map((issue) => `  ${issue.path}: ${issue.message}`) },
    )
    this.issues = issues
  }
}
