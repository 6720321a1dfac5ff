import { concat, encodeFunctionData, keccak256, pad, parseAbi, toHex, zeroAddress, type Address, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDevClient, type DevClient } from '../chain/clients.js'
import { deploySafe, deploySafeInfrastructure, type SafeInfrastructure } from '../chain/deploySafe.js'
import { devAccount } from '../chain/devAccounts.js'
import { encodeReleaseCalls } from '../chain/encodeReleaseCalls.js'
import { signSafeTransaction, type SafeTransaction } from '../chain/execSafeTransaction.js'
import { safeArtifacts } from '../chain/safeArtifacts.js'
import { startAnvil, type Anvil } from '../chain/startAnvil.js'
import { openStore, type Store } from '../store/openStore.js'
import { confirmSafeTransaction } from './confirmSafeTransaction.js'
import { getConfirmations, packedSignatures } from './getConfirmations.js'
import { getSignerView } from './getSignerView.js'
import { hashSafeTransaction } from './hashSafeTransaction.js'
import { listPendingSafeTransactions } from './listPendingSafeTransactions.js'
import { proposeSafeTransaction, type ProposeSafeTransactionParameters } from './proposeSafeTransaction.js'
import { renderSignerView } from './renderSignerView.js'

let anvil: Anvil
let client: DevClient
let store: Store
let infrastructure: SafeInfrastructure
let safe: Address
let otherSafe: Address
const owners = [devAccount(1), devAccount(2), devAccount(3)]
const outsider = devAccount(5)
const reports = new Map<string, Hex>()
const currentReportHash = async (patchId: string) => reports.get(patchId) ?? null
const timelockAbi = parseAbi(['function scheduleBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt, uint256 delay)'])
const reportV1 = keccak256(toHex('report v1'))
const reportV2 = keccak256(toHex('report v2'))
const patchId = keccak256(toHex('PATCH-1'))

beforeAll(async () => {
  anvil = await startAnvil()
  client = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(0) })
  infrastructure = await deploySafeInfrastructure(client)
  safe = await deploySafe(client, { infrastructure, owners: owners.map((o) => o.address), threshold: 2 })
  otherSafe = await deploySafe(client, { infrastructure, owners: owners.map((o) => o.address), threshold: 2, saltNonce: 7n })
  store = await openStore({ dataDir: 'memory://' })
})
afterAll(async () => {
  await store?.close()
  await anvil?.stop()
})

/** The demo's gate release (approvePatch + release) scheduled as one timelock batch: what signers approve for a standard release. */
async function releaseCalldata(reportHash: Hex): Promise<{ to: Address; data: Hex; codehash: Hex }> {
  const implementation = infrastructure.fallbackHandler
  const codehash = keccak256((await client.getCode({ address: implementation }))!)
  const gate = '0x00000000000000000000000000000000000047a7' as Address
  const calls = encodeReleaseCalls({ gate, patchId, reportHash, codehashes: [codehash], upgrades: [{ kind: 'uups', proxy: '0x0000000000000000000000000000000000001001', implementation }], signatures: [] })
  const data = encodeFunctionData({
    abi: timelockAbi,
    functionName: 'scheduleBatch',
    args: [calls.map((c) => c.target), [0n, 0n], calls.map((c) => c.data), `0x${'00'.repeat(32)}`, `0x${'11'.repeat(32)}`, 86_400n],
  })
  return { to: '0x000000000000000000000000000000000000714e', data, codehash }
}

function txOf(p: { to: Address; data: Hex; nonce: bigint; operation?: 0 | 1 }): SafeTransaction {
  return { to: p.to, value: 0n, data: p.data, operation: p.operation ?? 0, safeTxGas: 0n, baseGas: 0n, gasPrice: 0n, gasToken: zeroAddress, refundReceiver: zeroAddress, nonce: p.nonce }
}

async function propose(patch: string, extra: Partial<ProposeSafeTransactionParameters> & { to: Address; data: Hex }) {
  return proposeSafeTransaction(client, store, { chainId: anvil.chainId, safe, patchId: patch, reportHash: reports.get(patch)!, validation: { verdict: 'pass', rehearsal: 'release rehearsed on a fork: 1 upgrade, PoC reverts' }, currentReportHash, proposer: 'responder-1', ...extra })
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: { code?: string }) => error.code ?? String(error),
  )
}

