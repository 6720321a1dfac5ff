import { createPublicClient, http, type PublicClient } from 'viem'
import { describe, expect, it } from 'vitest'
import { blocksToReadAhead, isLoopbackUrl, parseReadAhead } from './readAhead.js'

const clientOf = (url: string) => createPublicClient({ transport: http(url) }) as PublicClient

describe('read-ahead', () => {
  it('reads one block at a time from a node on this machine and several from a node elsewhere', () => {
    for (const url of ['http://127.0.0.1:8545', 'http://localhost:8545/', 'http://[::1]:8545', 'ws://127.0.0.2:8546', 'http://node.localhost']) {
      expect(isLoopbackUrl(url), url).toBe(true)
      expect(blocksToReadAhead(clientOf(url.replace(/^ws/, 'http')), 'auto', 4), url).toBe(1)
    }
    for (const url of ['https://eth.example.org/v1/key', 'http://10.0.0.5:8545', 'http://127.0.0.1.example.com', 'http://localhost.example.com']) {
      expect(isLoopbackUrl(url), url).toBe(false)
      expect(blocksToReadAhead(clientOf(url), 'auto', 4), url).toBe(4)
    }
    expect(isLoopbackUrl(undefined)).toBe(false)
    expect(isLoopbackUrl('not a url')).toBe(false)
  })

  it('takes a number the user gave over auto', () => {
    expect(blocksToReadAhead(clientOf('http://127.0.0.1:8545'), 6, 4)).toBe(6)
    expect(blocksToReadAhead(clientOf('https://eth.example.org'), 1, 8)).toBe(1)
  })

  it('parses --read-ahead: auto or 1–64 blocks, nothing else', () => {
    expect(parseReadAhead('auto')).toBe('auto')
    expect(parseReadAhead('1')).toBe(1)
    expect(parseReadAhead('64')).toBe(64)
    for (const text of ['0', '65', '-1', '2.5', 'four', '', ' 4']) expect(parseReadAhead(text), text).toBeUndefined()
  })
})
