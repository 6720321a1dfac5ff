import path from 'node:path'

export type TarEntry = {
  /** Path inside the archive (`package/soljson.js`). */
  name: string
  /** ustar type flag: '0' regular file, '5' directory; others (links, pax headers) are passed through as they are. */
  type: string
  mode: number
  content: Buffer
}

/**
 * The entries of an uncompressed ustar archive (what `npm pack` and most registry tarballs hold,
 * after gunzip), read in memory so unpacking needs no `tar`/`gzip` on the machine.
 */
export function* tarEntries(archive: Buffer): Generator<TarEntry> {
  let offset = 0
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512)
    if (header.every((byte) => byte === 0)) return
    const field = (start: number, length: number) => header.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '')
    const size = Number.parseInt(field(124, 12).trim() || '0', 8)
    yield {
      name: path.posix.join(field(345, 155), field(0, 100)),
      type: field(156, 1) || '0',
      mode: Number.parseInt(field(100, 8).trim() || '644', 8),
      content: archive.subarray(offset + 512, offset + 512 + size),
    }
    offset += 512 + Math.ceil(size / 512) * 512
  }
}
