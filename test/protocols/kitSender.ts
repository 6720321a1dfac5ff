import { encodeFunctionData, parseGwei, type Abi, type Address, type Hash, type Hex, type LocalAccount, type TransactionReceipt } from 'viem'
import { createReadClient, createTestChainClient } from '../../src/chain/clients.js'
import { reasonOf } from '../../src/chain/deployContract.js'
import { DeployError } from '../../src/chain/errors.js'
import type { KitChain } from './kitGovernance.js'

/** One queued transaction of a `KitSender`. */
export type KitSenderRequest = {
  to: Address
  data: Hex
  value?: bigint | undefined
  /** Gas limit (default the sender's `defaultGas`). Fixed, not estimated: one RPC call per transaction. */
  gas?: bigint | undefined
}

export type KitSender = {
  readonly address: Address
  /** Transactions queued so far. */
  readonly sent: number
  /** Queues a transaction (signed in-process with the next nonce) and returns its hash once the node accepted it. */
  send(step: string, request: KitSenderRequest): Promise<Hash>
  /** `send` of an encoded contract call. */
  call(step: string, request: { address: Address; abi: Abi; functionName: string; args?: readonly unknown[]; value?: bigint; gas?: bigint }): Promise<Hash>
  /**
   * Waits for every transaction queued since the last settle. With `requireSuccess` (default true), a
   * transaction that was refused or reverted throws a DeployError naming its step.
   */
  settle(options?: { requireSuccess?: boolean }): Promise<TransactionReceipt[]>
}

export type CreateKitSenderParameters = {
  /** Gas limit of a transaction that names none (default 600,000: an Aave borrow or liquidation fits). */
  defaultGas?: bigint | undefined
  /** Fee cap (default twice the latest base fee plus the tip). */
  maxFeePerGas?: bigint | undefined
  maxPriorityFeePerGas?: bigint | undefined
}

/**
 * A fast sender for traffic generators: nonces counted locally, gas and fees fixed, every
 * transaction signed in-process, so a transaction costs one RPC call and many are in flight at once.
 * Order within the account is kept by nonces (each raw transaction leaves after the previous one was
 * accepted); `settle()` is the barrier between steps that depend on other accounts' transactions.
 * Works with automine and with interval mining (then keep `gas` near the real cost: blocks are packed
 * by declared gas).
 */
