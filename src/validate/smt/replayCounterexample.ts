import { encodeFunctionData, getAddress, pad, toHex, type Abi, type Address, type Hex } from 'viem'
import { compileSources } from '../../compile/compileSources.js'
import { getArtifact } from '../../compile/getArtifact.js'
import { bulwarkRoot } from '../../compile/bulwarkRoot.js'
import { forkDeployer, sendImpersonated, waitForForkReceipt, type ValidationFork } from '../stages/validationFork.js'
import type { ModelCheckerRun, PropertyResult } from './runModelChecker.js'

export type ReplayResult = {
  confirmed: boolean
  /** The concrete sequence that was executed last (the one that reproduced the failure when confirmed). */
  sequence: string[]
  /** Why it was not confirmed, when not. */
  reason?: string
  durationMs: number
}

const panicCodes: Record<PropertyResult['target'], number> = { assert: 0x01, underflow: 0x11, overflow: 0x11, divByZero: 0x12, outOfBounds: 0x32, balance: -1 }

/**
 * Replays a violation's counterexample on a fork of the real chain: deploys the harness (its
 * untrusted external contract is the replayer), writes the counterexample's state before the
 * outer call into the harness's storage, then makes the outer call with the re-entrant calls the
 * proof shows (and, when those do not reproduce it, with up to 3 re-entries of the failing call).
 * Confirmed when the call reverts with the Solidity panic of the target (0x01 for assert).
 */
export async function replayCounterexample(fork: ValidationFork, run: ModelCheckerRun, result: PropertyResult): Promise<ReplayResult> {
  const started = performance.now()
  const counterexample = result.counterexample
  const [outer, ...reentrant] = counterexample?.calls ?? []
  if (!counterexample || !outer) return { confirmed: false, sequence: [], reason: 'no counterexample to replay', durationMs: performance.now() - started }
  const replayerBuild = await compileSources({ root: bulwarkRoot(), sources: { 'contracts/test/formal/CounterexampleReplayer.sol': await readReplayer() } })
  const replayer = getArtifact(replayerBuild, 'CounterexampleReplayer')
  const replayerAddress = await deploy(fork, replayer.abi, replayer.bytecode as Hex, [])
  const constructor = run.abi.find((item) => item.type === 'constructor')
  const harness = await deploy(fork, run.abi, run.bytecode, constructor && constructor.inputs.length === 1 && constructor.inputs[0]!.type === 'address' ? [replayerAddress] : [])

  for (const variable of run.storage) {
    const value = outer.stateBefore[variable.name]
    if (value === undefined || variable.offset !== 0) continue
    const word = value === 'true' ? 1n : value === 'false' ? 0n : BigInt(value)
    await fork.client.request({ method: 'anvil_setStorageAt' as never, params: [harness, pad(toHex(BigInt(variable.slot)), { size: 32 }), pad(toHex(word), { size: 32 })] as never })
  }
  const encode = (call: { function: string; args: string[] }) => {
    const item = run.abi.find((entry) => entry.type === 'function' && entry.name === call.function)
    if (!item || item.type !== 'function') throw new Error(`no function ${call.function}`)
    const args = call.args.map((arg, index) => {
      const type = item.inputs[index]?.type ?? 'uint256'
      if (type === 'bool') return arg === 'true'
      if (type === 'address') return getAddress(pad(toHex(BigInt(arg)), { size: 20 }))
      return BigInt(arg)
    })
    return encodeFunctionData({ abi: run.abi, functionName: call.function, args } as never)
  }
  const render = (calls: { function: string; args: string[] }[]) => calls.map((call, index) => `${index === 0 ? '' : '↳ re-enters '}${run.contract}.${call.function}(${call.args.join(', ')})`)
  const attempts = [reentrant, ...[1, 2, 3].map((count) => [...reentrant, ...Array.from({ length: count }, () => reentrant.at(-1) ?? outer)])]
  let last: string[] = []
  const expected = panicCodes[result.target]
  for (const queue of attempts) {
    const snapshot = (await fork.client.request({ method: 'evm_snapshot' as never, params: [] as never })) as Hex
    last = render([outer, ...queue])
    try {
      const data = encodeFunctionData({ abi: replayer.abi, functionName: 'replay', args: [harness, encode(outer), queue.map(encode)] } as never)
      const panic = await panicOf(fork, replayerAddress, data)
      if (panic !== undefined && (expected < 0 || panic === expected)) return { confirmed: true, sequence: last, durationMs: performance.now() - started }
    } finally {
      await fork.client.request({ method: 'evm_revert' as never, params: [snapshot] as never })
    }
  }
  return { confirmed: false, sequence: last, reason: 'the sequence did not fail on the fork: the checker over-approximated', durationMs: performance.now() - started }
}

async function deploy(fork: ValidationFork, abi: Abi, bytecode: Hex, args: unknown[]): Promise<Address> {
  const { encodeDeployData } = await import('viem')
  await fork.client.setBalance({ address: forkDeployer, value: 10n ** 20n })
  const hash = await sendImpersonated(fork, { from: forkDeployer, data: encodeDeployData({ abi, bytecode, args } as never), gas: 5_000_000n })
  // Not viem's waitForTransactionReceipt: the fork goes back in time between replays (evm_revert).
  const receipt = await waitForForkReceipt(fork, hash)
  if (!receipt.contractAddress) throw new Error('harness deployment failed on the fork')
  return getAddress(receipt.contractAddress)
}

/** The panic code the call reverts with (eth_call from the fork deployer), or undefined if it does not panic. */
async function panicOf(fork: ValidationFork, to: Address, data: Hex): Promise<number | undefined> {
  try {
    await fork.client.request({ method: 'eth_call', params: [{ from: forkDeployer, to, data, gas: toHex(5_000_000n) }, 'latest'] } as never)
    return undefined
  } catch (error) {
    const text = JSON.stringify(error, Object.getOwnPropertyNames(error as object))
    const match = /0x4e487b71([0-9a-f]{64})/i.exec(text)
    return match ? Number(BigInt(`0x${match[1]}`)) : undefined
  }
}

async function readReplayer(): Promise<string> {
  const { readFile } = await import('node:fs/promises')
  const path = await import('node:path')
  return readFile(path.join(bulwarkRoot(), 'contracts/test/formal/CounterexampleReplayer.sol'), 'utf8')
}
