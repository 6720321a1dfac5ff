import { concat, decodeFunctionData, keccak256, slice } from 'viem'
import { describe, expect, test } from 'vitest'
import { encodePrivateDeploy } from './encodePrivateDeploy.js'
import { privateTimelockAbi } from './privateTimelockAbi.js'

describe('encodePrivateDeploy', () => {
  test('a self-call to deploy(salt, initCode) and the CREATE2 address keccak256(0xff ++ timelock ++ salt ++ keccak256(initCode))[12:]', () => {
    const timelock = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
    const salt = `0x${'ab'.repeat(32)}` as const
    const initCode = '0x6080604052348015600e575f5ffd5b50603e80601a5f395ff3fe'
    const { call, address } = encodePrivateDeploy({ timelock, salt, initCode })
    expect(call.target).toBe(timelock)
    expect(decodeFunctionData({ abi: privateTimelockAbi, data: call.data })).toEqual({ functionName: 'deploy', args: [salt, initCode] })
    const expected = slice(keccak256(concat(['0xff', timelock, salt, keccak256(initCode)])), 12)
    expect(address.toLowerCase()).toBe(expected)
    // Checksummed, like every address Bulwark hands out.
    expect(address).not.toBe(address.toLowerCase())
  })
})
