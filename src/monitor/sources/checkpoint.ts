import type { Hash } from 'viem'
import type { Store, Transaction } from '../../store/openStore.js'

export type Checkpoint = { blockNumber: bigint; blockHash: Hash }

/** The last block fully processed on a chain (its alerts stored), or undefined before the first run. */
export async function readCheckpoint(db: Pick<Store, 'query'> | Transaction, chainId: number): Promise<Checkpoint | undefined> {
  const [row] = await db.query<{ block_number: string | number; block_hash: Hash }>('SELECT block_number, block_hash FROM monitor_checkpoints WHERE chain_id = $1', [chainId])
  return row ? { blockNumber: BigInt(row.block_number), blockHash: row.block_hash } : undefined
}

/** Moves the checkpoint (forward after a block, backward to the common ancestor after a reorg). */
export async function writeCheckpoint(db: Pick<Store, 'query'> | Transaction, chainId: number, checkpoint: Checkpoint): Promise<void> {
  await db.query(
    `INSERT INTO monitor_checkpoints (chain_id, block_number, block_hash) VALUES ($1, $2, $3)
     ON CONFLICT (chain_id) DO UPDATE SET block_number = EXCLUDED.block_number, block_hash = EXCLUDED.block_hash, updated_at = now()`,
    [chainId, checkpoint.blockNumber.toString(), checkpoint.blockHash],
  )
}
