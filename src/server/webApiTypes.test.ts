import { readFile } from 'node:fs/promises'
import { expect, test } from 'vitest'
import { renderOpenApiTypes, schemaType } from './renderOpenApiTypes.js'
import { generateWebApiTypes, webApiTypesFile } from './writeWebApiTypes.js'

test('web/src/api.generated.ts is exactly what the served /openapi.json gives (run `npm run api-types` after changing a route)', async () => {
  const committed = await readFile(webApiTypesFile, 'utf8')
  const generated = await generateWebApiTypes()
  expect(committed === generated, 'web/src/api.generated.ts is stale: run `npm run api-types` and commit it').toBe(true)
  // every operation of the document is typed
  expect(generated).toContain('"GET /advisories/{id}": {')
  expect(generated).toContain('"POST /safes/{address}/multisig-transactions": {')
})

test('JSON Schema to TypeScript: objects, optional members, enums, unions, arrays, records, nullables', () => {
  expect(
    schemaType({
      type: 'object',
      required: ['id', 'tags'],
      properties: {
        id: { type: 'string' },
        tags: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'number' }] } },
        status: { enum: ['open', 'closed'] },
        note: { type: ['string', 'null'] },
        extra: { type: 'object', additionalProperties: { type: 'integer' } },
        'content-type': { const: 'json' },
      },
      additionalProperties: false,
    }),
  ).toBe(
    ['{', '  id: string', '  tags: (string | number)[]', '  status?: "open" | "closed"', '  note?: string | null', '  extra?: {', '    [key: string]: number', '  }', '  "content-type"?: "json"', '}'].join('\n'),
  )
  expect(renderOpenApiTypes({ paths: { '/x/{id}': { delete: { parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'integer' } }], responses: { '200': { content: { 'application/json': { schema: { type: 'object', properties: {} } } } } } } } } })).toContain(
    ['  "DELETE /x/{id}": {', '    params: {', '      id: number', '    }', '    query: Record<string, never>', '    body: undefined', '    response: Record<string, unknown>', '  }'].join('\n'),
  )
})
