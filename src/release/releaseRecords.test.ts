import { keccak256, stringToHex, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openStore, type Store } from '../store/openStore.js'
import type { SignedReleasePlan } from './plan.js'
import { loadRelease, markReleaseVerified, nextReleaseStep, recordReleaseExecution, saveReleasePlan } from './releaseRecords.js'

let store: Store
beforeAll(async () => {
  store = await openStore({ dataDir: 'memory://' })
})
afterAll(async () => {
  await store?.close()
})

const h = (text: string): Hex => keccak256(stringToHex(text))

/** The fields the store reads of a plan (the rest is kept as JSON). */
function plan(patchId: string, steps: ('schedule' | 'execute' | 'release')[]): SignedReleasePlan {
  return {
    patchId,
    hash: h(`plan ${patchId} ${steps.join()}`),
    reportHash: h(`report ${patchId}`),
    route: { name: steps.length === 1 ? 'emergency' : 'standard', safe: '0x0000000000000000000000000000000000000001', threshold: 1, delay: 0 },
    chain: { chainId: 31337 },
    createdAt: '2026-01-01T00:00:00.000Z',
    safeTransactions: steps.map((purpose, index) => ({ purpose, safeTxHash: h(`${patchId} safe tx ${index}`) })),
  } as unknown as SignedReleasePlan
}
const report = (patchId: string) => ({ hash: h(`report ${patchId}`), verdict: 'pass' })

describe('releases table (migration 20)', () => {
  test('an unknown patch has no release: BW_RELEASE_NOT_FOUND', async () => {
    await expect(loadRelease(store, 'PATCH-NONE')).rejects.toMatchObject({ code: 'BW_RELEASE_NOT_FOUND' })
    await expect(recordReleaseExecution(store, { patchId: 'PATCH-NONE', step: 0, purpose: 'release', safeTxHash: h('a'), transactionHash: h('b'), blockNumber: 1n })).rejects.toMatchObject({ code: 'BW_RELEASE_NOT_FOUND' })
  })

  test('planned → scheduled → released → verified, with the tx hashes; a step never executes twice', async () => {
    const saved = await saveReleasePlan(store, { plan: plan('PATCH-S', ['schedule', 'execute']), report: report('PATCH-S') })
    expect(saved).toMatchObject({ status: 'planned', route: 'standard', executions: [] })
    expect(nextReleaseStep(saved)).toBe(0)
    await expect(saveReleasePlan(store, { plan: plan('PATCH-S', ['schedule', 'execute']), report: report('PATCH-S') })).rejects.toMatchObject({ code: 'BW_RELEASE_PLAN_INVALID' })

    const scheduled = await recordReleaseExecution(store, { patchId: 'PATCH-S', step: 0, purpose: 'schedule', safeTxHash: h('PATCH-S safe tx 0'), transactionHash: h('tx 0'), blockNumber: 10n })
    expect(scheduled).toMatchObject({ status: 'scheduled', executions: [{ step: 0, transactionHash: h('tx 0'), blockNumber: 10n }] })
    expect(scheduled.scheduledAt).toBeInstanceOf(Date)
    expect(nextReleaseStep(scheduled)).toBe(1)
    // The same step again: refused by the (patch, step) primary key.
    await expect(recordReleaseExecution(store, { patchId: 'PATCH-S', step: 0, purpose: 'schedule', safeTxHash: h('PATCH-S safe tx 0'), transactionHash: h('tx 0 again'), blockNumber: 11n })).rejects.toMatchObject({ code: 'BW_RELEASE_ALREADY_EXECUTED' })
    // Nothing of an executed plan can be replaced.
    await expect(saveReleasePlan(store, { plan: plan('PATCH-S', ['schedule', 'execute']), report: report('PATCH-S'), replace: true })).rejects.toMatchObject({ code: 'BW_RELEASE_ALREADY_EXECUTED' })

    const released = await recordReleaseExecution(store, { patchId: 'PATCH-S', step: 1, purpose: 'execute', safeTxHash: h('PATCH-S safe tx 1'), transactionHash: h('tx 1'), blockNumber: 20n })
    expect(released.status).toBe('released')
    expect(nextReleaseStep(released)).toBeUndefined()
    await expect(recordReleaseExecution(store, { patchId: 'PATCH-S', step: 1, purpose: 'execute', safeTxHash: h('PATCH-S safe tx 1'), transactionHash: h('tx 1 again'), blockNumber: 21n })).rejects.toMatchObject({ code: 'BW_RELEASE_ALREADY_EXECUTED' })
    const rows = await store.query<{ tx_hashes: string[] }>('SELECT tx_hashes FROM releases WHERE patch_id = $1', ['PATCH-S'])
    expect(rows[0]!.tx_hashes).toEqual([h('tx 0'), h('tx 1')])
    expect((await markReleaseVerified(store, { patchId: 'PATCH-S' })).status).toBe('verified')
  })

  test('the database itself refuses a second execution of a step, and one transaction recorded for two releases', async () => {
    await saveReleasePlan(store, { plan: plan('PATCH-E', ['release']), report: report('PATCH-E') })
    await recordReleaseExecution(store, { patchId: 'PATCH-E', step: 0, purpose: 'release', safeTxHash: h('PATCH-E safe tx 0'), transactionHash: h('tx E'), blockNumber: 5n })
    await expect(store.query("INSERT INTO release_executions (patch_id, step, purpose, safe_tx_hash, tx_hash, block_number) VALUES ('PATCH-E', 0, 'release', '0x01', '0x02', 6)")).rejects.toMatchObject({ code: 'BW_STORE_FAILED' })
    await saveReleasePlan(store, { plan: plan('PATCH-F', ['release']), report: report('PATCH-F') })
    await expect(recordReleaseExecution(store, { patchId: 'PATCH-F', step: 0, purpose: 'release', safeTxHash: h('PATCH-F safe tx 0'), transactionHash: h('tx E'), blockNumber: 6n })).rejects.toMatchObject({ code: 'BW_RELEASE_ALREADY_EXECUTED' })
    expect((await loadRelease(store, 'PATCH-F')).status).toBe('planned')
    await expect(store.query("UPDATE releases SET status = 'released' WHERE patch_id = 'PATCH-F'")).rejects.toMatchObject({ code: 'BW_STORE_FAILED' })
  })

  test('a planned release can be replaced with --replace', async () => {
    await saveReleasePlan(store, { plan: plan('PATCH-R', ['release']), report: report('PATCH-R') })
    const replaced = await saveReleasePlan(store, { plan: { ...plan('PATCH-R', ['release']), hash: h('new plan') }, report: report('PATCH-R'), replace: true })
    expect(replaced.planHash).toBe(h('new plan'))
  })
})
