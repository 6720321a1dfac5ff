import { generateKeyPairSync } from 'node:crypto'
import { expect, test } from 'vitest'
import { eventCursorKey, openEventCursor, sealEventCursor } from './eventCursor.js'

test('event ids are sealed cursors: they open with the key that sealed them only, and an edited or plain id opens nothing', () => {
  const key = eventCursorKey(generateKeyPairSync('ed25519').privateKey)
  const other = eventCursorKey(generateKeyPairSync('ed25519').privateKey)
  const id = sealEventCursor(key, { transitions: 41, alerts: 7 })
  expect(id).toMatch(/^c1\.[A-Za-z0-9_-]+$/)
  expect(id).not.toContain('41')
  expect(sealEventCursor(key, { transitions: 41, alerts: 7 })).not.toBe(id) // a fresh IV each time: equal cursors look different
  expect(openEventCursor(key, id)).toEqual({ transitions: 41, alerts: 7 })
  expect(openEventCursor(other, id)).toBeUndefined()
  const flipped = `${id.slice(0, -2)}${id.endsWith('A') ? 'B' : 'A'}${id.slice(-1)}`
  expect(openEventCursor(key, flipped)).toBeUndefined()
  expect(openEventCursor(key, '41.7')).toBeUndefined()
  expect(openEventCursor(key, 'c1.\u0000')).toBeUndefined()
})