describe('Safe transaction hashes', () => {
  test('safeTxHash and domain hash equal what the Safe 1.4.1 contract computes', async () => {
    const transaction = txOf({ to: owners[0]!.address, data: '0x1234', nonce: 5n })
    const hashes = hashSafeTransaction({ chainId: anvil.chainId, safe, transaction })
    const onChain = await client.readContract({
      address: safe,
      abi: safeArtifacts.SafeL2.abi,
      functionName: 'getTransactionHash',
      args: [transaction.to, 0n, transaction.data, 0, 0n, 0n, 0n, zeroAddress, zeroAddress, 5n],
    })
    expect(hashes.safeTxHash).toBe(onChain)
    expect(hashes.domainHash).toBe(await client.readContract({ address: safe, abi: safeArtifacts.SafeL2.abi, functionName: 'domainSeparator' }))
    expect(keccak256(concat(['0x1901', hashes.domainHash, hashes.messageHash]))).toBe(hashes.safeTxHash)
  })
})

describe('propose, confirm and the signer view of a gate release', () => {
  let releaseHash: Hex
  let release: Awaited<ReturnType<typeof releaseCalldata>>
  const patch = 'PATCH-1'

  beforeAll(async () => {
    reports.set(patch, reportV1)
    release = await releaseCalldata(reportV1)
    const transaction = txOf({ ...release, nonce: 0n })
    const first = await signSafeTransaction(owners[0]!, { safe, chainId: anvil.chainId, transaction })
    const result = await propose(patch, { ...release, sender: owners[0]!.address, signature: first.signature })
    releaseHash = result.hashes.safeTxHash
    expect(result.confirmedBy).toBe(owners[0]!.address)
  })

  test('the signer view shows the three hashes, each upgrade target and codehash, the report hash and verdict', async () => {
    const view = await getSignerView(client, store, { safeTxHash: releaseHash, currentReportHash })
    expect(view.hashes.safeTxHash).toBe(releaseHash)
    expect(view.upgrades).toEqual([
      expect.objectContaining({ proxy: '0x0000000000000000000000000000000000001001', implementation: infrastructure.fallbackHandler, upgradeKind: 'uups', approvedCodehash: release.codehash, onChainCodehash: release.codehash, codehashMatches: true }),
    ])
    expect(view.alerts).toEqual([])
    expect(view.reportHashCurrent).toBe(true)
    expect(view.validConfirmations).toBe(1)
    expect(renderSignerView(view)).toMatchInlineSnapshot(`
      "Safe transaction on chain 31337 — Safe 0x9a7F3dfDEeBb51eAbBbA3c8eCCf8cF2a983A1C72, nonce 0

      Compare with your hardware wallet:
        domain hash   0xd2cda9d89a5075fe5b91f86cdf81777e38911c96b5d49ff23344a2b36b6c5577
        message hash  0x65a98d02593411ef63ab284a6a33bdca4123660a3fae3c582723f212bdcf6673
        safeTxHash    0xfa4166976982a359db05ed3974fcc3a532d8bc0ff4d76959a3d45f5818022bd4

      Patch PATCH-1
        report hash   0x6e46ad45835d788baefd020a4ffdf8129297f24f79f6b1fe7a90e79db5df09bc (current)
        verdict       pass
        rehearsal     release rehearsed on a fork: 1 upgrade, PoC reverts

      Upgrades (1):
        0x0000000000000000000000000000000000001001 → 0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0 (uups, via release-gate)
          approved codehash  0x7c6007a5d711cea8dfd5d91f5940ec29c7f200fe511eb1fc1397b367af3c42f9
          on-chain codehash  0x7c6007a5d711cea8dfd5d91f5940ec29c7f200fe511eb1fc1397b367af3c42f9  code matches

      Calls:
        tx: call 0x000000000000000000000000000000000000714e — scheduleBatch(address[],uint256[],bytes[],bytes32,bytes32,uint256) [timelock-schedule]
          tx.calls[0]: call 0x00000000000000000000000000000000000047a7 — approvePatch(bytes32,bytes32,bytes32[],bytes[]) [gate-approve]
            patchId 0xd7e49ec6204fd12f5e16b8842bbbd56756a113b953720f2cdf8403a103f48bee, reportHash 0x6e46ad45835d788baefd020a4ffdf8129297f24f79f6b1fe7a90e79db5df09bc, 1 codehash(es), 0 attestation(s)
          tx.calls[1]: call 0x00000000000000000000000000000000000047a7 — release(bytes32,(uint8,address,address,address,bytes)[]) [gate-release]

      Confirmations 1/2 (owners: 0x70997970C51812dc3A010C7d01b50e0d17dc79C8, 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC, 0x90F79bf6EB2c4f870365E785982E1f101E93b906)
        0x70997970C51812dc3A010C7d01b50e0d17dc79C8 eip712 valid"
    `)
  })

  test('a non-owner signature is rejected with BW_SIGNATURE_INVALID', async () => {
    const sig = await signSafeTransaction(outsider, { safe, chainId: anvil.chainId, transaction: txOf({ ...release, nonce: 0n }) })
    expect(await codeOf(confirmSafeTransaction(client, store, { safeTxHash: releaseHash, signature: sig.signature, currentReportHash, submittedBy: 'x' }))).toBe('BW_SIGNATURE_INVALID')
  })

  test('a signature for another chain id, another Safe or changed calldata is rejected with BW_SIGNATURE_INVALID', async () => {
    const transaction = txOf({ ...release, nonce: 0n })
    const otherChain = await signSafeTransaction(owners[1]!, { safe, chainId: 1, transaction })
    const otherSafeSig = await signSafeTransaction(owners[1]!, { safe: otherSafe, chainId: anvil.chainId, transaction })
    const changed = await signSafeTransaction(owners[1]!, { safe, chainId: anvil.chainId, transaction: { ...transaction, data: `${transaction.data}00` } })
    for (const { signature } of [otherChain, otherSafeSig, changed]) {
      expect(await codeOf(confirmSafeTransaction(client, store, { safeTxHash: releaseHash, signature, currentReportHash, submittedBy: 'x' }))).toBe('BW_SIGNATURE_INVALID')
    }
  })

  test('calldata changed after signing: the old signature does not confirm the new proposal', async () => {
    const original = await signSafeTransaction(owners[1]!, { safe, chainId: anvil.chainId, transaction: txOf({ ...release, nonce: 0n }) })
    const tampered = await propose(patch, { to: release.to, data: `${release.data}ff` })
    expect(await codeOf(confirmSafeTransaction(client, store, { safeTxHash: tampered.hashes.safeTxHash, signature: original.signature, currentReportHash, submittedBy: 'x' }))).toBe('BW_SIGNATURE_INVALID')
  })

  test('a second confirmation by the same owner is BW_SIGNATURE_DUPLICATE; below threshold packing is BW_THRESHOLD_NOT_MET', async () => {
    const again = await signSafeTransaction(owners[0]!, { safe, chainId: anvil.chainId, transaction: txOf({ ...release, nonce: 0n }) })
    expect(await codeOf(confirmSafeTransaction(client, store, { safeTxHash: releaseHash, signature: again.signature, currentReportHash, submittedBy: 'x' }))).toBe('BW_SIGNATURE_DUPLICATE')
    expect(await codeOf(packedSignatures(client, store, { safeTxHash: releaseHash, currentReportHash }))).toBe('BW_THRESHOLD_NOT_MET')
  })

  test('calldata approving another report hash than the proposal binds to is BW_REPORT_HASH_MISMATCH', async () => {
    const other = await releaseCalldata(reportV2)
    expect(await codeOf(propose(patch, other))).toBe('BW_REPORT_HASH_MISMATCH')
  })

  test('once the patch has a new report hash, signatures over the old one no longer count (BW_REPORT_HASH_MISMATCH)', async () => {
    const second = await signSafeTransaction(owners[1]!, { safe, chainId: anvil.chainId, transaction: txOf({ ...release, nonce: 0n }) })
    reports.set(patch, reportV2)
    try {
      expect(await codeOf(confirmSafeTransaction(client, store, { safeTxHash: releaseHash, signature: second.signature, currentReportHash, submittedBy: 'x' }))).toBe('BW_REPORT_HASH_MISMATCH')
      expect(await codeOf(getConfirmations(client, store, { safeTxHash: releaseHash, currentReportHash }))).toBe('BW_REPORT_HASH_MISMATCH')
      expect(await codeOf(propose(patch, { ...release, nonce: 3n, reportHash: reportV1 }))).toBe('BW_REPORT_HASH_MISMATCH')
      const view = await getSignerView(client, store, { safeTxHash: releaseHash, currentReportHash })
      expect(view.reportHashCurrent).toBe(false)
      expect(view.validConfirmations).toBe(0)
      const pending = await listPendingSafeTransactions(client, store, { safe, currentReportHash })
      expect(pending.transactions.find((t) => t.safeTxHash === releaseHash)?.reportHashCurrent).toBe(false)
    } finally {
      reports.set(patch, reportV1)
    }
  })
})

