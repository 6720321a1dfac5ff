import { BaseError, redactSecrets } from '../errors/BaseError.js'
import { errorCodes, type ErrorCode } from '../errors/codes.js'
import type { OptionSpec, ParsedArgs } from './command.js'
import { UsageError } from './errors.js'
import type { CliIo } from './io.js'

/**
 * Remote mode: with `--server URL --token T` (or BULWARK_SERVER / BULWARK_TOKEN) a command calls
 * the HTTP API instead of opening the local store. Commands spread `remoteOptions` into their
 * flags, ask `remoteTarget()` whether to go remote, and call `remoteCall()` for each request.
 * The server's error codes come back as the same codes (and so the same exit codes) as a
 * local run would give.
 */
export const remoteOptions: Record<string, OptionSpec> = {
  server: { type: 'string', valueName: 'url', description: 'Call this Bulwark server instead of the local store (default: $BULWARK_SERVER).' },
  token: { type: 'string', valueName: 'token', description: 'API token for --server (default: $BULWARK_TOKEN). Prefer the variable: flags show in `ps`.' },
}

export type RemoteTarget = { server: string; token: string }

/** How long one API call may take before the CLI gives up, in milliseconds. */
const requestTimeoutMs = 30_000

/** The server to call, or undefined for a local run. Flags win over the environment. */
export function remoteTarget(io: Pick<CliIo, 'env'>, values: ParsedArgs['values']): RemoteTarget | undefined {
  const server = (values.server as string | undefined) ?? emptyToUndefined(io.env.BULWARK_SERVER)
  const token = (values.token as string | undefined) ?? emptyToUndefined(io.env.BULWARK_TOKEN)
  if (server === undefined) {
    if (values.token !== undefined) throw new UsageError({ message: '--token is only meaningful with --server URL (or BULWARK_SERVER).' })
    return undefined
  }
  let url: URL
  try {
    url = new URL(server)
  } catch {
    throw new UsageError({ message: `--server must be an http(s):// URL; got "${redactSecrets(server)}".` })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError({ message: `--server must be an http(s):// URL; got "${redactSecrets(server)}".` })
  }
  if (token === undefined) throw new UsageError({ message: 'Remote mode needs an API token: --token T or BULWARK_TOKEN (see `bulwark token create`).' })
  return { server: url.toString().replace(/\/$/, ''), token }
}

/** The server answered with an error: its code, status and message, as a local run would raise them. */
export class RemoteApiError extends BaseError {
  override readonly name = 'RemoteApiError'
  readonly status: number
  constructor({ code, message, status, meta }: { code: ErrorCode; message: string; status: number; meta?: readonly string[] | undefined }) {
    super(code, message, { metaMessages: [...(meta ?? []), `HTTP ${status} from the server`] })
    this.status = status
  }
}

export class ServerUnreachableError extends BaseError {
  override readonly name = 'ServerUnreachableError'
  constructor({ server, reason, cause }: { server: string; reason: string; cause?: unknown }) {
    super('BW_SERVER_UNREACHABLE', `The Bulwark server at ${redactSecrets(server)} ${reason}.`, { cause })
  }
}

/**
 * One API call. `values` are the command's parsed flags (for --server/--token); `path` starts
 * with `/` and may carry a query string. Returns the parsed JSON body of a 2xx answer and
 * throws RemoteApiError (the server's code) or ServerUnreachableError otherwise.
 */
export async function remoteCall<T = unknown>(
  io: Pick<CliIo, 'env'>,
  values: ParsedArgs['values'],
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const target = remoteTarget(io, values)
  if (!target) throw new UsageError({ message: 'This needs --server URL (or BULWARK_SERVER).' })
  return callServer<T>(target, method, path, body)
}

export async function callServer<T = unknown>(target: RemoteTarget, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  let response: Response
  try {
    response = await fetch(`${target.server}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${target.token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(requestTimeoutMs),
    })
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
    throw new ServerUnreachableError({ server: target.server, reason: timedOut ? `did not answer within ${requestTimeoutMs / 1000} s` : 'could not be reached', cause: error })
  }
  const text = await response.text()
  let parsed: unknown
  try {
    parsed = text === '' ? undefined : JSON.parse(text)
  } catch {
    throw new ServerUnreachableError({ server: target.server, reason: `answered HTTP ${response.status} without JSON (is it a Bulwark server?)` })
  }
  if (response.ok) return parsed as T
  const error = (parsed as { error?: { code?: unknown; message?: unknown; meta?: unknown } } | undefined)?.error
  const code = typeof error?.code === 'string' && error.code in errorCodes ? (error.code as ErrorCode) : 'BW_INTERNAL'
  throw new RemoteApiError({
    code,
    message: typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`,
    status: response.status,
    meta: Array.isArray(error?.meta) ? error.meta.filter((line): line is string => typeof line === 'string') : undefined,
  })
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}
