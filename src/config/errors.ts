import { BaseError } from '../errors/BaseError.js'

export class ProjectNotFoundError extends BaseError {
  override readonly name = 'ProjectNotFoundError'
  constructor({ path }: { path: string }) {
    super('BW_PROJECT_NOT_FOUND', `No project file at ${path}.`, {
      metaMessages: ['Create one with `bulwark init` (while `bulwark devnet` runs), or pass --project PATH.'],
    })
  }
}

export type ProjectIssue = { path: string; message: string }

export class ProjectInvalidError extends BaseError {
  override readonly name = 'ProjectInvalidError'
  readonly issues: readonly ProjectIssue[]
  constructor({ file, issues }: { file: string; issues: readonly ProjectIssue[] }) {
    const first = issues[0]
    super(
      'BW_PROJECT_INVALID',
      issues.length === 1 && first ? `Invalid project file ${file}: ${first.path}: ${first.message}` : `Invalid project file ${file}: ${issues.length} problems.`,
      { metaMessages: issues.map((issue) => `  ${issue.path}: ${issue.message}`) },
    )
    this.issues = issues
  }
}

export class ProjectExistsError extends BaseError {
  override readonly name = 'ProjectExistsError'
  constructor({ path }: { path: string }) {
    super('BW_PROJECT_EXISTS', `${path} already exists; pass --force to overwrite it.`)
  }
}
