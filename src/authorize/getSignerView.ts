import { keccak256, zeroAddress, type Address, type Hex } from 'viem'
import type { Store } from '../store/openStore.js'
import { BaseError } from '../errors/BaseError.js'
import { decodeSafeCalldata, type DecodedCall, type DecodedDiamondCut, type DecodedUpgrade, type SignerAlert } from './decodeSafeCalldata.js'
import { SafeTransactionNotFoundError } from './errors.js'
import { hashSafeTransaction, type SafeTransactionHashes } from './hashSafeTransaction.js'
import { canonicalMultiSend } from './knownMultiSend.js'
import { readSafeState, type ChainReader } from './readSafeState.js'
import { listConfirmationRecords, loadSafeTransaction, type ReportHashSource, type ValidationSummary } from './safeTransactionRecords.js'
import { verifySafeSignature } from './verifySafeSignature.js'

export type SignerViewUpgrade = DecodedUpgrade & {
  /** keccak256 of the implementation's runtime code on chain now; null when it has no code. */
  onChainCodehash: Hex | null
  /** True when an approved codehash is known and the implementation's code matches it. */
  codehashMatches: boolean | null
}

/** A diamond cut with each facet's and the init's code read on chain (at schedule time a new facet has no code yet). */
export type SignerViewDiamondCut = DecodedDiamondCut & {
  facets: { facet: Address; onChainCodehash: Hex | null; approved: boolean | null }[]
  initCode: { onChainCodehash: Hex | null; approved: boolean | null } | null
}

/** Everything a signer should see before signing, and compare with a hardware wallet's screen. */
export type SignerView = {
  chainId: number
  safe: Address
  nonce: string
  safeNonce: string
  owners: Address[]
  threshold: number
  hashes: SafeTransactionHashes
  transaction: { to: Address; value: string; data: Hex; operation: 0 | 1; safeTxGas: string; baseGas: string; gasPrice: string; gasToken: Address; refundReceiver: Address; nonce: string }
  patchId: string
  reportHash: Hex
  currentReportHash: Hex | null
  /** False: the patch changed since proposal; signatures over this transaction no longer count. */
  reportHashCurrent: boolean
  validation: ValidationSummary
  decoded: DecodedCall
  upgrades: SignerViewUpgrade[]
  /** Each diamond cut's selector map (what each facet gains, keeps or loses), init and cut hash. */
  diamondCuts: SignerViewDiamondCut[]
  alerts: SignerAlert[]
  confirmations: { owner: Address; kind: string; valid: boolean; reason: string | null }[]
  validConfirmations: number
  proposer: string
  proposedAt: string
}

export type GetSignerViewParameters = {
  safeTxHash: Hex
  currentReportHash: ReportHashSource
  /** MultiSend deployments the Safe may DELEGATECALL besides the canonical 1.4.1 ones. */
  multiSend?: readonly Address[] | undefined
}

/**
 * The signer view of one proposal. It never refuses to show a transaction: a stale nonce, a changed
 * report hash or a codehash mismatch are shown as such (and as alerts), so a signer sees why not to sign.
 * @throws {SafeTransactionNotFoundError} (BW_SAFE_TX_NOT_FOUND)
 */
