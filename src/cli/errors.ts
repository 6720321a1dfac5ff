import { BaseError } from '../errors/BaseError.js'

export class UsageError extends BaseError {
  override readonly name = 'UsageError'
  constructor({ message, usage }: { message: string; usage?: string }) {
    super('BW_USAGE', message, usage ? { metaMessages: [`Usage: ${usage}`] } : {})
  }
}
