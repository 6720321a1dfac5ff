import { describe, expect, test } from 'vitest'
import { readCodeMetadata } from './readCodeMetadata.js'

describe('readCodeMetadata', () => {
  test('reads the compiler release and IPFS hash solc appends (0.8.19 layout: a2 64 ipfs 58 22 … 64 solc 43 00 08 13 00 33)', () => {
    const ipfs = `1220${'ab'.repeat(32)}`
    const code = `0x6080604052fea264697066735822${ipfs}64736f6c63430008130033` as const
    expect(readCodeMetadata(code)).toEqual({ ipfs: `0x${ipfs}`, solc: '0.8.19' })
  })

  test('reads a prerelease version string and the Swarm hash of older compilers', () => {
    const bzzr1 = 'cd'.repeat(32)
    const version = Buffer.from('0.6.0-nightly.2019.12.1').toString('hex')
    const body = `a265627a7a72315820${bzzr1}64736f6c63${(0x60 + version.length / 2).toString(16)}${version}`
    const code = `0x00${body}${(body.length / 2).toString(16).padStart(4, '0')}` as `0x${string}`
    expect(readCodeMetadata(code)).toEqual({ bzzr1: `0x${bzzr1}`, solc: '0.6.0-nightly.2019.12.1' })
  })

  test('code without metadata (appendCBOR false, or not solc) gives undefined', () => {
    expect(readCodeMetadata('0x')).toBeUndefined()
    expect(readCodeMetadata('0x6080604052600080fd')).toBeUndefined()
    // A length that points before the start of the code.
    expect(readCodeMetadata('0x60ffff')).toBeUndefined()
  })
})
