import { describe, expect, test } from 'vitest'
import { encodeErrorResult, parseAbi } from 'viem'
import { describeRevertData } from './decodeRevertReason.js'
import { loadResponderKey } from './loadResponderKey.js'
import { effectiveTip, feeCap, priceAhead } from './priceAhead.js'

const gwei = 1_000_000_000n
const key = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'

describe('responder key', () => {
  test('env:VAR resolves to the account; its JSON form holds no key', () => {
    const account = loadResponderKey('env:RESPONDER', { RESPONDER: key })
    expect(account.address).toBe('0x70997970C51812dc3A010C7d01b50e0d17dc79C8')
    expect(JSON.stringify(account)).not.toContain(key.slice(2))
    expect(loadResponderKey('env:RESPONDER', { RESPONDER: key.slice(2) }).address).toBe(account.address)
  })

  test.each([
    ['0x59c6', {}, 'the reference is not of the form env:VAR.'],
    ['env:MISSING', {}, 'environment variable MISSING is not set.'],
    ['env:RESPONDER', { RESPONDER: 'not-a-key' }, 'environment variable RESPONDER does not hold a 32-byte hex private key.'],
    ['env:RESPONDER', { RESPONDER: `0x${'00'.repeat(32)}` }, 'environment variable RESPONDER does not hold a valid secp256k1 private key.'],
  ])('%s is BW_RESPONDER_KEY_INVALID without echoing the value', (reference, env, reason) => {
    let error: unknown
    try {
      loadResponderKey(reference, env as NodeJS.ProcessEnv)
    } catch (caught) {
      error = caught
    }
    expect(error).toMatchObject({ name: 'ResponderKeyInvalidError', code: 'BW_RESPONDER_KEY_INVALID', shortMessage: `Responder key: ${reason}` })
    expect(String((error as Error).message)).not.toContain('not-a-key')
  })
})

describe('pricing ahead of a pending attack', () => {
  test("the attack's effective tip is what orders the block: the priority fee capped by the fee cap over the base fee", () => {
    expect(effectiveTip({ maxFeePerGas: 100n * gwei, maxPriorityFeePerGas: 3n * gwei }, 10n * gwei)).toBe(3n * gwei)
    expect(effectiveTip({ maxFeePerGas: 12n * gwei, maxPriorityFeePerGas: 5n * gwei }, 10n * gwei)).toBe(2n * gwei)
    expect(effectiveTip({ gasPrice: 25n * gwei }, 10n * gwei)).toBe(15n * gwei)
    expect(effectiveTip({ gasPrice: 5n * gwei }, 10n * gwei)).toBe(0n)
  })

  test('the response outbids the attack on both orderings: a higher effective tip and a higher fee cap (anvil sorts by the cap), never under a doubled base fee', () => {
    const baseFeePerGas = 10n * gwei
    for (const attack of [{ maxFeePerGas: 100n * gwei, maxPriorityFeePerGas: 40n * gwei }, { gasPrice: 300n * gwei }, { maxPriorityFeePerGas: 0n, maxFeePerGas: 20n * gwei }]) {
      const fees = priceAhead({ baseFeePerGas, attack })
      expect(fees.maxPriorityFeePerGas).toBeGreaterThan(effectiveTip(attack, baseFeePerGas))
      expect(fees.maxFeePerGas).toBeGreaterThan(feeCap(attack))
      expect(fees.maxFeePerGas).toBeGreaterThanOrEqual(2n * baseFeePerGas + fees.maxPriorityFeePerGas)
    }
    // a large fee cap with a small tip (what wallets send): the cap, not the tip, sets the response's cap
    expect(priceAhead({ baseFeePerGas, attack: { maxFeePerGas: 100n * gwei, maxPriorityFeePerGas: 40n * gwei } })).toEqual({ maxPriorityFeePerGas: 51n * gwei, maxFeePerGas: 126n * gwei })
    expect(priceAhead({ baseFeePerGas, attack: { maxPriorityFeePerGas: 0n, maxFeePerGas: 20n * gwei } })).toEqual({ maxPriorityFeePerGas: 2n * gwei, maxFeePerGas: 26n * gwei })
    expect(priceAhead({ baseFeePerGas: gwei })).toEqual({ maxPriorityFeePerGas: 2n * gwei, maxFeePerGas: 4n * gwei })
  })
})

describe('revert reasons', () => {
  const errorString = (text: string) => encodeErrorResult({ abi: parseAbi(['error Error(string)']), errorName: 'Error', args: [text] })
  test('common errors decode with their arguments; code strings of Aave, Balancer and Safe are named; unknown ones give the selector', () => {
    const account = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
    const role = `0x${'65'.repeat(32)}` as const
    const unauthorized = encodeErrorResult({ abi: parseAbi(['error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)']), errorName: 'AccessControlUnauthorizedAccount', args: [account, role] })
    expect(describeRevertData(unauthorized)).toBe(`AccessControlUnauthorizedAccount(account: ${account}, neededRole: ${role})`)
    expect(describeRevertData(errorString('2'))).toBe('Error("2"): Aave V3 CALLER_NOT_EMERGENCY_ADMIN')
    expect(describeRevertData(errorString('BAL#401'))).toBe('Error("BAL#401"): Balancer SENDER_NOT_ALLOWED')
    expect(describeRevertData(errorString('GS026'))).toBe('Error("GS026"): Safe: a signer is not an owner of the Safe (or signatures out of order)')
    expect(describeRevertData(errorString('only pause guardian and admin can pause'))).toBe('Error("only pause guardian and admin can pause")')
    const custom = encodeErrorResult({ abi: parseAbi(['error VaultLocked(uint256 until)']), errorName: 'VaultLocked', args: [5n] })
    expect(describeRevertData(custom)).toMatch(/^custom error 0x[0-9a-f]{8} \(not one Bulwark knows/)
    expect(describeRevertData(custom, parseAbi(['error VaultLocked(uint256 until)']))).toBe('VaultLocked(until: 5)')
    expect(describeRevertData('0x')).toBe('reverted without a reason')
  })
})
