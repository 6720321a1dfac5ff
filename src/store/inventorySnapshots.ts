import type { Store } from './openStore.js'

export type InventorySnapshot<T = unknown> = {
  id: number
  chainId: number
  scope: string
  blockNumber: bigint
  takenAt: Date
  inventory: T
}

/** The scope of an inventory: the sorted, lower-cased root addresses it was read from. */
export function inventoryScope(addresses: readonly string[]): string {
  return [...new Set(addresses.map((address) => address.toLowerCase()))].sort().join(',')
}

/** Records an inventory (a JSON-serializable value) read at `blockNumber`. */
export async function saveInventorySnapshot(
  store: Pick<Store, 'query'>,
  { chainId, scope, blockNumber, inventory }: { chainId: number; scope: string; blockNumber: bigint; inventory: unknown },
): Promise<number> {
  const [row] = await store.query<{ id: number }>(
    'INSERT INTO inventory_snapshots (chain_id, scope, block_number, inventory) VALUES ($1, $2, $3, $4) RETURNING id',
    [chainId, scope, blockNumber.toString(), JSON.stringify(inventory)],
  )
  return Number(row?.id)
}

/** The most recent snapshot of the same chain and scope, if there is one. */
export async function getLatestInventorySnapshot<T = unknown>(
  store: Pick<Store, 'query'>,
  { chainId, scope }: { chainId: number; scope: string },
): Promise<InventorySnapshot<T> | undefined> {
  const [row] = await store.query<{ id: number; chain_id: string | number; scope: string; block_number: string | number; taken_at: Date | string; inventory: T | string }>(
    'SELECT id, chain_id, scope, block_number, taken_at, inventory FROM inventory_snapshots WHERE chain_id = $1 AND scope = $2 ORDER BY id DESC LIMIT 1',
    [chainId, scope],
  )
  if (!row) return undefined
  return {
    id: Number(row.id),
    chainId: Number(row.chain_id),
    scope: row.scope,
    blockNumber: BigInt(row.block_number),
    takenAt: new Date(row.taken_at),
    inventory: typeof row.inventory === 'string' ? (JSON.parse(row.inventory) as T) : row.inventory,
  }
}
