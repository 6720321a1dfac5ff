import { createServer } from 'node:http'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { demoAuditorAccountIndices } from '../../chain/deployDemoProtocol.js'
import { devAccount, devRoles } from '../../chain/devAccounts.js'
import { CheckInvalidError, ForkPreparationError } from '../dynamicStageErrors.js'
import { demoStageContext, startDemoChain, type DemoChain } from './dynamicStageFixtures.js'
import { forkRehearsal } from './forkRehearsal.js'

let chain: DemoChain
beforeAll(async () => {
  chain = await startDemoChain()
})
afterAll(async () => {
  for (const variable of ['BW_TEST_SAFE_OWNER', 'BW_TEST_AUDITOR_A', 'BW_TEST_AUDITOR_B']) delete process.env[variable]
  await chain?.anvil.stop()
})

const privateKeyOf = (index: number) => `0x${Buffer.from(devAccount(index).getHdKey().privateKey!).toString('hex')}`

describe('forkRehearsal', () => {
  test('the demo V2 is released through Safe → timelock → release gate on a fork, atomically; the owner without a key is impersonated', async () => {
    // One owner signs with its real key (EIP-712); the second approval comes from an impersonated owner (approveHash).
    process.env.BW_TEST_SAFE_OWNER = privateKeyOf(devRoles.safeOwners[0])
    process.env.BW_TEST_AUDITOR_A = privateKeyOf(demoAuditorAccountIndices[0])
    process.env.BW_TEST_AUDITOR_B = privateKeyOf(demoAuditorAccountIndices[1])
    const context = await demoStageContext(chain, 'LendingPoolV2', {
      rehearsal: { signers: ['env:BW_TEST_SAFE_OWNER'], auditors: ['env:BW_TEST_AUDITOR_A', 'env:BW_TEST_AUDITOR_B'] },
    })
    const output = await forkRehearsal(context)
    // Only the one owner without a key is reported; the auditors signed with their real keys.
    expect(output.findings.map((finding) => [finding.kind, finding.severity, finding.details])).toEqual([
      ['rehearsal-signer-impersonated', 'info', { owner: chain.demo.safeOwners[1] }],
    ])
    expect(output.data!.releases).toEqual([
      {
        timelock: chain.demo.timelock,
        safe: chain.demo.safe,
        releaseGate: chain.demo.releaseGate,
        operationId: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        scheduleTransaction: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        executeTransaction: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        delaySeconds: String(chain.demo.minDelay),
        targets: ['LendingPool'],
        atomicityProbe: { reverted: true, upgradedAnyway: [] },
      },
    ])
  })

  test('without any key, owners and auditors are stood in for on the fork, and each stand-in is reported', async () => {
    const output = await forkRehearsal(await demoStageContext(chain, 'LendingPoolV2', {}))
    expect(output.findings.map((finding) => finding.message)).toEqual([
      `Release gate ${chain.demo.releaseGate}: no auditor keys were given, so the rehearsal registered 2 throw-away auditor key(s) through the gate's admin in the same batch`,
      `Safe owner ${chain.demo.safeOwners[0]} had no key: its approval was given on the fork by impersonation (approveHash, pre-validated signature)`,
      `Safe owner ${chain.demo.safeOwners[1]} had no key: its approval was given on the fork by impersonation (approveHash, pre-validated signature)`,
    ])
  })

  test('a release whose initializer call reverts fails the rehearsal with rehearsal-release-failed', async () => {
    const context = await demoStageContext(chain, 'LendingPoolV2', {})
    const output = await forkRehearsal({ ...context, builds: [{ ...context.builds[0]!, initializerCalldata: '0xdeadbeef' }] })
    const failed = output.findings.filter((finding) => finding.kind === 'rehearsal-release-failed')
    expect(failed.map((finding) => [finding.severity, finding.details])).toEqual([['critical', { timelock: chain.demo.timelock, safe: chain.demo.safe }]])
    expect(failed[0]!.message).toMatch(new RegExp(`^Releasing LendingPool through Safe ${chain.demo.safe} → timelock ${chain.demo.timelock} failed: `))
  })

  test('a signer variable without a private key is refused with BW_CHECK_INVALID', async () => {
    process.env.BW_TEST_SAFE_OWNER = 'not-a-key'
    const context = await demoStageContext(chain, 'LendingPoolV2', { rehearsal: { signers: ['env:BW_TEST_SAFE_OWNER'] } })
    const error = await forkRehearsal(context).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(CheckInvalidError)
    expect((error as CheckInvalidError).code).toBe('BW_CHECK_INVALID')
    expect((error as CheckInvalidError).shortMessage).toBe('Check "rehearsal.signers" cannot run: environment variable BW_TEST_SAFE_OWNER does not hold a 0x-prefixed 32-byte private key')
  })
})

describe('forkRehearsal when the node fails', () => {
  test('an upstream that stops answering during the release is BW_FORK_FAILED (could not run), not a rehearsal-release-failed finding', async () => {
    process.env.BW_TEST_SAFE_OWNER = privateKeyOf(devRoles.safeOwners[0])
    process.env.BW_TEST_AUDITOR_A = privateKeyOf(demoAuditorAccountIndices[0])
    process.env.BW_TEST_AUDITOR_B = privateKeyOf(demoAuditorAccountIndices[1])
    // The fork reads the chain through this node; it goes away once the atomicity probe is done and the release starts
    // (the release's timelock operation reads storage the fork has not fetched yet).
    let down = false
    // A block no earlier rehearsal forked at: the fork has nothing of it cached and must ask the node.
    await fetch(chain.anvil.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'anvil_mine', params: ['0x1'] }) })
    const node = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk: Buffer) => (body += chunk.toString()))
      request.on('end', async () => {
        if (down) return void response.writeHead(503, { 'content-type': 'text/plain' }).end('node unavailable')
        const upstream = await fetch(chain.anvil.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        response.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text())
      })
    })
    await new Promise<void>((resolve) => node.listen(0, '127.0.0.1', resolve))
    try {
      const context = await demoStageContext(chain, 'LendingPoolV2', {
        rehearsal: { signers: ['env:BW_TEST_SAFE_OWNER'], auditors: ['env:BW_TEST_AUDITOR_A', 'env:BW_TEST_AUDITOR_B'] },
      })
      const progress: string[] = []
      const failure = await forkRehearsal({
        ...context,
        rpcUrl: `http://127.0.0.1:${(node.address() as { port: number }).port}`,
        progress: (message) => {
          progress.push(message)
          if (message.startsWith('releasing ')) down = true
        },
      }).then(
        (output) => output,
        (error: unknown) => error,
      )
      expect(progress.some((message) => message.startsWith('releasing '))).toBe(true)
      expect(failure, failure instanceof ForkPreparationError ? "" : JSON.stringify(failure, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value))).toBeInstanceOf(ForkPreparationError)
      expect((failure as ForkPreparationError).code).toBe('BW_FORK_FAILED')
      expect((failure as ForkPreparationError).shortMessage).toMatch(/^Could not prepare the validation fork \(release through the governance path\): /)
    } finally {
      await new Promise((resolve) => node.close(resolve))
    }
  }, 240_000)
})
