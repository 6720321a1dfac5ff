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

export async function api<T>(token: string | null, method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const json = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } }
  if (!response.ok) throw new ApiError(response.status, json.error?.code ?? 'BW_HTTP', json.error?.message ?? `HTTP ${response.status}`)
  return json as T
}
