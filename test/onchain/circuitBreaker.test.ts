/**
 * CircuitBreaker: the limit at exactly its value and one unit past it, window roll-over, the trip
 * and what follows it, the admin override; and property tests (fast-check) of the window arithmetic
 * the breaker runs, replayed on chain against a reference model.
 */
import fc from 'fast-check'
import { encodeFunctionData, parseEther, parseEventLogs, type Abi, type Address, type Hex } from 'viem'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { circuitBreakerAbi } from '../../src/chain/circuitBreakerAbi.js'
import { createDevClient, createTestChainClient, type DevClient, type TestChainClient } from '../../src/chain/clients.js'
import { deployCircuitBreaker } from '../../src/chain/deployCircuitBreaker.js'
import { deployContract } from '../../src/chain/deployContract.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { startAnvil, type Anvil } from '../../src/chain/startAnvil.js'
import type { Artifact } from '../../src/compile/artifacts.js'
import { bulwarkRoot } from '../../src/compile/bulwarkRoot.js'
import { compileProject } from '../../src/compile/compileProject.js'
import { getArtifact } from '../../src/compile/getArtifact.js'
import { revertOf } from './chainKit.js'

const limit = 1000n
const window = 3600n

let anvil: Anvil
let client: TestChainClient
let owner: DevClient
let build: { artifacts: Artifact[] }
let breaker: Address
let token: Address
let vault: Address
let harness: Address
let fresh: Hex

const abiOf = (name: string) => getArtifact(build, name).abi
const vaultAbi = () => [...abiOf('GuardedVaultHarness'), ...circuitBreakerAbi] as Abi

beforeAll(async () => {
  build = await compileProject({ root: bulwarkRoot() })
  anvil = await startAnvil()
  client = createTestChainClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId })
  owner = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(0) })
  const deploy = async (name: string, args: readonly unknown[] = []) => {
    const artifact = getArtifact(build, name)
    return (await deployContract(owner, { name, abi: artifact.abi, bytecode: artifact.bytecode, args })).address
  }
  breaker = await deployCircuitBreaker(owner, { build, owner: owner.account.address })
  token = await deploy('DemoToken', ['Token', 'TKN', owner.account.address, parseEther('1000000')])
  vault = await deploy('GuardedVaultHarness', [breaker])
  harness = await deploy('OutflowWindowHarness')
  await write(token, abiOf('DemoToken'), 'transfer', [vault, parseEther('1000')])
  await write(breaker, circuitBreakerAbi, 'setRule', [vault, token, limit, window])
  fresh = await client.snapshot()
})
afterAll(async () => anvil?.stop())
beforeEach(async () => {
  await client.revert({ id: fresh })
  fresh = await client.snapshot()
})

async function write(address: Address, abi: Abi | readonly unknown[], functionName: string, args: readonly unknown[]) {
  const hash = await owner.sendTransaction({ to: address, data: encodeFunctionData({ abi: abi as Abi, functionName, args }) })
  const receipt = await owner.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  expect(receipt.status).toBe('success')
  return receipt
}
const outflow = (amount: bigint) => write(vault, vaultAbi(), 'sendGuarded', [token, devAccount(5).address, amount])
const received = () => client.readContract({ address: token, abi: abiOf('DemoToken'), functionName: 'balanceOf', args: [devAccount(5).address] }) as Promise<bigint>
const rule = () => client.readContract({ address: breaker, abi: circuitBreakerAbi, functionName: 'ruleOf', args: [vault, token] })
const available = () => client.readContract({ address: breaker, abi: circuitBreakerAbi, functionName: 'availableOutflow', args: [vault, token] })
/** Sets the next block's timestamp to `seconds` after the rule was last written, and stops automine drift. */
async function advance(seconds: bigint) {
  await client.increaseTime({ seconds: Number(seconds) })
  await client.mine({ blocks: 1 })
}

