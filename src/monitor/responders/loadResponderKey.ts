import type { LocalAccount } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { ResponderKeyInvalidError } from './errors.js'

/**
 * Resolves `env:VAR` to a local signing account. Only the reference is ever named in errors or
 * logs; the key lives in the account object and is never printed (the account's JSON form holds
 * only the address).
 */
export function loadResponderKey(reference: string, env: NodeJS.ProcessEnv): LocalAccount {
  const match = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(reference)
  if (!match) throw new ResponderKeyInvalidError({ reason: 'the reference is not of the form env:VAR.' })
  const name = match[1]!
  const value = env[name]?.trim()
  if (!value) throw new ResponderKeyInvalidError({ reason: `environment variable ${name} is not set.` })
  const hex = value.startsWith('0x') ? value : `0x${value}`
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new ResponderKeyInvalidError({ reason: `environment variable ${name} does not hold a 32-byte hex private key.` })
  try {
    return privateKeyToAccount(hex as `0x${string}`)
  } catch {
    throw new ResponderKeyInvalidError({ reason: `environment variable ${name} does not hold a valid secp256k1 private key.` })
  }
}
