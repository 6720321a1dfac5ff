import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { errorCodes } from './codes.js'

const root = path.resolve(import.meta.dirname, '../..')

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const nested = await Promise.all(
    entries.map((entry) => {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) return sourceFiles(full)
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : []
    }),
  )
  return nested.flat()
}

describe('error code registry', () => {
  test('docs/errors.md lists exactly the registry, with the same exit code, HTTP status and meaning', async () => {
    const markdown = await readFile(path.join(root, 'docs/errors.md'), 'utf8')
    const documented = new Map(
      [...markdown.matchAll(/^\| `(BW_[A-Z_]+)` \| (\d+) \| (\d+) \| (.*) \|$/gm)].map((m) => [m[1], { exit: Number(m[2]), http: Number(m[3]), summary: m[4]?.replace(/\\\|/g, '|') }]),
    )
    const registered = new Map(Object.entries(errorCodes).map(([code, e]) => [code, { exit: e.exit, http: e.http, summary: e.summary }]))
    expect([...documented.keys()].sort()).toEqual([...registered.keys()].sort())
    for (const [code, entry] of registered) expect(documented.get(code), code).toEqual(entry)
  })

  test('every code is raised somewhere in the source, and every raised code is registered', async () => {
    const files = (await sourceFiles(path.join(root, 'src'))).filter((file) => !file.endsWith(path.join('errors', 'codes.ts')))
    const text = (await Promise.all(files.map((file) => readFile(file, 'utf8')))).join('\n')
    const raised = new Set([...text.matchAll(/'(BW_[A-Z_]+)'/g)].map((m) => m[1]))
    for (const code of Object.keys(errorCodes)) expect(raised.has(code), `${code} is registered but never raised`).toBe(true)
    for (const code of raised) expect(code! in errorCodes, `${code} is raised but not registered`).toBe(true)
  })

  test('exit codes stay in the documented classes (0 and 1 are reserved for results)', () => {
    for (const [code, entry] of Object.entries(errorCodes)) expect(entry.exit, code).toBeGreaterThanOrEqual(2)
  })
})
