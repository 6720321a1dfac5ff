import { useState } from 'react'
import type { ResponseOf } from '../api.generated.js'
import { api } from '../api.js'
import { demoRunOf, type Signing } from '../demoRun.js'
import { patchApprovalTypedData, signAsDemoSigner, signWithWallet } from '../patchApproval.js'
import { Status, useApi } from '../useApi.js'

/** Patches awaiting approval, what a signer signs (an EIP-712 PatchApproval), and the ways to sign it. */
type Patch = ResponseOf<'GET /patches'>['patches'][number]

export function ApprovalsView({ token, refreshKey, onChange }: { token: string; refreshKey: number; onChange: () => void }) {
  const patches = useApi(token, 'GET /patches', '/patches?status=awaiting_approval', refreshKey)
  const demo = useApi(token, 'GET /demo', '/demo', refreshKey)
  const demoRun = demoRunOf(demo.data)
  // Kept here, not in the card: the approval that reaches the threshold moves the patch out of this list.
  const [message, setMessage] = useState<string | null>(null)
  return (
    <section className="card" aria-labelledby="appr-title">
      <h2 id="appr-title">Approvals</h2>
      <p role="status" data-testid="approval-message">{message}</p>
      <Status load={patches} empty={patches.data?.patches.length === 0}>
        {(data) => data.patches.map((patch) => <ApprovalCard key={patch.id} token={token} patch={patch} signing={demoRun?.patchId === patch.id ? demoRun.signing : null} onChange={onChange} onMessage={setMessage} />)}
      </Status>
    </section>
  )
}

function ApprovalCard({ token, patch, signing, onChange, onMessage: setMessage }: { token: string; patch: Patch; signing: Signing | null; onChange: () => void; onMessage: (message: string | null) => void }) {
  const [pasted, setPasted] = useState('')
  const typedData = patch.reportHash !== null && patch.chainId !== null ? patchApprovalTypedData({ patchId: patch.id, reportHash: patch.reportHash, chainId: patch.chainId }) : null
  // The server recovers the signer from the signature and counts it only for a registered approval signer.
  const submit = async (signature: string) => {
    try {
      const { approval } = await api(token, 'POST /patches/{id}/approvals', `/patches/${encodeURIComponent(patch.id)}/approvals`, { signature, ...(signing ? { digest: signing.approvalDigest } : {}), note: 'approved in the dashboard' })
      setMessage(`Approval recorded for ${patch.id}: ${approval.signer} (${approval.kind}).`)
      onChange()
    } catch (error) {
      setMessage((error as Error).message)
    }
  }
  const sign = async (signer: () => Promise<{ signature: string }>) => {
    try {
      await submit((await signer()).signature)
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
      <ul>{patch.approvals.map((a) => <li key={a.signer}>{a.signer} <span className="badge">{a.kind}</span></li>)}</ul>
      {typedData ? (
        <dl>
          <dt>Validation report hash (bound by the signature)</dt><dd className="hash">{typedData.message.reportHash}</dd>
          <dt>What you sign (EIP-712)</dt><dd><code>PatchApproval(string patchId, bytes32 reportHash)</code> for {patch.id} on chain {typedData.domain.chainId}</dd>
          {signing && (
            <>
              <dt>PatchApproval digest</dt><dd className="hash">{signing.approvalDigest}</dd>
              <dt>Release plan hash</dt><dd className="hash">{signing.planHash}</dd>
              <dt>Approved codehashes</dt><dd className="hash">{signing.codehashes.join(', ')}</dd>
              <dt>Calls of the timelock batch</dt>
              <dd><ol>{signing.calls.map((c, i) => <li key={i}>{c.description} on <span className="hash">{c.target}</span></li>)}</ol></dd>
              <dt>Safe transactions (owners confirm these to execute)</dt><dd className="hash">{signing.safeTxHashes.join(', ')}</dd>
            </>
          )}
        </dl>
      ) : (
        <p>This patch has no validated report hash, so no signature can approve it.</p>
      )}
      {typedData && signing && (
        <p>
          <button type="button" onClick={() => void sign(() => signAsDemoSigner(signing.demoSigner.devAccountIndex, typedData))}>Approve as signer</button>{' '}
          signs in this browser as {signing.demoSigner.label} <span className="hash">{signing.demoSigner.address}</span>
        </p>
      )}
      {typedData && window.ethereum && <button type="button" onClick={() => void sign(() => signWithWallet(window.ethereum!, typedData))}>Sign with wallet</button>}
      {typedData && (
        <form onSubmit={(event) => { event.preventDefault(); void submit(pasted.trim()) }}>
          <label htmlFor={`sig-${patch.id}`}>Or paste a PatchApproval signature (e.g. from <code>bulwark patch approve</code>)</label>
          <input id={`sig-${patch.id}`} value={pasted} onChange={(e) => setPasted(e.target.value)} pattern="0x[0-9a-fA-F]{130}" required placeholder="0x…" />
          <button type="submit" style={{ marginTop: 6 }}>Submit signature</button>
        </form>
      )}
    </article>
  )
}