describe('CircuitBreaker limits', () => {
  test('an outflow of exactly the limit passes; one unit more trips the breaker, and then every outflow reverts', async () => {
    await outflow(limit)
    expect(await received()).toBe(limit)
    expect((await rule())[3]).toBe(false)

    // One unit past the limit: refused without reverting, so the trip and its event are kept.
    const receipt = await outflow(1n)
    expect(await received()).toBe(limit)
    expect(parseEventLogs({ abi: circuitBreakerAbi, logs: receipt.logs, eventName: 'CircuitBreakerTripped' }).map((log) => log.args)).toEqual([
      { protectedContract: vault, asset: token, usage: limit, amount: 1n, limit },
    ])
    expect(await rule()).toEqual([limit, window, limit, true])
    expect(await available()).toBe(0n)

    // Tripped: even a tiny outflow a whole window later reverts, until the owner resets.
    await advance(window * 2n)
    expect(await revertOf(owner.simulateContract({ address: vault, abi: vaultAbi(), functionName: 'sendGuarded', args: [token, devAccount(5).address, 1n] }))).toEqual({
      errorName: 'CircuitBreakerIsTripped',
      args: [vault, token],
    })
  })

  test('a single outflow one unit past the limit trips it; nothing leaves', async () => {
    const receipt = await outflow(limit + 1n)
    expect(parseEventLogs({ abi: circuitBreakerAbi, logs: receipt.logs, eventName: 'CircuitBreakerTripped' })[0]?.args).toEqual({
      protectedContract: vault,
      asset: token,
      usage: 0n,
      amount: limit + 1n,
      limit,
    })
    expect(await received()).toBe(0n)
  })

  test('window roll-over: usage ages out linearly; half a window frees half the limit, a whole window all of it', async () => {
    await outflow(limit)
    await advance(window / 2n)
    expect(await available()).toBe(limit / 2n)
    await outflow(limit / 2n)
    // The next unit would cross again (same second as the last outflow).
    expect(await available()).toBe(0n)
    await advance(window)
    expect(await available()).toBe(limit)
    expect((await rule())[2]).toBe(0n)
    await outflow(limit)
    expect(await received()).toBe(limit * 2n + limit / 2n)
  })

  test('the admin override: the owner resets a tripped breaker; nobody else can, nor set rules', async () => {
    await outflow(limit + 1n)
    const stranger = devAccount(6).address
    for (const [functionName, args] of [
      ['reset', [vault, token]],
      ['setRule', [vault, token, 1n, 1n]],
      ['removeRule', [vault, token]],
    ] as const) {
      expect(await revertOf(client.simulateContract({ account: stranger, address: breaker, abi: circuitBreakerAbi, functionName, args } as never))).toEqual({
        errorName: 'OwnableUnauthorizedAccount',
        args: [stranger],
      })
    }
    const receipt = await write(breaker, circuitBreakerAbi, 'reset', [vault, token])
    expect(parseEventLogs({ abi: circuitBreakerAbi, logs: receipt.logs, eventName: 'CircuitBreakerReset' })[0]?.args).toEqual({ protectedContract: vault, asset: token, wasTripped: true })
    expect(await rule()).toEqual([limit, window, 0n, false])
    await outflow(limit)
    expect(await received()).toBe(limit)
  })

  test('a guardian the owner names trips a breaker before any outflow crosses it; it cannot reset it, and strangers cannot trip', async () => {
    const guardian = devAccount(7)
    const stranger = devAccount(6).address
    expect(await revertOf(client.simulateContract({ account: stranger, address: breaker, abi: circuitBreakerAbi, functionName: 'trip', args: [vault, token] }))).toEqual({
      errorName: 'CircuitBreakerUnauthorizedGuardian',
      args: [stranger],
    })
    expect(await revertOf(client.simulateContract({ account: stranger, address: breaker, abi: circuitBreakerAbi, functionName: 'setGuardian', args: [stranger, true] }))).toEqual({
      errorName: 'OwnableUnauthorizedAccount',
      args: [stranger],
    })
    const named = await write(breaker, circuitBreakerAbi, 'setGuardian', [guardian.address, true])
    expect(parseEventLogs({ abi: circuitBreakerAbi, logs: named.logs, eventName: 'CircuitBreakerGuardianSet' })[0]?.args).toEqual({ guardian: guardian.address, allowed: true })
    expect(await client.readContract({ address: breaker, abi: circuitBreakerAbi, functionName: 'isGuardian', args: [guardian.address] })).toBe(true)
    expect(await client.readContract({ address: breaker, abi: circuitBreakerAbi, functionName: 'isGuardian', args: [stranger] })).toBe(false)
    // no rule for this asset: nothing to trip
    expect(await revertOf(client.simulateContract({ account: guardian.address, address: breaker, abi: circuitBreakerAbi, functionName: 'trip', args: [vault, stranger] }))).toEqual({
      errorName: 'CircuitBreakerNoRule',
      args: [vault, stranger],
    })
    const guardianClient = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: guardian })
    const tripHash = await guardianClient.writeContract({ address: breaker, abi: circuitBreakerAbi, functionName: 'trip', args: [vault, token] })
    const tripped = await guardianClient.waitForTransactionReceipt({ hash: tripHash, pollingInterval: 20 })
    expect(parseEventLogs({ abi: circuitBreakerAbi, logs: tripped.logs, eventName: 'CircuitBreakerTrippedBy' })[0]?.args).toEqual({ protectedContract: vault, asset: token, by: guardian.address })
    expect(await rule()).toEqual([limit, window, 0n, true])
    expect(await available()).toBe(0n)
    // a second trip (another responder racing) does nothing and does not revert
    const again = await guardianClient.waitForTransactionReceipt({ hash: await guardianClient.writeContract({ address: breaker, abi: circuitBreakerAbi, functionName: 'trip', args: [vault, token] }), pollingInterval: 20 })
    expect(again.status).toBe('success')
    expect(again.logs).toEqual([])
    // even the smallest outflow now reverts, and the guardian cannot undo the trip
    expect(await revertOf(client.simulateContract({ account: owner.account.address, address: vault, abi: vaultAbi(), functionName: 'sendGuarded', args: [token, devAccount(5).address, 1n] }))).toEqual({
      errorName: 'CircuitBreakerIsTripped',
      args: [vault, token],
    })
    expect(await revertOf(client.simulateContract({ account: guardian.address, address: breaker, abi: circuitBreakerAbi, functionName: 'reset', args: [vault, token] }))).toEqual({
      errorName: 'OwnableUnauthorizedAccount',
      args: [guardian.address],
    })
    await write(breaker, circuitBreakerAbi, 'reset', [vault, token])
    await outflow(limit)
    expect(await received()).toBe(limit)
  })

  test('rules: invalid limits and windows are refused; without a rule outflows pass unrecorded', async () => {
    const cases: [bigint, bigint][] = [
      [0n, 1n],
      [1n, 0n],
      [2n ** 96n, 1n],
      [1n, 2n ** 24n],
    ]
    for (const [badLimit, badWindow] of cases) {
      expect(
        await revertOf(owner.simulateContract({ address: breaker, abi: circuitBreakerAbi, functionName: 'setRule', args: [vault, token, badLimit, badWindow] })),
      ).toEqual({ errorName: 'CircuitBreakerInvalidRule', args: [badLimit, badWindow] })
    }
    await write(breaker, circuitBreakerAbi, 'removeRule', [vault, token])
    expect(await available()).toBe(2n ** 256n - 1n)
    await outflow(limit * 5n)
    expect(await rule()).toEqual([0n, 0n, 0n, false])
    expect(await revertOf(owner.simulateContract({ address: breaker, abi: circuitBreakerAbi, functionName: 'reset', args: [vault, token] }))).toEqual({
      errorName: 'CircuitBreakerNoRule',
      args: [vault, token],
    })
  })
})

