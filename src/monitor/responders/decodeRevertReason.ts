import { decodeErrorResult, getAddress, hexToBigInt, parseAbi, slice, toFunctionSelector, type Abi, type Address, type Hex, type PublicClient } from 'viem'
import { circuitBreakerAbi } from '../../chain/circuitBreakerAbi.js'
import { emergencyPauseSealAbi } from '../../chain/emergencyPauseSealAbi.js'
import { partialPausableAbi } from '../../chain/partialPausableAbi.js'

/**
 * Errors most pause and role functions revert with, tried when the policy names none: OpenZeppelin 5
 * (AccessControl, Ownable, Pausable), common hand-written ones, and Bulwark's own contracts.
 */
const commonErrors = parseAbi([
  'error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)',
  'error AccessControlBadConfirmation()',
  'error OwnableUnauthorizedAccount(address account)',
  'error OwnableInvalidOwner(address owner)',
  'error EnforcedPause()',
  'error ExpectedPause()',
  'error Unauthorized()',
  'error Unauthorized(address caller)',
  'error NotOwner()',
  'error NotAuthorized()',
  'error OnlyGuardian()',
  'error Paused()',
])
const bulwarkErrors = [...circuitBreakerAbi, ...emergencyPauseSealAbi, ...partialPausableAbi].filter((item) => item.type === 'error')

/** Meanings of revert strings that are only codes. Aave V3 (`Errors.sol`): the access checks a pause response meets. */
const aaveCodes: Record<string, string> = {
  '1': 'CALLER_NOT_POOL_ADMIN',
  '2': 'CALLER_NOT_EMERGENCY_ADMIN',
  '3': 'CALLER_NOT_POOL_OR_EMERGENCY_ADMIN',
  '4': 'CALLER_NOT_RISK_OR_POOL_ADMIN',
  '5': 'CALLER_NOT_ASSET_LISTING_OR_POOL_ADMIN',
  '10': 'CALLER_NOT_POOL_CONFIGURATOR',
}
/** Balancer V2 (`BalancerErrors.sol`, `BAL#<n>`). */
const balancerCodes: Record<string, string> = { '401': 'SENDER_NOT_ALLOWED', '402': 'PAUSED', '403': 'SIGNER_NOT_ALLOWED', '431': 'NOT_PAUSED' }
/** Safe 1.4.1 (`GS<n>`). */
const safeCodes: Record<string, string> = {
  GS013: 'the Safe transaction\'s inner call reverted',
  GS020: 'signatures data too short (the Safe threshold is not met)',
  GS025: 'hash not approved',
  GS026: 'a signer is not an owner of the Safe (or signatures out of order)',
  GS031: 'not an owner of the Safe',
}

