import { readFile } from 'node:fs/promises'
import type { z } from 'zod'
import { ProjectInvalidError, ProjectNotFoundError, type ProjectIssue } from './errors.js'
import { projectSchema, type Project, type ProjectChain } from './projectSchema.js'

export const defaultProjectFile = 'bulwark.json'

/** Reads and validates a project file; every problem is reported with its field path. */
export async function loadProject(file: string = defaultProjectFile): Promise<Project> {
  return parseProject(await readProjectText(file), file)
}

export function parseProject(text: string, file: string): Project {
  return Object.freeze(parseProjectJson(text, file, projectSchema))
}

/** The text of a project-style file (project file, chains file). @throws {ProjectNotFoundError} @throws {ProjectInvalidError} */
export async function readProjectText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ProjectNotFoundError({ path: file })
    throw new ProjectInvalidError({ file, issues: [{ path: '(file)', message: (error as Error).message }] })
  }
}

/** JSON text checked against `schema`; a syntax error or each bad field is a BW_PROJECT_INVALID issue at its path. */
export function parseProjectJson<Schema extends z.ZodType>(text: string, file: string, schema: Schema): z.output<Schema> {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ProjectInvalidError({ file, issues: [{ path: '(json)', message: describeJsonError(text, error) }] })
  }
  const result = schema.safeParse(json)
  if (!result.success) throw new ProjectInvalidError({ file, issues: result.error.issues.map(toProjectIssue) })
  return result.data
}

/** Resolves `env:NAME` RPC URLs; a missing variable is a project error at that field's path. */
export function resolveRpcUrl(project: Project, chainName: string, file = defaultProjectFile): string {
  const chain: ProjectChain | undefined = project.chains[chainName]
  if (!chain) throw new ProjectInvalidError({ file, issues: [{ path: `chains.${chainName}`, message: 'no such chain' }] })
  if (!chain.rpcUrl.startsWith('env:')) return chain.rpcUrl
  const variable = chain.rpcUrl.slice(4)
  const value = process.env[variable]
  if (!value) throw new ProjectInvalidError({ file, issues: [{ path: `chains.${chainName}.rpcUrl`, message: `environment variable ${variable} is not set` }] })
  return value
}

/** `contracts[2].address` style paths, the way users find the field in their file. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else out += out === '' ? String(segment) : `.${String(segment)}`
  }
  return out === '' ? '(root)' : out
}

function toProjectIssue(issue: z.core.$ZodIssue): ProjectIssue {
  if (issue.code === 'unrecognized_keys') {
    return { path: formatIssuePath([...issue.path, issue.keys[0] ?? '']), message: `unknown field${issue.keys.length > 1 ? `s ${issue.keys.join(', ')}` : ''}` }
  }
  return { path: formatIssuePath(issue.path), message: issue.message }
}

function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const position = /position (\d+)/.exec(message)?.[1]
  if (position === undefined) return `not valid JSON: ${message}`
  const before = text.slice(0, Number(position)).split('\n')
  return `not valid JSON at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}: ${message.replace(/ in JSON at position \d+.*$/, '')}`
}
