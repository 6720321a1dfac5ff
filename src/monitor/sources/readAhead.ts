import type { PublicClient } from 'viem'

/** How many blocks the follower reads ahead of the one it judges: a number of blocks, or `auto`. */
export type ReadAhead = number | 'auto'

/**
 * The blocks to read at once while catching up. `auto` reads one block at a time from a node on
 * this machine (an RPC URL on a loopback address) and `remote` blocks ahead otherwise.
 *
 * Reading ahead hides the round trip to a node elsewhere. A node on the same machine has no round
 * trip to hide, and blocks read ahead make it serve several trace and view requests at once while the
 * monitor judges: on 2 cores, over the same 50,000 transactions on anvil, 4 blocks ahead cost anvil
 * ~10 CPU-s against ~6 one at a time, and the monitor ran at ~2,400 tx/s with a heap peak of ~115 MB
 * against ~2,700 tx/s and ~88 MB (bench/monitorReal, docs/monitor.md).
 */
export function blocksToReadAhead(client: PublicClient, readAhead: ReadAhead, remote: number): number {
  if (readAhead !== 'auto') return readAhead
  return isLoopbackUrl((client.transport as { url?: string }).url) ? 1 : remote
}

/** An http(s)/ws(s) URL whose host is a loopback address (localhost, 127.0.0.0/8, ::1). */
export function isLoopbackUrl(url: string | undefined): boolean {
  if (!url) return false
  let host: string
  try {
    host = new URL(url).hostname.toLowerCase()
  } catch {
    return false
  }
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

/** Parses a `--read-ahead` value: `auto` or a whole number of blocks from 1 to 64; undefined when the text is neither. */
export function parseReadAhead(text: string): ReadAhead | undefined {
  if (text === 'auto') return 'auto'
  if (!/^\d+$/.test(text)) return undefined
  const blocks = Number(text)
  return blocks >= 1 && blocks <= 64 ? blocks : undefined
}