/** The revert data a viem error carries (an eth_call or estimateGas that reverted), if any. */
export function revertDataOf(error: unknown): Hex | undefined {
  let current: unknown = error
  for (let depth = 0; current && typeof current === 'object' && depth < 12; depth++) {
    const data = (current as { data?: unknown }).data
    if (typeof data === 'string' && /^0x([0-9a-fA-F]{2})*$/.test(data)) return data as Hex
    if (data && typeof data === 'object') {
      const inner = (data as { data?: unknown }).data
      if (typeof inner === 'string' && /^0x([0-9a-fA-F]{2})*$/.test(inner)) return inner as Hex
    }
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

/** Whether the error says the call reverted (as opposed to the node failing to answer). */
export function isRevert(error: unknown): boolean {
  if (revertDataOf(error) !== undefined) return true
  let current: unknown = error
  for (let depth = 0; current && typeof current === 'object' && depth < 12; depth++) {
    const text = `${(current as { shortMessage?: unknown }).shortMessage ?? ''} ${(current as { details?: unknown }).details ?? ''} ${(current as { message?: unknown }).message ?? ''}`
    if (/revert/i.test(text)) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}

/** A readable revert reason: the decoded error with its arguments, plus what a code means when it is one. */
export function describeRevertData(data: Hex, errors: Abi = []): string {
  if (data === '0x') return 'reverted without a reason'
  try {
    const decoded = decodeErrorResult({ abi: [...errors, ...commonErrors, ...bulwarkErrors], data })
    const inputs = decoded.abiItem.type === 'error' ? decoded.abiItem.inputs : []
    const args = (decoded.args ?? []) as readonly unknown[]
    if (decoded.errorName === 'Error') {
      const text = String(args[0])
      return `Error("${text}")${meaningOf(text)}`
    }
    if (decoded.errorName === 'Panic') return `Panic(0x${(args[0] as bigint).toString(16)})`
    return `${decoded.errorName}(${args.map((value, index) => `${inputs[index]?.name ? `${inputs[index].name}: ` : ''}${display(value)}`).join(', ')})`
  } catch {
    return `custom error ${data.length >= 10 ? slice(data, 0, 4) : data} (not one Bulwark knows; give the contract's errors in the call's "errors" to decode it)`
  }
}

function meaningOf(text: string): string {
  if (/^\d+$/.test(text) && aaveCodes[text]) return `: Aave V3 ${aaveCodes[text]}`
  const balancer = /^BAL#(\d+)$/.exec(text)
  if (balancer && balancerCodes[balancer[1]!]) return `: Balancer ${balancerCodes[balancer[1]!]}`
  if (safeCodes[text]) return `: Safe: ${safeCodes[text]}`
  return ''
}

function display(value: unknown): string {
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'string') return value
  return JSON.stringify(value, (_, item: unknown) => (typeof item === 'bigint' ? item.toString() : item))
}

const implementationSlot = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc'

/**
 * Why a call reverted, as one phrase. An empty revert is checked against the code: no code at the
 * target, or a selector that appears in neither the target's code nor its implementation's (ERC-1967
 * slot, or an `implementation()` view) means the function does not exist there — a wrong signature
 * or a wrong target is the usual misconfiguration.
 */
export async function explainRevert(client: PublicClient, { error, target, signature, errors }: { error: unknown; target: Address; signature?: string | undefined; errors?: Abi | undefined }): Promise<string> {
  const data = revertDataOf(error)
  if (data !== undefined && data !== '0x') return describeRevertData(data, errors)
  if (!isRevert(error)) return `the node did not answer the simulation (${shortMessageOf(error)})`
  const code = await client.getCode({ address: target }).catch(() => undefined)
  if (!code || code === '0x') return `the target ${target} has no code`
  if (!signature) return 'reverted without a reason'
  const selector = toFunctionSelector(signature)
  const codes = [code]
  const implementation = await implementationOf(client, target)
  if (implementation) codes.push((await client.getCode({ address: implementation }).catch(() => undefined)) ?? '0x')
  if (!codes.some((bytecode) => hasSelector(bytecode, selector))) {
    return `the function ${signature} (selector ${selector}) does not exist on the target: its selector is not in the code of ${target}${implementation ? ` nor of its implementation ${implementation}` : ''} (wrong signature or wrong target?)`
  }
  return 'reverted without a reason'
}

async function implementationOf(client: PublicClient, target: Address): Promise<Address | undefined> {
  const slot = await client.getStorageAt({ address: target, slot: implementationSlot }).catch(() => undefined)
  if (slot && hexToBigInt(slot) !== 0n) return getAddress(slice(slot, 12))
  const answer = await client.call({ to: target, data: toFunctionSelector('implementation()') }).catch(() => undefined)
  if (answer?.data && answer.data.length === 66 && hexToBigInt(answer.data) !== 0n) return getAddress(slice(answer.data, 12))
  return undefined
}

/** The dispatcher compares the selector as a PUSH4 (or shorter PUSH when it starts with zero bytes). */
function hasSelector(code: Hex, selector: Hex): boolean {
  const body = code.slice(2).toLowerCase()
  let word = selector.slice(2).toLowerCase()
  for (let width = 4; width >= 1; width--) {
    if (body.includes(`${(0x5f + width).toString(16)}${word}`)) return true
    if (!word.startsWith('00')) break
    word = word.slice(2)
  }
  return false
}

/** One line about an error: viem's short message plus the node's own words (`details`) when they differ. */
export function shortMessageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 300)
  const short = (error as { shortMessage?: string }).shortMessage ?? error.message
  const details = (error as { details?: unknown }).details
  const first = short.split('\n')[0] ?? ''
  const text = typeof details === 'string' && details && !first.includes(details) ? `${first.replace(/\.$/, '')}: ${details.split('\n')[0]}` : first
  return text.replace(/https?:\/\/\S+/g, '<rpc>').slice(0, 300)
}
