import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { getAddress } from 'viem'
import type { ReadClient } from '../../chain/clients.js'
import { getProxyInfo } from '../../chain/getProxyInfo.js'
import { ForkPreparationError } from '../dynamicStageErrors.js'
import { demoStageContext, startDemoChain, type DemoChain } from './dynamicStageFixtures.js'
import { createForkPool, withForks } from './forkPool.js'
import { stopIdleForks } from './idleForks.js'

let chain: DemoChain
beforeAll(async () => {
  chain = await startDemoChain()
}, 240_000)
afterAll(async () => chain?.anvil.stop())

const implementationOn = async (client: unknown, proxy: `0x${string}`) => (await getProxyInfo(client as ReadClient, { address: proxy }))!.implementation

describe('the run\'s fork pool', () => {
  test('one fork per kind serves every lease in turn; each lease starts from the prepared state', async () => {
    const context = await demoStageContext(chain, 'LendingPoolV2', {})
    const pool = createForkPool(context, { maxPerKind: 1 })
    const proxy = chain.demo.lendingPool.proxy
    const stranger = getAddress('0x00000000000000000000000000000000000b0b0b')
    try {
      const first = await pool.acquire(['unpatched', 'patched'])
      const [unpatched, patched] = first.forks
      const newImplementation = patched!.implementations.get('LendingPool')!
      expect(await implementationOn(patched!.client, proxy)).toBe(newImplementation)
      expect(await implementationOn(unpatched!.client, proxy)).toBe(chain.demo.lendingPool.implementation)
      // The new implementation is deployed on both, at the same address.
      expect(unpatched!.implementations.get('LendingPool')).toBe(newImplementation)
      await unpatched!.client.setBalance({ address: stranger, value: 5n })
      await unpatched!.upgrade('LendingPool')
      expect(await implementationOn(unpatched!.client, proxy)).toBe(newImplementation)

      // Two stages asking for both kinds in opposite orders: the second waits, neither deadlocks.
      const second = pool.acquire(['patched', 'unpatched'])
      const third = pool.acquire(['unpatched'])
      await first.release()
      const lease = await second
      expect(lease.forks.map((fork) => [fork.kind, fork.rpcUrl])).toEqual([['patched', patched!.rpcUrl], ['unpatched', unpatched!.rpcUrl]])
      const again = lease.forks[1]!
      expect(await again.client.getBalance({ address: stranger })).toBe(0n)
      expect(await implementationOn(again.client, proxy)).toBe(chain.demo.lendingPool.implementation)
      await lease.release()
      ;(await third).release()
      expect(pool.forksStarted).toBe(2)
    } finally {
      await pool.stop()
    }
    await expect(pool.acquire(['unpatched'])).rejects.toBeInstanceOf(ForkPreparationError)
  }, 120_000)

  test('a stage run alone gets forks of its own, handed back reset for the next run; an unknown target is named', async () => {
    const context = await demoStageContext(chain, 'LendingPoolV2', {})
    let url = ''
    let implementations: ReadonlyMap<string, string> = new Map()
    const error = await withForks(context, ['unpatched'], async ([fork]) => {
      url = fork!.rpcUrl
      implementations = fork!.implementations
      return fork!.upgrade('NoSuchTarget')
    }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ForkPreparationError)
    expect((error as ForkPreparationError).shortMessage).toBe('Could not prepare the validation fork (upgrade NoSuchTarget): "NoSuchTarget" is not a target of the manifest')
    // The next run of the same block takes the same anvil, back at the block's state: the deployer's
    // nonce was reset, so the implementations land at the same addresses again.
    const again = await withForks(context, ['unpatched'], async ([fork]) => ({ url: fork!.rpcUrl, implementations: fork!.implementations }))
    expect(again).toEqual({ url, implementations })
    await stopIdleForks()
    await expect(fetch(url, { method: 'POST', body: '{}' })).rejects.toThrow()
  }, 120_000)
})
