import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { keccak256, stringToHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { openLifecycle } from '../../lifecycle/context.js'
import { getPatch } from '../../lifecycle/getPatch.js'
import { recordValidationRun } from '../../lifecycle/recordValidationRun.js'
import { testActors, testValidationReport } from '../../lifecycle/testing.js'
import { openStore } from '../../store/openStore.js'
import { main } from '../main.js'
import { captureIo } from '../testIo.js'

// The lifecycle commands on the default local store (embedded PGlite under <cwd>/.bulwark).
const samKey = keccak256(stringToHex('sam signs patches'))
const sueKey = keccak256(stringToHex('sue signs patches'))
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bulwark-lifecycle-cli-'))
})
afterAll(async () => rm(dir, { recursive: true, force: true }))

async function run(argv: string[]) {
  const capture = captureIo(dir, { USER: 'alice', SAM_KEY: samKey, SUE_KEY: sueKey })
  const exitCode = await main(argv, capture.io)
  return { exitCode, ...capture }
}

describe('bulwark advisory / patch / latency / audit (local)', () => {
  test('an incident from report to approval, with --json on every step, then latency and a clean audit log', async () => {
    const created = await run(['advisory', 'create', '--title', 'Oracle drain', '--severity', 'critical', '--contract', `devnet:0x${'ab'.repeat(20)}`, '--json'])
    expect(created.exitCode).toBe(0)
    const id = created.json().advisory.id as string
    expect(created.json()).toMatchObject({ ok: true, advisory: { status: 'reported', reporter: 'alice', affectedContracts: [{ chain: 'devnet' }] } })

    expect((await run(['advisory', 'transition', id, 'triaged', '--note', 'PoC confirmed', '--json'])).json().transitions[0]).toMatchObject({
      from: 'reported',
      to: 'triaged',
      actor: { id: 'alice', roles: ['admin', 'signer'] },
      evidence: { note: 'PoC confirmed' },
    })
    expect((await run(['advisory', 'contain', id, '--json'])).json().advisory.containment).toBe('contained')
    const patch = await run(['patch', 'create', '--advisory', id, '--title', 'TWAP', '--route', 'emergency', '--target', `0x${'aa'.repeat(20)}=0x${'bb'.repeat(20)}`, '--approvals', '2', '--json'])
    const patchId = patch.json().patch.id as string
    expect(patch.json().advisory.status).toBe('patching')

    const illegal = await run(['patch', 'transition', patchId, 'released'])
    expect(illegal.exitCode).toBe(9)
    expect(illegal.stderr()).toBe(`error BW_TRANSITION_ILLEGAL: Patch ${patchId} is proposed; it cannot move to released. Allowed next: validating, withdrawn.\n\nA patch enters "released" when the release module executes its last step and the mined transaction is checked on chain (\`bulwark release execute\`).`)

    expect((await run(['patch', 'transition', patchId, 'validating', '--quiet'])).exitCode).toBe(0)
    // "validated" is not a request: it comes from a stored validation run (here recorded as `bulwark validate --patch` does).
    const manual = await run(['patch', 'transition', patchId, 'validated', '--json'])
    expect(manual.exitCode).toBe(9)
    expect(manual.json().error.code).toBe('BW_TRANSITION_ILLEGAL')
    const context = await openLifecycle({ cwd: dir, env: { USER: 'alice' } })
    try {
      await recordValidationRun(context, { patchId, report: testValidationReport(await getPatch(context, patchId, testActors.admin)) }, { id: 'alice', roles: ['admin'] })
    } finally {
      await context.store.close()
    }
    expect((await run(['patch', 'transition', patchId, 'awaiting_approval', '--quiet'])).exitCode).toBe(0)
    // An approval is a registered signer's EIP-712 signature: no signature, or an unregistered key, is refused.
    expect((await run(['patch', 'approve', patchId, '--as', 'sam', '--json'])).json().error.code).toBe('BW_USAGE')
    const unregistered = await run(['patch', 'approve', patchId, '--key', 'env:SAM_KEY', '--as', 'sam', '--json'])
    expect(unregistered.exitCode).toBe(9)
    expect(unregistered.json().error.code).toBe('BW_APPROVAL_SIGNATURE_INVALID')
    for (const [name, key] of [['sam', samKey], ['sue', sueKey]] as const) expect((await run(['patch', 'register-signer', privateKeyToAccount(key).address, '--label', name, '--quiet'])).exitCode).toBe(0)
    expect((await run(['patch', 'approve', patchId, '--key', 'env:SAM_KEY', '--as', 'sam'])).stdout()).toBe(`${privateKeyToAccount(samKey).address} approved ${patchId}: 1/2`)
    const twice = await run(['patch', 'approve', patchId, '--key', 'env:SAM_KEY', '--as', 'sue', '--json'])
    expect(twice.exitCode).toBe(9)
    expect(twice.json()).toMatchObject({ ok: false, error: { code: 'BW_CONFLICT' } })
    expect((await run(['patch', 'approve', patchId, '--key', 'env:SUE_KEY', '--as', 'sue', '--json'])).json()).toMatchObject({ patch: { status: 'approved' }, transition: { to: 'approved' } })

    const latency = await run(['latency', id, '--json'])
    expect(latency.json().latency).toMatchObject({ advisoryId: id, route: 'emergency', exposureWindow: { open: false, endedBy: 'containment' } })
    expect(Object.keys(latency.json().latency.stages)).toEqual(['report', 'triage', 'fix', 'validation', 'approval'])
    expect((await run(['latency'])).stdout()).toMatch(/^1 advisories, 0 still exposed\n {2}stage +median +p90 +n\n {2}report /)

    const verified = await run(['audit', 'verify', '--json'])
    expect(verified.exitCode).toBe(0)
    expect(verified.json()).toMatchObject({ ok: true, entries: 13, head: { seq: 13 } })
    const head = `${verified.json().head.seq}:${verified.json().head.hash}`
    expect((await run(['audit', 'list', '--action', 'patch.approved', '--json'])).json().entries.map((e: { actor: { id: string } }) => e.actor.id)).toEqual(['sam', 'sue'])

    // Tamper with the database directly: verify names the entry and exits 1.
    const store = await openStore({ dataDir: path.join(dir, '.bulwark', 'db') })
    await store.query(`UPDATE audit_log SET actor = replace(actor, 'sam', 'eve') WHERE action = 'patch.approved'`)
    await store.close()
    const tampered = await run(['audit', 'verify', '--expect-head', head])
    expect(tampered.exitCode).toBe(1)
    expect(tampered.stdout()).toBe('audit log TAMPERED: entry 11: the entry was altered: its content does not match its hash [hash-mismatch]')
  })

  test('usage errors name the problem: subcommand, arity, flags', async () => {
    const unknown = await run(['patch', 'merge', '--json'])
    expect(unknown.exitCode).toBe(2)
    expect(unknown.json().error).toMatchObject({ code: 'BW_USAGE', message: 'Unknown subcommand "merge": create, list, show, transition, approve, signers, register-signer.' })
    expect((await run(['advisory', 'transition', 'ADV-1'])).stderr()).toMatch(/^error BW_USAGE: bulwark advisory transition takes 2 argument\(s\); got 1\./)
    expect((await run(['audit', 'verify', '--expect-head', 'latest'])).stderr()).toMatch(/^error BW_USAGE: --expect-head must be SEQ:0xHASH/)
    const missing = await run(['advisory', 'show', 'ADV-424242', '--json'])
    expect(missing.exitCode).toBe(9)
    expect(missing.json().error).toEqual({ code: 'BW_ADVISORY_NOT_FOUND', name: 'AdvisoryNotFoundError', message: 'No advisory ADV-424242.' })
    const bad = await run(['advisory', 'create', '--title', 't', '--severity', 'urgent', '--json'])
    expect(bad.exitCode).toBe(2)
    expect(bad.json().error).toMatchObject({ code: 'BW_INPUT_INVALID', message: expect.stringMatching(/^severity: /) })
  })
})