describe('signature kinds, execution and nonces', () => {
  const patch = 'PATCH-2'
  const payee = devAccount(9).address

  test('EIP-712, eth_sign (v > 30) and pre-approved (v = 1) confirmations pack into signatures the Safe executes; then the nonce is stale', async () => {
    reports.set(patch, keccak256(toHex('report of patch 2')))
    const nonce = (await client.readContract({ address: safe, abi: safeArtifacts.SafeL2.abi, functionName: 'nonce' })) as bigint
    const transaction = txOf({ to: payee, data: '0x', nonce })
    const { hashes } = await propose(patch, { to: payee, data: '0x' })
    const safeTxHash = hashes.safeTxHash

    // eth_sign: the owner signs the hash as a personal message; Safe wants v + 4.
    const personal = await owners[2]!.signMessage({ message: { raw: safeTxHash } })
    const v = Number.parseInt(personal.slice(-2), 16) + 4
    const ethSign = `${personal.slice(0, -2)}${v.toString(16)}` as Hex
    expect((await confirmSafeTransaction(client, store, { safeTxHash, signature: ethSign, currentReportHash, submittedBy: 'x' })).kind).toBe('eth_sign')

    // Pre-approved hash: r = owner, v = 1; it counts only once approveHash ran on chain.
    const approved = concat([pad(owners[1]!.address), pad('0x00'), '0x01'])
    expect(await codeOf(confirmSafeTransaction(client, store, { safeTxHash, signature: approved, currentReportHash, submittedBy: 'x' }))).toBe('BW_SIGNATURE_INVALID')
    const ownerClient = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: owners[1]! })
    const approveTx = await ownerClient.writeContract({ address: safe, abi: safeArtifacts.SafeL2.abi, functionName: 'approveHash', args: [safeTxHash] })
    await client.waitForTransactionReceipt({ hash: approveTx, pollingInterval: 50 })
    const confirmed = await confirmSafeTransaction(client, store, { safeTxHash, signature: approved, currentReportHash, submittedBy: 'x' })
    expect(confirmed).toMatchObject({ kind: 'approved_hash', confirmations: 2, threshold: 2 })

    const packed = await packedSignatures(client, store, { safeTxHash, currentReportHash })
    expect(packed.owners).toEqual([owners[1]!.address, owners[2]!.address].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)))
    const t = packed.transaction
    const exec = await client.writeContract({
      address: safe,
      abi: safeArtifacts.SafeL2.abi,
      functionName: 'execTransaction',
      args: [t.to, t.value, t.data, t.operation, t.safeTxGas, t.baseGas, t.gasPrice, t.gasToken, t.refundReceiver, packed.signatures],
    })
    expect((await client.waitForTransactionReceipt({ hash: exec, pollingInterval: 50 })).status).toBe('success')
    expect(transaction.nonce).toBe(nonce)

    // The nonce is used now: the executed proposal and any proposal at that nonce are stale.
    const late = await signSafeTransaction(owners[0]!, { safe, chainId: anvil.chainId, transaction })
    expect(await codeOf(confirmSafeTransaction(client, store, { safeTxHash, signature: late.signature, currentReportHash, submittedBy: 'x' }))).toBe('BW_SAFE_NONCE_STALE')
    expect(await codeOf(propose(patch, { to: payee, data: '0x1234', nonce }))).toBe('BW_SAFE_NONCE_STALE')
    const pending = await listPendingSafeTransactions(client, store, { safe, currentReportHash })
    expect(pending.transactions.some((p) => p.safeTxHash === safeTxHash)).toBe(false)
  })

  test('a DELEGATECALL that is not a known MultiSend is shouted; one to the MultiSend is not; one inside a batch is', async () => {
    const patch3 = 'PATCH-3'
    reports.set(patch3, keccak256(toHex('report of patch 3')))
    const evil = await propose(patch3, { to: outsider.address, data: '0xa9059cbb', operation: 1, nonce: 20n })
    const evilView = await getSignerView(client, store, { safeTxHash: evil.hashes.safeTxHash, currentReportHash })
    expect(evilView.alerts.map((a) => [a.severity, a.kind])).toEqual([['critical', 'delegatecall'], ['warning', 'undecoded']])
    expect(renderSignerView(evilView)).toMatch(/DELEGATECALL TO 0x[0-9a-fA-F]{40}, WHICH IS NOT A KNOWN MULTISEND/)

    const entry = (operation: number, to: Address, data: Hex) => concat([toHex(operation, { size: 1 }), to, pad(toHex(0n)), pad(toHex(BigInt((data.length - 2) / 2))), data])
    const inner = concat([entry(0, payee, '0x'), entry(1, outsider.address, '0x')])
    const batchData = encodeFunctionData({ abi: parseAbi(['function multiSend(bytes transactions) payable']), functionName: 'multiSend', args: [inner] })
    const batch = await propose(patch3, { to: infrastructure.multiSend, data: batchData, operation: 1, nonce: 21n, multiSend: [infrastructure.multiSend] })
    const view = await getSignerView(client, store, { safeTxHash: batch.hashes.safeTxHash, currentReportHash, multiSend: [infrastructure.multiSend] })
    expect(view.decoded.kind).toBe('multisend')
    expect(view.decoded.calls.map((c) => [c.operation, c.to])).toEqual([[0, payee], [1, outsider.address]])
    expect(view.alerts.map((a) => [a.kind, a.path])).toEqual([['delegatecall', 'tx.calls[1]']])
  })
})
