import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { concatRunData, getContractVersion, getStorageLayout, type StorageLayout } from '@openzeppelin/upgrades-core'
import { beforeAll, describe, expect, test } from 'vitest'
import { compileSources } from '../../compile/compileSources.js'
import { validateBuildInfo } from '../validateBuildInfo.js'
import { repoRoot } from './dynamicStageFixtures.js'
import { storageFindings } from './upgradeSafety.js'

/** Both versions are compiled as the source unit `Pool.sol`, so both name the struct `Pool.Account`, as a real upgrade does. */
async function layoutOf(file: string): Promise<StorageLayout> {
  const content = await readFile(path.join(repoRoot, 'test/fixtures/validate-storage', file), 'utf8')
  const { buildInfo } = await compileSources({ root: repoRoot, sources: { 'Pool.sol': content } })
  const run = validateBuildInfo(buildInfo)
  return getStorageLayout(concatRunData(run), getContractVersion(run, 'Pool.sol:Pool'))
}

describe('storage findings name the member that changed', () => {
  let original: StorageLayout
  let updated: StorageLayout
  beforeAll(async () => {
    original = await layoutOf('PoolV1.sol')
    updated = await layoutOf('PoolV2Narrowed.sol')
  })

  test('(f) a struct member narrowed inside a mapping value: variable, slot, offset, member, its slot and offset, old and new type', () => {
    const [plain] = storageFindings(original, updated).filter((f) => f.location?.variable === '_accounts')
    expect(plain).toMatchObject({ kind: 'storage-type-changed' })
    // The old message printed `mapping(address => struct Pool.Account)` twice: both versions name the struct alike.
    expect(plain!.message).toBe(
      '_accounts (mapping(address => struct Pool.Account), slot 1, offset 0): _accounts[address].since (slot 0, offset 16 in the struct) changed from uint64 to uint32 (obvious mismatch); _accounts[address].flags (uint64) moved from slot 0, offset 24 to slot 0, offset 20 in the struct',
    )
    expect(plain!.details).toMatchObject({
      variable: '_accounts',
      slot: '1',
      offset: 0,
      members: [
        { path: '_accounts[address].since', from: 'uint64', to: 'uint32', slot: '0', offset: 16 },
        { path: '_accounts[address].flags', change: 'moved', slot: '0', offset: 24, movedTo: { slot: '0', offset: 20 } },
      ],
    })
  })

  test('the same inside an ERC-7201 namespace: the namespace and its base slot are named', () => {
    const [namespaced] = storageFindings(original, updated).filter((f) => f.location?.variable === '_positions')
    expect(namespaced!.message).toMatch(
      /^_positions \(mapping\(address => struct Pool\.Account\), namespace erc7201:bulwark\.test\.Pool at 0xb6858c1f8ccc916f52c0dd5e03a82ba8b1a7959df44df8323f630b4184424300[^)]*\): _positions\[address\]\.since \(slot 0, offset 16 in the struct\) changed from uint64 to uint32/,
    )
    expect(namespaced!.details).toMatchObject({ namespace: 'erc7201:bulwark.test.Pool', namespaceSlot: '0xb6858c1f8ccc916f52c0dd5e03a82ba8b1a7959df44df8323f630b4184424300' })
  })

  test('a whole variable retyped keeps the short form, with its slot', () => {
    const [finding] = storageFindings(original, { ...original, storage: original.storage.map((item) => (item.label === '_fee' ? { ...item, type: 't_uint128' } : item)), types: { ...original.types, t_uint128: { label: 'uint128', numberOfBytes: '16' } } })
    expect(finding?.message).toBe('_fee (slot 0, offset 0) changed type from uint256 to uint128 (obvious mismatch)')
  })

  test('a variable moved names where it was and where it is, slot and offset (upgrades-core gives only what changed)', () => {
    const last = original.storage.at(-1)!
    const moved = { ...last, slot: String(Number(last.slot) + 1) }
    const [finding] = storageFindings(original, { ...original, storage: [...original.storage.slice(0, -1), moved] })
    expect(finding).toMatchObject({ kind: 'storage-layout-changed' })
    expect(finding!.message).toBe(`${last.label} (${original.types[last.type]!.label}) moved from slot ${last.slot}, offset ${last.offset} to slot ${Number(last.slot) + 1}, offset ${last.offset}`)
    expect(finding!.details).toMatchObject({ from: { slot: last.slot, offset: last.offset }, to: { slot: String(Number(last.slot) + 1), offset: last.offset } })
  })
})
