import { getAddress, isAddress, isHex, keccak256, parseAbiItem, size, toBytes, type AbiFunction, type AbiParameter, type Hex } from 'viem'

/**
 * The policy file names contract calls in JSON: a function as a signature (`setPoolPause(bool)`,
 * `function paused() view returns (bool)`) or a JSON ABI fragment, and its arguments as JSON
 * values. These helpers turn both into what viem encodes, with a message naming what is wrong;
 * the policy schema reports it at the argument's path.
 */
export class CallArgumentError extends Error {
  constructor(
    readonly path: readonly (string | number)[],
    message: string,
  ) {
    super(message)
  }
}

/** A function from a signature or a JSON ABI fragment; throws a CallArgumentError with the reason. */
export function parseFunction(spec: unknown): AbiFunction {
  if (typeof spec === 'string') {
    const text = spec.trim()
    const source = text.startsWith('function ') ? text : `function ${text}`
    let item
    try {
      item = parseAbiItem(source)
    } catch {
      throw new CallArgumentError([], `is not a function signature (write it as \`pause()\`, \`setPoolPause(bool)\` or \`function paused() view returns (bool)\`)`)
    }
    if (item.type !== 'function') throw new CallArgumentError([], 'is not a function signature')
    return item
  }
  if (spec && typeof spec === 'object' && !Array.isArray(spec)) {
    const fragment = spec as Partial<AbiFunction>
    if (fragment.type !== 'function' || typeof fragment.name !== 'string' || !Array.isArray(fragment.inputs)) {
      throw new CallArgumentError([], 'is not a JSON ABI function fragment ({ "type": "function", "name", "inputs": [...] })')
    }
    return { stateMutability: 'nonpayable', outputs: [], ...fragment } as AbiFunction
  }
  throw new CallArgumentError([], 'must be a function signature or a JSON ABI function fragment')
}

/** The JSON arguments as viem values for the function's inputs. */
export function coerceArgs(fn: AbiFunction, args: readonly unknown[]): unknown[] {
  if (args.length !== fn.inputs.length) {
    throw new CallArgumentError([], `has ${args.length} argument(s); ${fn.name}(${fn.inputs.map((input) => input.type).join(',')}) takes ${fn.inputs.length}`)
  }
  return fn.inputs.map((input, index) => coerceValue(input, args[index], [index]))
}

/** One JSON value as the viem value of an ABI parameter (recursively for arrays and tuples). */
export function coerceValue(parameter: AbiParameter, value: unknown, path: (string | number)[] = []): unknown {
  const type = parameter.type
  const fail = (message: string): never => {
    throw new CallArgumentError(path, message)
  }
  const array = /^(.*)\[(\d*)\]$/.exec(type)
  if (array) {
    if (!Array.isArray(value)) return fail(`must be a JSON array (${type})`)
    const length = array[2] ? Number(array[2]) : undefined
    if (length !== undefined && value.length !== length) fail(`must hold ${length} element(s) (${type})`)
    const element = { ...parameter, type: array[1]! } as AbiParameter
    return value.map((item, index) => coerceValue(element, item, [...path, index]))
  }
  if (type === 'tuple') {
    const components = (parameter as { components?: readonly AbiParameter[] }).components ?? []
    if (Array.isArray(value)) {
      if (value.length !== components.length) fail(`must hold ${components.length} component(s)`)
      return components.map((component, index) => coerceValue(component, value[index], [...path, index]))
    }
    if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>
      return Object.fromEntries(components.map((component, index) => [component.name ?? String(index), coerceValue(component, record[component.name ?? String(index)], [...path, component.name ?? index])]))
    }
    return fail('must be a JSON array or object (tuple)')
  }
  if (/^u?int\d*$/.test(type)) return integer(value, type, fail)
  if (type === 'bool') {
    if (typeof value === 'boolean') return value
    if (value === 'true' || value === 'false') return value === 'true'
    return fail('must be true or false (bool)')
  }
  if (type === 'address') {
    if (typeof value !== 'string' || !isAddress(value, { strict: false })) return fail('must be a 20-byte hex address')
    return getAddress(value)
  }
  if (type === 'string') {
    if (typeof value !== 'string') return fail('must be a JSON string')
    return value
  }
  if (/^bytes\d*$/.test(type)) {
    // `{ "keccak256": "PAUSER_ROLE" }` spells a role id the way Solidity defines it
    if (value && typeof value === 'object' && typeof (value as { keccak256?: unknown }).keccak256 === 'string') {
      const hash = keccak256(toBytes((value as { keccak256: string }).keccak256))
      return type === 'bytes32' || type === 'bytes' ? hash : fail(`a keccak256 is 32 bytes; ${type} is not`)
    }
    if (typeof value !== 'string' || !isHex(value, { strict: true })) return fail(`must be 0x-prefixed hex (${type})`)
    const width = type === 'bytes' ? undefined : Number(type.slice(5))
    if (width !== undefined && size(value as Hex) !== width) fail(`must be exactly ${width} byte(s) (${type})`)
    return value
  }
  return fail(`has a type Bulwark cannot encode from JSON (${type})`)
}

function integer(value: unknown, type: string, fail: (message: string) => never): bigint {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) fail(`is not an exact integer; write numbers above 2^53 as decimal strings ("${String(value)}" loses digits)`)
    return BigInt(value)
  }
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value)
  if (typeof value === 'string' && /^0x[0-9a-fA-F]+$/.test(value)) return BigInt(value)
  return fail(`must be an integer: a JSON number up to 2^53, or a decimal string (${type})`)
}
