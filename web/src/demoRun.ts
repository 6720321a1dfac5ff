/**
 * The demo run as GET /demo and POST /demo/runs return it. Their OpenAPI schema leaves `run` open
 * (api.generated.ts: `run: unknown`), so its shape is stated here, in one place, and read through `demoRunOf`.
 */
export type Step = { id: string; title: string; status: string; startedAt: string | null; finishedAt: string | null; detail: string | null }
export type Run = {
  id: number
  status: string
  advisoryId: string | null
  patchId: string | null
  steps: Step[]
  alerts: { id: string; detector: string; severity: string; block: string; tx: string; evidence: string; response: string }[]
  signing: { reportHash: string; verdict: string; gatePatchId: string; attestationDigest: string; codehashes: string[]; calls: { target: string; function: string; args: string[] }[]; threshold: number; safeOwners: string[] } | null
  release: { patchId: string; route: string; proxy: string; implementation: string; codehash: string; status: string; transactionHash: string | null; checks: { name: string; ok: boolean; detail: string }[] } | null
  latency: unknown
  error: string | null
}

export type MonitorAlert = { id: string; detector: string; severity: string; block: { number: string } | null; tx: string | null; summary: string; riskScore: number; response: { kind: string; tx?: string | null } }
export type AlertRow = { id: string; source: string; detector: string; severity: string; block: string; tx: string; evidence: string; response: string }

export function demoRunOf(value: { run: unknown } | null | undefined): Run | null {
  return (value?.run ?? null) as Run | null
}
