import type { Hex } from 'viem'
import type { TestChainClient } from '../../chain/clients.js'
import type { Anvil } from '../../chain/startAnvil.js'

/** A fork no run is using: its anvil, a client, and the snapshot of the state it was started with. */
export type IdleFork = { anvil: Anvil; client: TestChainClient; pristine: Hex }

/** What makes two forks interchangeable: the same chain, block (by hash: a restarted dev chain reuses numbers and ports) and anvil arguments. */
export type IdleForkKey = { rpcUrl: string; chainId: number; blockNumber: bigint; blockHash: Hex; extraArgs: readonly string[] }

/**
 * How long a fork is kept after its run (ms) and how many are kept at most. A validation starts two
 * to four forks of the same block; the next validation of the same chain (a warm re-run, another
 * patch to the same protocol, the next job of a worker) takes them instead of starting anvil and
 * refilling its state cache from the RPC endpoint again. Idle forks never keep the process alive.
 */
const idleMs = 120_000
const maxIdle = 6

type Parked = { key: string; fork: IdleFork; timer: NodeJS.Timeout }
const parked: Parked[] = []

function keyOf(key: IdleForkKey): string {
  return JSON.stringify([key.rpcUrl, key.chainId, key.blockNumber.toString(), key.blockHash.toLowerCase(), key.extraArgs])
}

/** Takes an idle fork started with this key, already back in the state it was started with; undefined when there is none. */
export function takeIdleFork(key: IdleForkKey): IdleFork | undefined {
  const wanted = keyOf(key)
  for (let index = parked.length - 1; index >= 0; index -= 1) {
    if (parked[index]!.key !== wanted) continue
    const [entry] = parked.splice(index, 1)
    clearTimeout(entry!.timer)
    entry!.fork.anvil.keepProcessAlive(true)
    return entry!.fork
  }
  return undefined
}

/**
 * Puts a fork back for a later run: pending transactions dropped, state reverted to its pristine
 * snapshot (blocks, balances, code, storage, time), automine on and auto-impersonation off, as a
 * fresh fork has them; then a new pristine snapshot (anvil consumes the one reverted to). A fork that
 * cannot be reset is stopped instead.
 */
export async function parkFork(key: IdleForkKey, fork: IdleFork): Promise<void> {
  let pristine: Hex
  try {
    await fork.client.request({ method: 'anvil_dropAllTransactions' } as never)
    const reverted = (await fork.client.request({ method: 'evm_revert', params: [fork.pristine] } as never)) as boolean
    if (!reverted) throw new Error(`snapshot ${fork.pristine} is gone`)
    await fork.client.setAutomine(true)
    await fork.client.request({ method: 'anvil_autoImpersonateAccount', params: [false] } as never)
    pristine = await fork.client.snapshot()
  } catch {
    await fork.anvil.stop()
    return
  }
  while (parked.length >= maxIdle) {
    const oldest = parked.shift()!
    clearTimeout(oldest.timer)
    void oldest.fork.anvil.stop()
  }
  const entry: Parked = {
    key: keyOf(key),
    fork: { ...fork, pristine },
    timer: setTimeout(() => {
      const index = parked.indexOf(entry)
      if (index !== -1) parked.splice(index, 1)
      void fork.anvil.stop()
    }, idleMs).unref(),
  }
  fork.anvil.keepProcessAlive(false)
  parked.push(entry)
}

/** Stops every idle fork (a long-lived process that is done validating; tests that count processes). */
export async function stopIdleForks(): Promise<void> {
  const entries = parked.splice(0)
  for (const entry of entries) clearTimeout(entry.timer)
  await Promise.all(entries.map((entry) => entry.fork.anvil.stop()))
}
