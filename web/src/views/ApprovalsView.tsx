import { useState } from 'react'
import type { ResponseOf } from '../api.generated.js'
import { api } from '../api.js'
import { demoRunOf, type Run } from '../demoRun.js'
import { Status, useApi } from '../useApi.js'

/** Patches awaiting approval, what a signer signs, and the approval form. */
type Patch = ResponseOf<'GET /patches'>['patches'][number]

declare global {
  interface Window {
    ethereum?: { request(args: { method: string; params?: unknown[] }): Promise<unknown> }
  }
}

export function ApprovalsView({ token, refreshKey, onChange }: { token: string; refreshKey: number; onChange: () => void }) {
  const patches = useApi(token, 'GET /patches', '/patches?status=awaiting_approval', refreshKey)
  const demo = useApi(token, 'GET /demo', '/demo', refreshKey)
  const demoRun = demoRunOf(demo.data)
  const signing = demoRun?.signing ?? null
  // Kept here, not in the card: the approval that reaches the threshold moves the patch out of this list.
  const [message, setMessage] = useState<string | null>(null)
  return (
    <section className="card" aria-labelledby="appr-title">
      <h2 id="appr-title">Approvals</h2>
      <p role="status" data-testid="approval-message">{message}</p>
      <Status load={patches} empty={patches.data?.patches.length === 0}>
        {(data) => data.patches.map((patch) => <ApprovalCard key={patch.id} token={token} patch={patch} signing={demoRun?.patchId === patch.id ? signing : null} onChange={onChange} onMessage={setMessage} />)}
      </Status>
    </section>
  )
}

function ApprovalCard({ token, patch, signing, onChange, onMessage: setMessage }: { token: string; patch: Patch; signing: Run['signing']; onChange: () => void; onMessage: (message: string | null) => void }) {
  const [signature, setSignature] = useState('')
  const digest = signing?.reportHash
  const submit = async (sig: string | undefined) => {
    try {
      await api(token, 'POST /patches/{id}/approvals', `/patches/${encodeURIComponent(patch.id)}/approvals`, { ...(digest ? { digest } : {}), ...(sig ? { signature: sig } : {}), note: 'approved in the dashboard' })
      setMessage(`Approval recorded for ${patch.id}.`)
      onChange()
    } catch (error) {
      setMessage((error as Error).message)
    }
  }
  const signWithWallet = async () => {
    try {
      const [account] = (await window.ethereum!.request({ method: 'eth_requestAccounts' })) as string[]
      const sig = (await window.ethereum!.request({ method: 'personal_sign', params: [digest, account] })) as string
      await submit(sig)
    } catch (error) {
      setMessage((error as Error).message)
    }
  }
  return (
    <article aria-labelledby={`p-${patch.id}`}>
      <h3 id={`p-${patch.id}`}>{patch.id}: {patch.title}</h3>
      <p>
        <span data-testid="approval-progress">{patch.approvals.length} of {patch.requiredApprovals}</span> approvals ({patch.route} route)
        <progress max={patch.requiredApprovals} value={patch.approvals.length} aria-label="Approval progress" style={{ marginLeft: 8 }} />
      </p>
      <ul>{patch.approvals.map((a) => <li key={a.signer}>{a.signer}</li>)}</ul>
      {signing && (
        <dl>
          <dt>Validation report hash (the message you sign)</dt><dd className="hash">{signing.reportHash}</dd>
          <dt>Report verdict</dt><dd><span className={`badge ${signing.verdict}`}>{signing.verdict}</span></dd>
          <dt>Release attestation digest (EIP-712)</dt><dd className="hash">{signing.attestationDigest}</dd>
          <dt>Approved codehashes</dt><dd className="hash">{signing.codehashes.join(', ')}</dd>
          <dt>Decoded calls of the timelock batch</dt>
          <dd><ol>{signing.calls.map((c, i) => <li key={i}><code>{c.function}</code> on <span className="hash">{c.target}</span><ul>{c.args.map((arg, j) => <li key={j} className="hash">{arg.slice(0, 200)}</li>)}</ul></li>)}</ol></dd>
        </dl>
      )}
      {window.ethereum && digest && <button type="button" onClick={signWithWallet}>Sign with wallet</button>}
      <form onSubmit={(event) => { event.preventDefault(); void submit(signature.trim() || undefined) }}>
        <label htmlFor={`sig-${patch.id}`}>Signature over the report hash (paste from your wallet; optional)</label>
        <input id={`sig-${patch.id}`} value={signature} onChange={(e) => setSignature(e.target.value)} pattern="0x[0-9a-fA-F]*" placeholder="0x…" />
        <button type="submit" style={{ marginTop: 6 }}>Approve as signer</button>
      </form>
    </article>
  )
}
