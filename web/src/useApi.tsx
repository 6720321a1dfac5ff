import { useEffect, useState, type ReactNode } from 'react'
import type { OperationKey, ResponseOf } from './api.generated.js'
import { api } from './api.js'

export type Load<T> = { data: T | null; error: string | null; loading: boolean }

/** GETs one operation (typed from /openapi.json) and reloads when `refreshKey` changes; `url: null` waits. */
export function useApi<K extends OperationKey>(token: string, operation: K, url: string | null, refreshKey: unknown = 0): Load<ResponseOf<K>> {
  const [state, setState] = useState<Load<ResponseOf<K>>>({ data: null, error: null, loading: true })
  useEffect(() => {
    if (!url) return
    let stale = false
    const get = api as (token: string, operation: K, url: string) => Promise<ResponseOf<K>>
    get(token, operation, url).then(
      (data) => !stale && setState({ data, error: null, loading: false }),
      (error: Error) => !stale && setState((s) => ({ data: s.data, error: error.message, loading: false })),
    )
    return () => {
      stale = true
    }
  }, [token, operation, url, refreshKey])
  return state
}

export function Status<T>({ load, empty, children }: { load: Load<T>; empty?: boolean; children: (data: T) => ReactNode }) {
  if (load.error && !load.data) return <p role="alert" className="error">Could not load: {load.error}</p>
  if (!load.data) return <p aria-busy="true">Loading…</p>
  if (empty) return <p>Nothing yet.</p>
  return <>{children(load.data)}</>
}