export async function createKitSender(chain: KitChain, account: LocalAccount, parameters: CreateKitSenderParameters = {}): Promise<KitSender> {
  // A loaded machine answers slowly; a client-side timeout on a transaction the node did accept would break the nonce chain.
  const reader = createReadClient({ rpcUrl: chain.rpcUrl, timeoutMs: 60_000 })
  const [{ baseFeePerGas }, pendingNonce] = await Promise.all([
    reader.getBlock({ blockTag: 'latest' }),
    reader.getTransactionCount({ address: account.address, blockTag: 'pending' }),
  ])
  const maxPriorityFeePerGas = parameters.maxPriorityFeePerGas ?? parseGwei('1')
  const maxFeePerGas = parameters.maxFeePerGas ?? 2n * (baseFeePerGas ?? parseGwei('1')) + maxPriorityFeePerGas
  const defaultGas = parameters.defaultGas ?? 600_000n
  let nonce = pendingNonce
  let sent = 0
  let queue: Promise<unknown> = Promise.resolve()
  let pending: { step: string; hash: Promise<Hash> }[] = []

  // anvil's automine can leave transactions in its pool when many arrive at once
  // (foundry-rs/foundry#10122): ready ones the miner missed, or queued ones behind a nonce that was
  // being mined as they arrived, which no later block promotes (and anvil_dropTransaction does not
  // drop). After a quiet spell with a transaction still unmined on an automining chain, the account's
  // pool transactions are removed and every unmined one is sent again in nonce order (checked against
  // the current state, so ready), then one block is mined. An interval-mining chain is left to its blocks.
  const tester = createTestChainClient({ rpcUrl: chain.rpcUrl, chainId: chain.chainId })
  const raws = new Map<Hash, Hex>()
  const resendUnmined = async (): Promise<void> => {
    if (!(await tester.getAutomine())) return
    const unmined: Hex[] = []
    for (const [hash, raw] of raws) {
      const transaction = await reader.getTransaction({ hash }).catch(() => undefined)
      if (transaction === undefined || transaction.blockNumber === null) unmined.push(raw)
    }
    if (unmined.length === 0) return
    await tester.request({ method: 'anvil_removePoolTransactions', params: [account.address] } as never)
    // Refused only for one mined in between (nonce too low): its receipt answers.
    for (const raw of unmined) await reader.sendRawTransaction({ serializedTransaction: raw }).catch(() => undefined)
    await tester.mine({ blocks: 1 })
  }
  // One recovery at a time, and none while a send is in flight: waiters that time out together share it.
  let recovery: Promise<void> | undefined
  const recover = (): Promise<void> => {
    recovery ??= queue
      .catch(() => undefined)
      .then(resendUnmined)
      .finally(() => {
        recovery = undefined
      })
    return recovery
  }
  const waitMined = async (hash: Hash): Promise<TransactionReceipt> => {
    const deadline = performance.now() + 60_000
    for (;;) {
      try {
        const receipt = await reader.waitForTransactionReceipt({ hash, pollingInterval: 20, timeout: 5_000 })
        raws.delete(hash)
        return receipt
      } catch (error) {
        if (performance.now() > deadline) {
          const pool = await tester.getTxpoolStatus().catch(() => undefined)
          throw new Error(`${reasonOf(error)} (pool: ${pool === undefined ? 'unreadable' : `${pool.pending} pending, ${pool.queued} queued`})`)
        }
        await recover().catch(() => undefined)
      }
    }
  }

  const send = (step: string, request: KitSenderRequest): Promise<Hash> => {
    const transactionNonce = nonce++
    sent += 1
    const hash = queue.then(async () => {
      const serializedTransaction = await account.signTransaction({
        chainId: chain.chainId,
        type: 'eip1559',
        nonce: transactionNonce,
        maxFeePerGas,
        maxPriorityFeePerGas,
        to: request.to,
        data: request.data,
        value: request.value ?? 0n,
        gas: request.gas ?? defaultGas,
      })
      const sentHash = await reader.sendRawTransaction({ serializedTransaction })
      raws.set(sentHash, serializedTransaction)
      return sentHash
    })
    // A refused transaction leaves a nonce gap that would strand every later one in the pool, so the
    // later ones are not sent: they fail with the first refusal, and `settle` names its step.
    queue = hash
    void hash.catch(() => undefined)
    pending.push({ step, hash })
    return hash
  }

  return {
    address: account.address,
    get sent() {
      return sent
    },
    send,
    call(step, { address, abi, functionName, args = [], value, gas }) {
      const data = encodeFunctionData({ abi, functionName, args } as Parameters<typeof encodeFunctionData>[0])
      return send(step, { to: address, data, value, gas })
    },
    async settle({ requireSuccess = true } = {}) {
      const batch = pending
      pending = []
      const hashes = await Promise.all(
        batch.map(({ step, hash }) =>
          hash.catch((error: unknown) => {
            throw new DeployError({ contract: step, reason: `not accepted: ${reasonOf(error)}` })
          }),
        ),
      )
      const receipts = await Promise.all(
        hashes.map((hash, index) =>
          waitMined(hash).catch((error: unknown) => {
            throw new DeployError({ contract: batch[index]!.step, reason: `no receipt for ${hash}: ${reasonOf(error)}` })
          }),
        ),
      )
      if (requireSuccess) {
        receipts.forEach((receipt, index) => {
          if (receipt.status !== 'success') throw new DeployError({ contract: batch[index]!.step, reason: `transaction ${receipt.transactionHash} reverted` })
        })
      }
      return receipts
    },
  }
}
