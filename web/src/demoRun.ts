/**
 * The demo run as GET /demo and POST /demo/runs return it (src/operations/playDemo.ts `DemoRun`).
 * Their OpenAPI schema leaves `run` open (api.generated.ts: `run: unknown`), so its shape is stated
 * here, in one place, and read through `demoRunOf`. Every record it points to lives in the store.
 */
export type Step = { id: string; title: string; status: string; startedAt: string | null; finishedAt: string | null; detail: string | null }
export type Signing = {
  reportHash: string
  /** The EIP-712 PatchApproval digest the server checks a submitted `digest` against. */
  approvalDigest: string
  chainId: number
  /** The registered approval signer the dashboard signs as in the demo (an anvil account; devnet only). */
  demoSigner: { address: string; label: string; devAccountIndex: number }
  planHash: string
  gatePatchId: string
  codehashes: string[]
  calls: { target: string; description: string }[]
  threshold: number
  safeOwners: string[]
  safeTxHashes: string[]
}
export type Run = {
  id: number
  status: string
  startedAt: string
  finishedAt: string | null
  advisoryId: string | null
  patchId: string | null
  steps: Step[]
  exploitTx: string | null
  /** The monitor's pause, read from its response ledger: the transaction and the responder that sent it. */
  pause: { txHash: string; from: string; response: string } | null
  signing: Signing | null
  latency: unknown
  error: string | null
}

export type MonitorAlert = { id: string; detector: string; severity: string; block: { number: string } | null; tx: string | null; summary: string; riskScore: number; response: { kind: string; tx?: string | null } }
export type AlertRow = { id: string; detector: string; severity: string; block: string; tx: string; evidence: string; response: string }

export function demoRunOf(value: { run: unknown } | null | undefined): Run | null {
  return (value?.run ?? null) as Run | null
}
