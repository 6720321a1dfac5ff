import type { BodyOf, OperationKey, ResponseOf } from './api.generated.js'

/** The dashboard talks to Bulwark's HTTP API only, with the token from the URL fragment (kept in sessionStorage). */
export function readToken(): string | null {
  const match = /token=([A-Za-z0-9_-]+)/.exec(window.location.hash)
  if (match) {
    sessionStorage.setItem('bulwark-token', match[1]!)
    history.replaceState(null, '', window.location.pathname + '#/')
  }
  return sessionStorage.getItem('bulwark-token')
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Calls one API operation, typed from /openapi.json (api.generated.ts): `operation` names it as the
 * document does (`'GET /advisories/{id}'`), `url` is that path with its parameters filled in.
 */
export async function api<K extends OperationKey>(token: string | null, operation: K, url: string, ...body: BodyOf<K> extends undefined ? [] : [BodyOf<K>]): Promise<ResponseOf<K>> {
  const method = operation.slice(0, operation.indexOf(' '))
  const payload = body[0]
  const response = await fetch(url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
  })
  const json = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } }
  if (!response.ok) throw new ApiError(response.status, json.error?.code ?? 'BW_HTTP', json.error?.message ?? `HTTP ${response.status}`)
  return json as ResponseOf<K>
}
