/**
 * TypeScript types for the dashboard (`web/src/api.generated.ts`) from the served OpenAPI document:
 * for each operation (`'GET /advisories/{id}'`) its path parameters, query, body and success
 * response. The dashboard imports nothing else to know the API's shapes, so a route whose schema
 * changes breaks `npm run typecheck` on the web side, and a test keeps the committed file equal
 * to what the server serves.
 */

type Schema = {
  type?: string | string[]
  enum?: unknown[]
  const?: unknown
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema | Schema[]
  anyOf?: Schema[]
  oneOf?: Schema[]
  allOf?: Schema[]
  additionalProperties?: boolean | Schema
  description?: string
}

type Parameter = { in: string; name: string; required?: boolean; schema?: Schema }
type Operation = {
  summary?: string
  parameters?: Parameter[]
  requestBody?: { content?: Record<string, { schema?: Schema }> }
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>
}
export type OpenApiDocument = { paths: Record<string, Record<string, Operation>> }

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/

function key(name: string): string {
  return identifier.test(name) ? name : JSON.stringify(name)
}

function literal(value: unknown): string {
  return value === null ? 'null' : JSON.stringify(value)
}

/** The TypeScript type of a JSON Schema (the subset zod and Fastify emit). */
export function schemaType(schema: Schema | undefined, indent = ''): string {
  if (!schema || Object.keys(schema).length === 0) return 'unknown'
  if (schema.const !== undefined) return literal(schema.const)
  if (schema.enum) return schema.enum.map(literal).join(' | ')
  const alternatives = schema.anyOf ?? schema.oneOf
  if (alternatives) return [...new Set(alternatives.map((alternative) => schemaType(alternative, indent)))].join(' | ')
  if (schema.allOf) return schema.allOf.map((part) => `(${schemaType(part, indent)})`).join(' & ')
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : schema.properties ? ['object'] : []
  if (types.length === 0) return 'unknown'
  return types.map((type) => singleType(type, schema, indent)).join(' | ')
}

function singleType(type: string, schema: Schema, indent: string): string {
  switch (type) {
    case 'string':
      return 'string'
    case 'number':
    case 'integer':
      return 'number'
    case 'boolean':
      return 'boolean'
    case 'null':
      return 'null'
    case 'array':
      if (Array.isArray(schema.items)) return `[${schema.items.map((item) => schemaType(item, indent)).join(', ')}]`
      return `${wrap(schemaType(schema.items, indent))}[]`
    case 'object': {
      const inner = `${indent}  `
      const required = new Set(schema.required ?? [])
      const members = Object.entries(schema.properties ?? {}).map(([name, property]) => `${inner}${key(name)}${required.has(name) ? '' : '?'}: ${schemaType(property, inner)}`)
      const extra = schema.additionalProperties
      if (extra !== undefined && extra !== false) members.push(`${inner}[key: string]: ${extra === true ? 'unknown' : schemaType(extra, inner)}`)
      if (members.length === 0) return extra === false ? 'Record<string, never>' : 'Record<string, unknown>'
      return `{\n${members.join('\n')}\n${indent}}`
    }
    default:
      return 'unknown'
  }
}

function wrap(type: string): string {
  return /^[A-Za-z0-9_$.]+$/.test(type) || type.startsWith('{') ? type : `(${type})`
}

function parametersType(parameters: Parameter[], where: string, indent: string): string {
  const selected = parameters.filter((parameter) => parameter.in === where)
  if (selected.length === 0) return 'Record<string, never>'
  return `{\n${selected.map((parameter) => `${indent}  ${key(parameter.name)}${parameter.required ? '' : '?'}: ${schemaType(parameter.schema, `${indent}  `)}`).join('\n')}\n${indent}}`
}

export function renderOpenApiTypes(document: OpenApiDocument): string {
  const lines = [
    '// Generated from GET /openapi.json by `npm run api-types` (src/server/writeWebApiTypes.ts). Do not edit:',
    '// src/server/webApiTypes.test.ts fails when this file differs from what the server serves.',
    '',
    '/** Every API operation, keyed `METHOD /path` as in the OpenAPI document. */',
    'export type Operations = {',
  ]
  const operations = Object.entries(document.paths)
    .flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })))
    .sort((a, b) => (a.path === b.path ? a.method.localeCompare(b.method) : a.path < b.path ? -1 : 1))
  let errorSchema: Schema | undefined
  for (const { path, method, operation } of operations) {
    const parameters = operation.parameters ?? []
    const responses = operation.responses ?? {}
    const successStatus = Object.keys(responses).find((status) => /^2\d\d$/.test(status))
    const success = successStatus === undefined ? undefined : responses[successStatus]?.content
    const response = success?.['application/json'] ? schemaType(success['application/json'].schema, '    ') : success?.['text/event-stream'] ? 'string' : 'unknown'
    errorSchema ??= responses['4xx']?.content?.['application/json']?.schema
    const body = operation.requestBody?.content?.['application/json']?.schema
    if (operation.summary) lines.push(`  /** ${operation.summary.replace(/\*\//g, '*\\/')} */`)
    lines.push(
      `  ${JSON.stringify(`${method} ${path}`)}: {`,
      `    params: ${parametersType(parameters, 'path', '    ')}`,
      `    query: ${parametersType(parameters, 'query', '    ')}`,
      `    body: ${body ? schemaType(body, '    ') : 'undefined'}`,
      `    response: ${response}`,
      '  }',
    )
  }
  lines.push(
    '}',
    '',
    'export type OperationKey = keyof Operations',
    "export type ResponseOf<K extends OperationKey> = Operations[K]['response']",
    "export type BodyOf<K extends OperationKey> = Operations[K]['body']",
    "export type QueryOf<K extends OperationKey> = Operations[K]['query']",
    '/** The body of every error answer: `{ error: { code: "BW_…", message, … } }`. */',
    `export type ErrorResponse = ${schemaType(errorSchema)}`,
    '',
  )
  return lines.join('\n')
}