/** The reference model of the window arithmetic, in exact integers. */
function model(ruleLimit: bigint, ruleWindow: bigint, start: bigint, steps: { time: bigint; amount: bigint }[]) {
  let used = 0n
  let updatedAt = start
  let tripped = false
  return steps.map(({ time, amount }) => {
    if (!tripped) {
      const elapsed = time - updatedAt
      const released = elapsed >= ruleWindow ? used : (ruleLimit * elapsed) / ruleWindow
      const current = used > released ? used - released : 0n
      if (current + amount <= ruleLimit) {
        used = current + amount
        updatedAt = time
        return { allowed: true, usage: used }
      }
      tripped = true
    }
    return { allowed: false, usage: used }
  })
}

describe('window arithmetic (fast-check, replayed on chain)', () => {
  const sequence = fc.record({
    limit: fc.bigInt({ min: 1n, max: 2n ** 96n - 1n }),
    window: fc.bigInt({ min: 1n, max: 2n ** 24n - 1n }),
    steps: fc.array(fc.record({ gap: fc.bigInt({ min: 0n, max: 2n ** 25n }), share: fc.integer({ min: 0, max: 1200 }) }), { minLength: 1, maxLength: 24 }),
  })
  const replay = async (ruleLimit: bigint, ruleWindow: bigint, steps: { time: bigint; amount: bigint }[]) => {
    const [allowed, usage] = (await client.readContract({
      address: harness,
      abi: abiOf('OutflowWindowHarness'),
      functionName: 'replay',
      args: [ruleLimit, ruleWindow, 1_000n, steps.map((step) => step.time), steps.map((step) => step.amount)],
    })) as [boolean[], bigint[]]
    return steps.map((_, index) => ({ allowed: allowed[index]!, usage: usage[index]! }))
  }
  // Amounts are drawn as a share of the limit (per mille, up to 120%), so both sides of the limit are hit often.
  const toSteps = (ruleLimit: bigint, steps: { gap: bigint; share: number }[]) => {
    let time = 1_000n
    return steps.map(({ gap, share }) => {
      time += gap
      return { time, amount: (ruleLimit * BigInt(share)) / 1000n }
    })
  }

  test('the contract agrees with the reference model, outflow by outflow', async () => {
    await fc.assert(
      fc.asyncProperty(sequence, async ({ limit: ruleLimit, window: ruleWindow, steps }) => {
        const timed = toSteps(ruleLimit, steps)
        expect(await replay(ruleLimit, ruleWindow, timed)).toEqual(model(ruleLimit, ruleWindow, 1_000n, timed))
      }),
      { numRuns: 150 },
    )
  })

  test('usage never exceeds the limit; a burst never passes more than the limit; any window passes at most twice the limit', async () => {
    await fc.assert(
      fc.asyncProperty(sequence, async ({ limit: ruleLimit, window: ruleWindow, steps }) => {
        const timed = toSteps(ruleLimit, steps)
        const result = await replay(ruleLimit, ruleWindow, timed)
        for (const { usage } of result) expect(usage).toBeLessThanOrEqual(ruleLimit)
        for (let first = 0; first < timed.length; first += 1) {
          let sameInstant = 0n
          let withinWindow = 0n
          for (let next = first; next < timed.length; next += 1) {
            if (!result[next]!.allowed) continue
            const gap = timed[next]!.time - timed[first]!.time
            if (gap === 0n) sameInstant += timed[next]!.amount
            if (gap < ruleWindow) withinWindow += timed[next]!.amount
          }
          expect(sameInstant).toBeLessThanOrEqual(ruleLimit)
          expect(withinWindow).toBeLessThanOrEqual(2n * ruleLimit)
        }
      }),
      { numRuns: 150 },
    )
  })

  test('a whole idle window restores the full limit, and usage only falls while idle', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 1n, max: 2n ** 96n - 1n }),
        fc.bigInt({ min: 1n, max: 2n ** 24n - 1n }),
        fc.integer({ min: 0, max: 1000 }),
        fc.bigInt({ min: 0n, max: 2n ** 26n }),
        fc.bigInt({ min: 0n, max: 2n ** 26n }),
        async (ruleLimit, ruleWindow, share, earlier, later) => {
          const used = (ruleLimit * BigInt(share)) / 1000n
          const usageAt = (elapsed: bigint) =>
            client.readContract({ address: harness, abi: abiOf('OutflowWindowHarness'), functionName: 'usageAt', args: [used, 0n, ruleLimit, ruleWindow, elapsed] }) as Promise<bigint>
          const [first, second] = earlier <= later ? [earlier, later] : [later, earlier]
          const [atFirst, atSecond, afterWindow] = await Promise.all([usageAt(first), usageAt(second), usageAt(ruleWindow + first)])
          expect(atSecond).toBeLessThanOrEqual(atFirst)
          expect(atFirst).toBeLessThanOrEqual(used)
          expect(afterWindow).toBe(0n)
        },
      ),
      { numRuns: 100 },
    )
  })
})
