import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, type KeyObject } from 'node:crypto'

/**
 * The `id:` of a server-sent event: the pair of stream cursors (`<transition id>.<alert id>`)
 * sealed with AES-256-GCM. Plain ids are global counters: an uncleared viewer watching them jump
 * would count the embargoed transitions in between. Sealed, they say nothing, and a client still
 * resumes with `Last-Event-ID`. The key is derived from the server's audit signing key, so it
 * survives restarts; a cursor from another host (another key) does not open and the stream
 * starts from now, as for a new client.
 */
export type EventCursor = { transitions: number; alerts: number }

export function eventCursorKey(signingKey: KeyObject): Buffer {
  return Buffer.from(hkdfSync('sha256', signingKey.export({ type: 'pkcs8', format: 'der' }), 'bulwark', 'sse-event-cursor', 32))
}

export function sealEventCursor(key: Buffer, cursor: EventCursor): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const body = Buffer.concat([cipher.update(`${cursor.transitions}.${cursor.alerts}`, 'utf8'), cipher.final()])
  return `c1.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`
}

/** The cursor of a sealed id, or undefined when it was not sealed by this key (or was altered). */
export function openEventCursor(key: Buffer, id: string): EventCursor | undefined {
  const match = /^c1\.([A-Za-z0-9_-]{20,200})$/.exec(id.trim())
  if (!match) return undefined
  const raw = Buffer.from(match[1]!, 'base64url')
  if (raw.length < 12 + 16 + 3) return undefined
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12))
    decipher.setAuthTag(raw.subarray(raw.length - 16))
    const text = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8')
    const parts = /^(\d+)\.(\d+)$/.exec(text)
    if (!parts) return undefined
    const cursor = { transitions: Number(parts[1]), alerts: Number(parts[2]) }
    return Number.isSafeInteger(cursor.transitions) && Number.isSafeInteger(cursor.alerts) ? cursor : undefined
  } catch {
    return undefined
  }
}
