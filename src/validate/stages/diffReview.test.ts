import { describe, expect, test } from 'vitest'
import { parameterChanges } from './diffReview.js'

const reserveData = (timestamp: string, extra: { name: string; type: string; internalType: string }[] = []) => [
  {
    name: '',
    type: 'tuple',
    internalType: 'struct DataTypes.ReserveData',
    components: [{ name: 'liquidityIndex', type: 'uint128', internalType: 'uint128' }, { name: 'lastUpdateTimestamp', type: timestamp, internalType: timestamp }, ...extra],
  },
]

describe('diff review: a function whose return struct changed names the member', () => {
  // The formatted signature (`getReserveData(address)`) is the same on both sides: it shows no outputs.
  test('a narrowed member of a returned struct', () => {
    expect(parameterChanges('returns', reserveData('uint40'), reserveData('uint32'))).toEqual(['returns.lastUpdateTimestamp uint40 → uint32'])
  })

  test('a member added, a struct renamed, a named output retyped', () => {
    expect(parameterChanges('returns', reserveData('uint40'), reserveData('uint40', [{ name: 'flags', type: 'uint8', internalType: 'uint8' }]))).toEqual(['returns.flags (uint8) added'])
    expect(parameterChanges('returns', reserveData('uint40'), [{ ...reserveData('uint40')[0]!, internalType: 'struct DataTypes.ReserveDataV2' }])).toEqual([
      'returns struct DataTypes.ReserveData → struct DataTypes.ReserveDataV2',
    ])
    expect(parameterChanges('returns', [{ name: 'a', type: 'uint256' }, { name: 'b', type: 'address', internalType: 'contract IERC20' }], [{ name: 'a', type: 'uint256' }, { name: 'b', type: 'address', internalType: 'address' }])).toEqual([
      'returns.b contract IERC20 → address',
    ])
  })

  test('identical outputs: no change', () => {
    expect(parameterChanges('returns', reserveData('uint40'), reserveData('uint40'))).toEqual([])
  })
})
