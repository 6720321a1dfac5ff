import { describe, expect, test } from 'vitest'
import { hashPrivateOperation } from './hashPrivateOperation.js'
import type { TimelockCall } from './scheduleAndExecuteViaSafe.js'

const calls: TimelockCall[] = [
  { target: '0x1111111111111111111111111111111111111111', value: 5n, data: '0xdeadbeef' },
  { target: '0x2222222222222222222222222222222222222222', data: '0x' },
]
const salt = `0x${'42'.repeat(32)}` as const

describe('hashPrivateOperation', () => {
  test('equals PrivateTimelock.hashOperation (vector read from the deployed contract)', () => {
    expect(hashPrivateOperation({ calls, salt })).toBe('0xb3c05956177f81a4a59e7d412e90f945a3da456888c4881acd22ae1c1550ad79')
  })

  test('binds every target, value, payload and the salt: changing any one changes the commitment', () => {
    const base = hashPrivateOperation({ calls, salt })
    const variants: { calls: TimelockCall[]; salt: `0x${string}` }[] = [
      { calls: [{ ...calls[0]!, target: '0x3333333333333333333333333333333333333333' }, calls[1]!], salt },
      { calls: [{ ...calls[0]!, value: 6n }, calls[1]!], salt },
      { calls: [{ ...calls[0]!, data: '0xdeadbeee' }, calls[1]!], salt },
      { calls: [calls[1]!, calls[0]!], salt },
      { calls: [calls[0]!], salt },
      { calls, salt: `0x${'43'.repeat(32)}` },
    ]
    const commitments = variants.map((variant) => hashPrivateOperation(variant))
    expect(new Set([base, ...commitments]).size).toBe(variants.length + 1)
    // A missing value means zero, as in the timelock's own batches.
    expect(hashPrivateOperation({ calls: [calls[0]!, { ...calls[1]!, value: 0n }], salt })).toBe(base)
  })
})
