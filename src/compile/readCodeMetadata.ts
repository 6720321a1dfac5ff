import type { Hex } from 'viem'

/** What solc appends to runtime code: a CBOR map, then its length as two big-endian bytes. */
export type CodeMetadata = {
  /** The compiler release ('0.8.19'), or the full prerelease string solc wrote. Absent before solc 0.5.9. */
  solc?: string
  /** Hash of the metadata JSON: IPFS multihash (hex) or Swarm (`bzzr0`/`bzzr1`). */
  ipfs?: Hex
  bzzr0?: Hex
  bzzr1?: Hex
  experimental?: boolean
}

/**
 * Reads the metadata solc appends to deployed code, which tells which compiler built it.
 * @returns undefined when the code carries none (`appendCBOR: false`, Vyper, handwritten code).
 */
export function readCodeMetadata(code: Hex): CodeMetadata | undefined {
  const bytes = Buffer.from(code.replace(/^0x/, ''), 'hex')
  if (bytes.length < 2) return undefined
  const length = bytes.readUInt16BE(bytes.length - 2)
  if (length === 0 || length + 2 > bytes.length) return undefined
  const cbor = bytes.subarray(bytes.length - 2 - length, bytes.length - 2)
  let decoded: unknown
  try {
    const reader = { bytes: cbor, at: 0 }
    decoded = readItem(reader)
    if (reader.at !== cbor.length) return undefined
  } catch {
    return undefined
  }
  if (!(decoded instanceof Map)) return undefined
  const metadata: CodeMetadata = {}
  for (const [key, value] of decoded) {
    if (key === 'solc' && Buffer.isBuffer(value) && value.length === 3) metadata.solc = `${value[0]}.${value[1]}.${value[2]}`
    else if (key === 'solc' && typeof value === 'string') metadata.solc = value
    else if ((key === 'ipfs' || key === 'bzzr0' || key === 'bzzr1') && Buffer.isBuffer(value)) metadata[key as 'ipfs' | 'bzzr0' | 'bzzr1'] = `0x${value.toString('hex')}`
    else if (key === 'experimental' && typeof value === 'boolean') metadata.experimental = value
  }
  return Object.keys(metadata).length > 0 || decoded.size > 0 ? metadata : undefined
}

type Reader = { bytes: Buffer; at: number }

/** The CBOR subset solc writes: maps, text and byte strings, small integers, booleans. */
function readItem(reader: Reader): unknown {
  const initial = take(reader, 1)[0]!
  const major = initial >> 5
  const info = initial & 0x1f
  if (major === 7) {
    if (info === 20) return false
    if (info === 21) return true
    if (info === 22) return null
    throw new Error(`unsupported simple value ${info}`)
  }
  const argument = readArgument(reader, info)
  switch (major) {
    case 0:
      return argument
    case 2:
      return Buffer.from(take(reader, argument))
    case 3:
      return take(reader, argument).toString('utf8')
    case 5: {
      const map = new Map<unknown, unknown>()
      for (let index = 0; index < argument; index++) map.set(readItem(reader), readItem(reader))
      return map
    }
    default:
      throw new Error(`unsupported CBOR major type ${major}`)
  }
}

function readArgument(reader: Reader, info: number): number {
  if (info < 24) return info
  if (info === 24) return take(reader, 1).readUInt8(0)
  if (info === 25) return take(reader, 2).readUInt16BE(0)
  if (info === 26) return take(reader, 4).readUInt32BE(0)
  throw new Error(`unsupported CBOR length encoding ${info}`)
}

function take(reader: Reader, count: number): Buffer {
  if (reader.at + count > reader.bytes.length) throw new Error('truncated CBOR')
  const slice = reader.bytes.subarray(reader.at, reader.at + count)
  reader.at += count
  return slice
}
