import { BaseError } from '../errors/BaseError.js'

export type RiskInputIssue = { path: string; message: string }

/** The model was given inputs it cannot reason about (a share above 1, no allowed route, a negative latency…). */
export class RiskInputInvalidError extends BaseError {
  override readonly name = 'RiskInputInvalidError'
  readonly issues: readonly RiskInputIssue[]
  constructor({ issues }: { issues: readonly RiskInputIssue[] }) {
    const first = issues[0]
    super('BW_RISK_INPUT_INVALID', first ? `Risk input ${first.path}: ${first.message}` : 'Risk input is invalid.', {
      metaMessages: issues.slice(1).map((issue) => `${issue.path}: ${issue.message}`),
    })
    this.issues = issues
  }
}
