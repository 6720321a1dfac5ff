import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import type { z } from 'zod'
import { projectSchema } from './projectSchema.js'

const root = path.resolve(import.meta.dirname, '../..')

type Def = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; element?: z.ZodType; valueType?: z.ZodType; in?: z.ZodType }

/** Every field path of the schema, spelled as docs/project-file.md spells them: `contracts[i].address`, `chains.<name>.rpcUrl`. */
function fieldPaths(schema: z.ZodType, prefix = ''): string[] {
  const def = (schema as unknown as { def: Def }).def
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'nullable':
    case 'readonly':
      return fieldPaths(def.innerType!, prefix)
    case 'pipe':
      return fieldPaths(def.in!, prefix)
    case 'object':
      return Object.entries(def.shape!).flatMap(([key, value]) => {
        const here = prefix ? `${prefix}.${key}` : key
        return [here, ...fieldPaths(value, here)]
      })
    case 'array':
      return fieldPaths(def.element!, `${prefix}[i]`)
    case 'record':
      return fieldPaths(def.valueType!, `${prefix}.<name>`)
    default:
      return []
  }
}

/** Paths a text says are project-file fields: "the project file's `x.y`", "project file field `x.y`". */
function claimedFields(text: string): string[] {
  return [...text.matchAll(/project file(?:'s| field)\s+`([^`]+)`/g)].map((match) => match[1]!)
}

const schemaPaths = new Set(fieldPaths(projectSchema))

describe('the docs name only fields the project-file schema accepts', () => {
  test('the schema walk sees every level (so the checks below can fail)', () => {
    for (const known of ['version', 'chains.<name>.rpcUrl', 'contracts[i].address', 'release.routes.emergency.multiSendCallOnly']) expect(schemaPaths).toContain(known)
    expect(claimedFields("the project file's `monitor.policy` is bad")).toEqual(['monitor.policy'])
    expect(schemaPaths).not.toContain('monitor.policy')
  })

  test('docs/project-file.md lists exactly the schema: every field documented, no field that does not exist', async () => {
    const markdown = await readFile(path.join(root, 'docs/project-file.md'), 'utf8')
    const documented = [...markdown.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]!)
    // A documented `release.routes.standard` of type `{ safe, timelock }` covers its inner fields.
    const covered = (field: string) => documented.some((entry) => field === entry || field.startsWith(`${entry}.`))
    expect(documented.filter((field) => !schemaPaths.has(field)), 'documented but not in the schema').toEqual([])
    expect([...schemaPaths].filter((field) => !covered(field)), 'in the schema but not documented').toEqual([])
  })

  test('no doc names a project-file field the schema rejects (docs/errors.md, every docs/*.md, README.md)', async () => {
    const files = [...(await readdir(path.join(root, 'docs'))).filter((name) => name.endsWith('.md')).map((name) => path.join('docs', name)), 'README.md']
    const wrong: string[] = []
    for (const file of files) {
      const text = await readFile(path.join(root, file), 'utf8')
      for (const field of claimedFields(text)) if (!schemaPaths.has(field)) wrong.push(`${file}: ${field}`)
    }
    expect(wrong).toEqual([])
  })
})
