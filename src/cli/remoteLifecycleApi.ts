import type { LifecycleApi } from '../lifecycle/lifecycleApi.js'
import type { Actor } from '../lifecycle/types.js'
import { callServer, type RemoteTarget } from './remote.js'

/**
 * The lifecycle API over HTTP: the same operations as `localLifecycleApi`, each one request to
 * the server, acting as the token's owner. Results are the server's JSON (dates as ISO text).
 */
export async function remoteLifecycleApi(target: RemoteTarget): Promise<LifecycleApi> {
  const call = <T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => callServer<T>(target, method, path, body)
  const { actor } = await call<{ actor: Actor }>('GET', '/whoami')
  const id = (value: string) => encodeURIComponent(value)
  return {
    actor,
    createAdvisory: (input) => call('POST', '/advisories', input),
    getAdvisory: async (advisoryId) => (await call<{ advisory: never }>('GET', `/advisories/${id(advisoryId)}`)).advisory,
    listAdvisories: async (filter) => (await call<{ advisories: never }>('GET', `/advisories${query(filter)}`)).advisories,
    transitionAdvisory: ({ id: advisoryId, ...body }) => call('POST', `/advisories/${id(advisoryId)}/transitions`, body),
    setContainment: ({ id: advisoryId, ...body }) => call('POST', `/advisories/${id(advisoryId)}/containment`, body),
    listTransitions: async (advisoryId) => (await call<{ transitions: never }>('GET', `/advisories/${id(advisoryId)}/transitions`)).transitions,
    createPatch: (input) => call('POST', '/patches', input),
    getPatch: async (patchId) => (await call<{ patch: never }>('GET', `/patches/${id(patchId)}`)).patch,
    listPatches: async (filter) => (await call<{ patches: never }>('GET', `/patches${query(filter)}`)).patches,
    transitionPatch: ({ id: patchId, ...body }) => call('POST', `/patches/${id(patchId)}/transitions`, body),
    recordApproval: ({ patchId, ...body }) => call('POST', `/patches/${id(patchId)}/approvals`, body),
    registerApprovalSigner: (input) => call('POST', '/approval-signers', input),
    listApprovalSigners: async () => (await call<{ signers: never }>('GET', '/approval-signers')).signers,
    getAdvisoryLatency: async (advisoryId) => (await call<{ latency: never }>('GET', `/advisories/${id(advisoryId)}/latency`)).latency,
    getLatencySummary: async () => (await call<{ latency: never }>('GET', '/latency')).latency,
    listAuditEntries: async (filter) => (await call<{ entries: never }>('GET', `/audit${query(filter)}`)).entries,
    verifyAuditLog: ({ publicKeys, expectHead }) => {
      const params = new URLSearchParams()
      for (const key of publicKeys ?? []) params.append('publicKey', key)
      if (expectHead) {
        params.set('expectSeq', String(expectHead.seq))
        params.set('expectHash', expectHead.hash)
      }
      const text = params.toString()
      return call('GET', `/audit/verify${text === '' ? '' : `?${text}`}`)
    },
    close: async () => undefined,
  }
}

function query(values: Record<string, unknown>): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== null) params.set(key, String(value))
  const text = params.toString()
  return text === '' ? '' : `?${text}`
}