export async function getSignerView(client: ChainReader, store: Pick<Store, 'query'>, { safeTxHash, currentReportHash, multiSend = [] }: GetSignerViewParameters): Promise<SignerView> {
  const record = await loadSafeTransaction(store, safeTxHash)
  if (!record) throw new SafeTransactionNotFoundError({ safeTxHash })
  const { transaction: t, safe } = record
  const hashes = hashSafeTransaction({ chainId: record.chainId, safe, transaction: t })
  const [state, current, stored] = await Promise.all([readSafeState(client, { safe }), currentReportHash(record.patchId), listConfirmationRecords(store, record.safeTxHash)])
  const decoded = decodeSafeCalldata({ safe, ...t, multiSend: [...canonicalMultiSend, ...multiSend] })
  const alerts = [...decoded.alerts]

  const upgrades = await Promise.all(
    decoded.upgrades.map(async (upgrade): Promise<SignerViewUpgrade> => {
      const code = await client.getCode({ address: upgrade.implementation })
      const onChainCodehash = code && code !== '0x' ? keccak256(code) : null
      const codehashMatches = upgrade.approvedCodehash === null ? null : onChainCodehash === upgrade.approvedCodehash.toLowerCase()
      if (codehashMatches === false) {
        alerts.push({ severity: 'critical', kind: 'codehash', path: upgrade.path, message: `implementation ${upgrade.implementation} has codehash ${onChainCodehash ?? '(no code)'}, not the approved ${upgrade.approvedCodehash}: the release gate will revert.` })
      }
      return { ...upgrade, onChainCodehash, codehashMatches }
    }),
  )
  const codehashAt = async (address: Address) => {
    const code = await client.getCode({ address })
    return code && code !== '0x' ? keccak256(code) : null
  }
  const approvedIn = (cut: DecodedDiamondCut, codehash: Hex | null) => (codehash === null || cut.approvedCutHash === null ? null : cut.approvedCodehashes.some((approved) => approved.toLowerCase() === codehash))
  const diamondCuts = await Promise.all(
    decoded.diamondCuts.map(async (cut): Promise<SignerViewDiamondCut> => {
      const facets = await Promise.all(
        [...new Set(cut.cuts.filter((entry) => entry.action !== 'remove').map((entry) => entry.facet))].map(async (facet) => {
          const onChainCodehash = await codehashAt(facet)
          return { facet, onChainCodehash, approved: approvedIn(cut, onChainCodehash) }
        }),
      )
      const initCodehash = cut.init === zeroAddress ? undefined : await codehashAt(cut.init)
      return { ...cut, facets, initCode: initCodehash === undefined ? null : { onChainCodehash: initCodehash, approved: approvedIn(cut, initCodehash) } }
    }),
  )
  const reportHashCurrent = current !== null && current.toLowerCase() === record.reportHash
  const nonceUsable = t.nonce >= state.nonce
  const hashIntact = hashes.safeTxHash === record.safeTxHash
  const confirmations = await Promise.all(
    stored.map(async (confirmation) => {
      let reason: string | null = null
      if (!hashIntact) reason = 'the stored transaction no longer hashes to its safeTxHash'
      else if (!reportHashCurrent || confirmation.reportHash !== record.reportHash) reason = 'given under an older report hash'
      else if (!nonceUsable) reason = 'nonce already used'
      else {
        try {
          await verifySafeSignature(client, { safe, safeTxHash: hashes.safeTxHash, signature: confirmation.signature, state })
        } catch (error) {
          if (!(error instanceof BaseError)) throw error
          reason = (error as { reason?: string }).reason ?? error.shortMessage
        }
      }
      return { owner: confirmation.owner, kind: confirmation.kind, valid: reason === null, reason }
    }),
  )
  return {
    chainId: record.chainId,
    safe,
    nonce: t.nonce.toString(),
    safeNonce: state.nonce.toString(),
    owners: state.owners,
    threshold: state.threshold,
    hashes,
    transaction: {
      to: t.to,
      value: t.value.toString(),
      data: t.data,
      operation: t.operation,
      safeTxGas: t.safeTxGas.toString(),
      baseGas: t.baseGas.toString(),
      gasPrice: t.gasPrice.toString(),
      gasToken: t.gasToken,
      refundReceiver: t.refundReceiver,
      nonce: t.nonce.toString(),
    },
    patchId: record.patchId,
    reportHash: record.reportHash,
    currentReportHash: current === null ? null : (current.toLowerCase() as Hex),
    reportHashCurrent,
    validation: record.validation,
    decoded: decoded.root,
    upgrades,
    diamondCuts,
    alerts,
    confirmations,
    validConfirmations: confirmations.filter((c) => c.valid).length,
    proposer: record.proposer,
    proposedAt: record.proposedAt.toISOString(),
  }
}
