import { decodeFunctionData, keccak256, toHex } from 'viem'
import { describe, expect, test } from 'vitest'
import { encodeReleaseCalls } from './encodeReleaseCalls.js'
import { releaseGateAbi } from './releaseGateAbi.js'

describe('encodeReleaseCalls', () => {
  test('approvePatch then release, both to the gate, with one Upgrade per proxy kind', () => {
    const gate = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
    const [patchId, reportHash, first, second, third] = ['patch', 'report', 'a', 'b', 'c'].map((text) => keccak256(toHex(text)))
    const [pool, model, admin, beacon, v2, modelImpl, vaultImpl] = [1, 2, 3, 4, 5, 6, 7].map((n) => `0x${String(n).repeat(40)}` as const)
    const [approve, release] = encodeReleaseCalls({
      gate,
      patchId: patchId!,
      reportHash: reportHash!,
      codehashes: [first!, second!, third!],
      signatures: ['0x01', '0x02'],
      upgrades: [
        { kind: 'uups', proxy: pool!, implementation: v2!, data: '0x1234' },
        { kind: 'transparent', proxy: model!, admin: admin!, implementation: modelImpl! },
        { kind: 'beacon', proxy: beacon!, implementation: vaultImpl! },
      ],
    })
    expect([approve.target, release.target]).toEqual([gate, gate])
    expect(decodeFunctionData({ abi: releaseGateAbi, data: approve.data })).toEqual({ functionName: 'approvePatch', args: [patchId, reportHash, [first, second, third], ['0x01', '0x02']] })
    const zero = '0x0000000000000000000000000000000000000000'
    expect(decodeFunctionData({ abi: releaseGateAbi, data: release.data })).toEqual({
      functionName: 'release',
      args: [
        patchId,
        [
          { kind: 0, proxy: pool, admin: zero, implementation: v2, data: '0x1234' },
          { kind: 1, proxy: model, admin, implementation: modelImpl, data: '0x' },
          { kind: 2, proxy: beacon, admin: zero, implementation: vaultImpl, data: '0x' },
        ],
      ],
    })
  })
})
