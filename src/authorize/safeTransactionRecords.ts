import { getAddress, type Address, type Hex } from 'viem'
import type { SafeOperation, SafeTransaction } from '../chain/execSafeTransaction.js'
import type { Store, Transaction } from '../store/openStore.js'
import type { SafeSignatureKind } from './verifySafeSignature.js'

/** What the proposer recorded about the validation the transaction rests on, shown to every signer. */
export type ValidationSummary = {
  verdict: string
  /** The fork rehearsal's outcome in words (e.g. "release rehearsed on a fork of block 123: 3 upgrades, exploit PoC now reverts"). */
  rehearsal?: string | undefined
}

/** A proposal: the Safe transaction and what binds it — chain, Safe, nonce, hash, patch and report hash. */
export type SafeTransactionRecord = {
  safeTxHash: Hex
  chainId: number
  safe: Address
  transaction: SafeTransaction
  patchId: string
  reportHash: Hex
  validation: ValidationSummary
  proposer: string
  proposedAt: Date
}

export type ConfirmationRecord = {
  safeTxHash: Hex
  owner: Address
  signature: Hex
  kind: SafeSignatureKind
  /** The report hash the transaction was bound to when this owner confirmed. */
  reportHash: Hex
  submittedBy: string
  submittedAt: Date
}

/** The patch's current validation report hash (null: none recorded). Supplied by the caller (server, CLI, release). */
export type ReportHashSource = (patchId: string) => Promise<Hex | null>

type Query = Pick<Store, 'query'> | Pick<Transaction, 'query'>

type TransactionRow = {
  safe_tx_hash: string
  chain_id: string | number
  safe: string
  nonce: string
  to_address: string
  value: string
  data: string
  operation: number
  safe_tx_gas: string
  base_gas: string
  gas_price: string
  gas_token: string
  refund_receiver: string
  patch_id: string
  report_hash: string
  validation: ValidationSummary
  proposer: string
  proposed_at: Date | string
}

const transactionColumns =
  'safe_tx_hash, chain_id, safe, nonce::text AS nonce, to_address, value::text AS value, data, operation, safe_tx_gas::text AS safe_tx_gas, base_gas::text AS base_gas, gas_price::text AS gas_price, gas_token, refund_receiver, patch_id, report_hash, validation, proposer, proposed_at'

function toRecord(row: TransactionRow): SafeTransactionRecord {
  return {
    safeTxHash: row.safe_tx_hash as Hex,
    chainId: Number(row.chain_id),
    safe: getAddress(row.safe),
    transaction: {
      to: getAddress(row.to_address),
      value: BigInt(row.value),
      data: row.data as Hex,
      operation: row.operation as SafeOperation,
      safeTxGas: BigInt(row.safe_tx_gas),
      baseGas: BigInt(row.base_gas),
      gasPrice: BigInt(row.gas_price),
      gasToken: getAddress(row.gas_token),
      refundReceiver: getAddress(row.refund_receiver),
      nonce: BigInt(row.nonce),
    },
    patchId: row.patch_id,
    reportHash: row.report_hash as Hex,
    validation: row.validation,
    proposer: row.proposer,
    proposedAt: new Date(row.proposed_at),
  }
}

/** Inserts a proposal; false when one with the same safeTxHash exists already. */
export async function insertSafeTransaction(db: Query, record: Omit<SafeTransactionRecord, 'proposedAt'>): Promise<boolean> {
  const t = record.transaction
  const rows = await db.query<{ safe_tx_hash: string }>(
    `INSERT INTO safe_transactions (safe_tx_hash, chain_id, safe, nonce, to_address, value, data, operation, safe_tx_gas, base_gas, gas_price, gas_token, refund_receiver, patch_id, report_hash, validation, proposer)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
     ON CONFLICT (safe_tx_hash) DO NOTHING RETURNING safe_tx_hash`,
    [
      record.safeTxHash.toLowerCase(),
      record.chainId,
      record.safe,
      t.nonce.toString(),
      t.to,
      t.value.toString(),
      t.data.toLowerCase(),
      t.operation,
      t.safeTxGas.toString(),
      t.baseGas.toString(),
      t.gasPrice.toString(),
      t.gasToken,
      t.refundReceiver,
      record.patchId,
      record.reportHash.toLowerCase(),
      JSON.stringify(record.validation),
      record.proposer,
    ],
  )
  return rows.length === 1
}

export async function loadSafeTransaction(db: Query, safeTxHash: Hex, { forUpdate = false } = {}): Promise<SafeTransactionRecord | undefined> {
  const rows = await db.query<TransactionRow>(`SELECT ${transactionColumns} FROM safe_transactions WHERE safe_tx_hash = $1${forUpdate ? ' FOR UPDATE' : ''}`, [safeTxHash.toLowerCase()])
  return rows[0] ? toRecord(rows[0]) : undefined
}

/** Proposals of one Safe on one chain at nonce ≥ `fromNonce`, lowest nonce first. */
export async function listSafeTransactions(db: Query, { chainId, safe, fromNonce }: { chainId: number; safe: Address; fromNonce: bigint }): Promise<SafeTransactionRecord[]> {
  const rows = await db.query<TransactionRow>(
    `SELECT ${transactionColumns} FROM safe_transactions WHERE chain_id = $1 AND safe = $2 AND nonce >= $3 ORDER BY nonce, proposed_at, safe_tx_hash`,
    [chainId, getAddress(safe), fromNonce.toString()],
  )
  return rows.map(toRecord)
}

type ConfirmationRow = { safe_tx_hash: string; owner: string; signature: string; signature_kind: string; report_hash: string; submitted_by: string; submitted_at: Date | string }

export async function listConfirmationRecords(db: Query, safeTxHash: Hex): Promise<ConfirmationRecord[]> {
  const rows = await db.query<ConfirmationRow>(
    'SELECT safe_tx_hash, owner, signature, signature_kind, report_hash, submitted_by, submitted_at FROM safe_confirmations WHERE safe_tx_hash = $1 ORDER BY submitted_at, owner',
    [safeTxHash.toLowerCase()],
  )
  return rows.map((row) => ({
    safeTxHash: row.safe_tx_hash as Hex,
    owner: getAddress(row.owner),
    signature: row.signature as Hex,
    kind: row.signature_kind as SafeSignatureKind,
    reportHash: row.report_hash as Hex,
    submittedBy: row.submitted_by,
    submittedAt: new Date(row.submitted_at),
  }))
}

/** Inserts a confirmation; false when this owner already confirmed this transaction. */
export async function insertConfirmation(db: Query, record: Omit<ConfirmationRecord, 'submittedAt'>): Promise<boolean> {
  const rows = await db.query<{ owner: string }>(
    `INSERT INTO safe_confirmations (safe_tx_hash, owner, signature, signature_kind, report_hash, submitted_by)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (safe_tx_hash, owner) DO NOTHING RETURNING owner`,
    [record.safeTxHash.toLowerCase(), record.owner, record.signature.toLowerCase(), record.kind, record.reportHash.toLowerCase(), record.submittedBy],
  )
  return rows.length === 1
}
