import { zeroAddress } from 'viem'
import type { DecodedCall } from './decodeSafeCalldata.js'
import type { SignerView } from './getSignerView.js'

/** The signer view as text: hashes first (to compare with the hardware wallet), alerts in capitals, then the decoded calls. */
export function renderSignerView(view: SignerView): string {
  const lines: string[] = []
  const stale = BigInt(view.nonce) < BigInt(view.safeNonce)
  lines.push(`Safe transaction on chain ${view.chainId} — Safe ${view.safe}, nonce ${view.nonce}${stale ? ` (STALE: the Safe is at ${view.safeNonce})` : ''}`)
  lines.push('')
  lines.push('Compare with your hardware wallet:')
  lines.push(`  domain hash   ${view.hashes.domainHash}`)
  lines.push(`  message hash  ${view.hashes.messageHash}`)
  lines.push(`  safeTxHash    ${view.hashes.safeTxHash}`)
  lines.push('')
  lines.push(`Patch ${view.patchId}`)
  lines.push(`  report hash   ${view.reportHash}${view.reportHashCurrent ? ' (current)' : `  — NOT THE PATCH'S CURRENT REPORT (${view.currentReportHash ?? 'none'}): DO NOT SIGN`}`)
  lines.push(`  verdict       ${view.validation.verdict}`)
  lines.push(`  rehearsal     ${view.validation.rehearsal ?? '(not recorded)'}`)
  lines.push('')
  if (view.alerts.length > 0) {
    lines.push('ALERTS:')
    for (const alert of view.alerts) lines.push(`  !! ${alert.severity.toUpperCase()} ${alert.path}: ${alert.message}`)
    lines.push('')
  }
  lines.push(`Upgrades (${view.upgrades.length}):`)
  for (const u of view.upgrades) {
    const check = u.codehashMatches === null ? 'no approved codehash in this transaction' : u.codehashMatches ? 'code matches' : 'CODE DOES NOT MATCH'
    lines.push(`  ${u.proxy} → ${u.implementation}${u.upgradeKind ? ` (${u.upgradeKind}, via ${u.via})` : ` (via ${u.via})`}`)
    lines.push(`    approved codehash  ${u.approvedCodehash ?? '—'}`)
    lines.push(`    on-chain codehash  ${u.onChainCodehash ?? '(no code)'}  ${check}`)
    if (u.data !== '0x') lines.push(`    initializer        ${u.data.length > 74 ? `${u.data.slice(0, 74)}…` : u.data}`)
  }
  for (const cut of view.diamondCuts) {
    const attested = cut.approvedCutHash === null ? 'no approvePatch for it in this transaction' : cut.approvedCutHash === cut.cutHash ? 'the attested cut' : `NOT THE ATTESTED CUT ${cut.approvedCutHash}`
    lines.push('')
    lines.push(`Diamond cut of ${cut.diamond} (${cut.path}):`)
    lines.push(`  cut hash  ${cut.cutHash}  ${attested}`)
    for (const entry of cut.cuts) {
      const code = cut.facets.find((facet) => facet.facet === entry.facet)
      const codeNote = code === undefined ? '' : code.onChainCodehash === null ? ' (no code yet: deployed in this batch)' : code.approved === false ? ` (code ${code.onChainCodehash} NOT APPROVED)` : ` (code ${code.onChainCodehash}${code.approved ? ', approved' : ''})`
      lines.push(`  ${entry.action.padEnd(7)} ${entry.action === 'remove' ? '(removed)' : entry.facet}${codeNote}`)
      lines.push(`          ${entry.selectors.join(' ')}`)
    }
    if (cut.init !== zeroAddress) {
      const code = cut.initCode
      lines.push(`  init    ${cut.init}${code === null || code.onChainCodehash === null ? ' (no code yet)' : ` (code ${code.onChainCodehash}${code.approved === false ? ' NOT APPROVED' : code.approved ? ', approved' : ''})`}, calldata ${cut.initCalldata.length > 74 ? `${cut.initCalldata.slice(0, 74)}…` : cut.initCalldata}`)
    } else lines.push('  init    none')
  }
  lines.push('')
  lines.push('Calls:')
  renderCall(view.decoded, 1, lines)
  lines.push('')
  lines.push(`Confirmations ${view.validConfirmations}/${view.threshold} (owners: ${view.owners.join(', ')})`)
  for (const c of view.confirmations) lines.push(`  ${c.owner} ${c.kind} ${c.valid ? 'valid' : `NOT COUNTED: ${c.reason}`}`)
  return lines.join('\n')
}

function renderCall(call: DecodedCall, depth: number, lines: string[]): void {
  const indent = '  '.repeat(depth)
  const op = call.operation === 1 ? 'DELEGATECALL' : 'call'
  lines.push(`${indent}${call.path}: ${op} ${call.to}${call.value !== '0' ? ` value ${call.value}` : ''} — ${call.function ?? (call.kind === 'transfer' ? 'transfer' : 'UNDECODED')} [${call.kind}]`)
  if (call.kind === 'gate-approve') {
    lines.push(`${indent}  patchId ${String(call.args.patchId)}, reportHash ${String(call.args.reportHash)}, ${(call.args.codehashes as unknown[]).length} codehash(es), ${(call.args.signatures as unknown[]).length} attestation(s)`)
  }
  for (const child of call.calls) renderCall(child, depth + 1, lines)
}
