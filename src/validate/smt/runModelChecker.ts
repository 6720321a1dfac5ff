import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Abi, Hex } from 'viem'
import { writeFileAtomic } from '../../compile/cacheFiles.js'
import { CompileError } from '../../compile/errors.js'
import { resolveSources } from '../../compile/resolveSources.js'
import { solcVersion } from '../../compile/runSolc.js'
import { parseCounterexample, renderCounterexample, type Counterexample } from './parseCounterexample.js'
import { createZ3Callback, type Z3Solver } from './z3Solver.js'

/** The SMTChecker's built-in verification targets (solc `modelChecker.targets`). */
export const modelCheckerTargets = ['assert', 'underflow', 'overflow', 'divByZero', 'outOfBounds', 'balance'] as const
export type ModelCheckerTarget = (typeof modelCheckerTargets)[number]

/** What became of one verification target at one source location. */
export type PropertyResult = {
  target: ModelCheckerTarget
  /** `unknown`: timeout, solver error or unsupported code; never counts as proved. */
  status: 'proved' | 'violated' | 'unknown'
  file: string
  line: number
  /** The source line (trimmed), e.g. `assert(_paid <= _deposited);`. */
  code: string
  function?: string
  reason?: string
  counterexample?: Counterexample
  /** The counterexample as a readable call sequence. */
  trace?: string
}

export type ModelCheckerRun = {
  contract: string
  sourceUnit: string
  results: PropertyResult[]
  /** For the counterexample replay. */
  abi: Abi
  bytecode: Hex
  /** Value-typed state variables and where they live (slot, byte offset, bytes). */
  storage: { name: string; slot: string; offset: number; type: string }[]
  queries: number
  timedOutQueries: number
  cached: boolean
  durationMs: number
}

export type RunModelCheckerParameters = {
  /** Project root: imports resolve from it and node_modules above it. */
  root: string
  /** Source unit names (relative to root) to compile. */
  sources: readonly string[]
  /** Short contract name to check. */
  contract: string
  targets: readonly ModelCheckerTarget[]
  solver: Z3Solver
  /** Per-query limit. */
  timeoutMs: number
  /** The results are cached here under `formal/` (default `<root>/cache/bulwark`). */
  cacheDir?: string | undefined
}

const targetByCode: Record<string, ModelCheckerTarget> = {
  '6328': 'assert',
  '4984': 'overflow',
  '3944': 'underflow',
  '4281': 'divByZero',
  '6368': 'outOfBounds',
  '1236': 'balance',
}
const targetByText: [RegExp, ModelCheckerTarget][] = [
  [/Assertion violation/, 'assert'],
  [/Overflow/, 'overflow'],
  [/Underflow/, 'underflow'],
  [/Division by zero/, 'divByZero'],
  [/Out of bounds/, 'outOfBounds'],
  [/Insufficient funds/, 'balance'],
]
const failureText: Record<ModelCheckerTarget, string> = {
  assert: 'assertion fails',
  underflow: 'arithmetic underflow',
  overflow: 'arithmetic overflow',
  divByZero: 'division by zero',
  outOfBounds: 'out-of-bounds access',
  balance: 'insufficient balance for a transfer',
}

type SolcModule = { compile(input: string, callbacks: Record<string, (data: string) => { contents: string } | { error: string }>): string }
let solcModule: Promise<SolcModule> | undefined

/**
 * Runs solc's SMTChecker (CHC engine) on one contract with z3 answering through the `smtlib2`
 * callback, and classifies every verification target as proved, violated (with a counterexample
 * read from z3's proof) or unknown. Results are cached by a hash of the sources, the contract,
 * the targets, the timeout and the solc and z3 versions; runs with an unknown result are not
 * cached (a timeout may not repeat).
 *
 * @throws {CompileError} the harness does not compile.
 */
export async function runModelChecker(parameters: RunModelCheckerParameters): Promise<ModelCheckerRun> {
  const started = performance.now()
  const root = path.resolve(parameters.root)
  const own: Record<string, string> = {}
  for (const source of parameters.sources) own[source] = await readFile(path.join(root, source), 'utf8')
  const { sources } = resolveSources({ root, sources: own })
  const sourceUnit = Object.keys(own).find((name) => new RegExp(`\\b(?:contract|library)\\s+${parameters.contract}\\b`).test(own[name]!))
  if (!sourceUnit) {
    throw new CompileError({ errors: [{ severity: 'error', type: 'DeclarationError', message: `contract ${parameters.contract} not found in ${parameters.sources.join(', ')}` }] })
  }
  const key = createHash('sha256')
    .update(JSON.stringify({ solc: solcVersion(), z3: parameters.solver.version, sources, contract: parameters.contract, targets: [...parameters.targets].sort(), timeoutMs: parameters.timeoutMs }))
    .digest('hex')
  const cacheFile = path.join(path.resolve(root, parameters.cacheDir ?? path.join('cache', 'bulwark')), 'formal', `${key}.json`)
  try {
    const cached = JSON.parse(await readFile(cacheFile, 'utf8')) as ModelCheckerRun
    return { ...cached, cached: true, durationMs: performance.now() - started }
  } catch {
    // not cached
  }

  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([name, content]) => [name, { content }])),
    settings: {
      optimizer: { enabled: false },
      outputSelection: { '*': { '': ['ast'] }, [sourceUnit]: { [parameters.contract]: ['abi', 'evm.bytecode.object', 'storageLayout'] } },
      modelChecker: {
        engine: 'chc',
        solvers: ['smtlib2'],
        contracts: { [sourceUnit]: [parameters.contract] },
        targets: parameters.targets,
        timeout: parameters.timeoutMs,
        showProvedSafe: true,
        showUnproved: true,
        showUnsupported: true,
      },
    },
  }
  const { callback, answers } = createZ3Callback(parameters.solver, parameters.timeoutMs)
  solcModule ??= import('solc').then((module) => (module.default ?? module) as SolcModule)
  const solc = await solcModule
  const output = JSON.parse(solc.compile(JSON.stringify(input), { smtSolver: callback })) as SolcCompileOutput
  const errors = (output.errors ?? []).filter((error) => error.severity === 'error')
  if (errors.length > 0) {
    throw new CompileError({ errors: errors.map((error) => ({ severity: 'error', type: error.type, message: error.formattedMessage ?? error.message })) })
  }
  const compiled = output.contracts?.[sourceUnit]?.[parameters.contract]
  const stateVariables = stateVariablesOf(output, parameters.contract)
  const abi = (compiled?.abi ?? []) as Abi
  const parametersByFunction: Record<string, string[]> = {}
  for (const item of abi) if (item.type === 'function') parametersByFunction[item.name] = item.inputs.map((input) => input.name ?? '')
  const proofs = answers.flatMap((answer) => (answer.proof === undefined ? [] : [answer.proof]))
  const sourceText = sources[sourceUnit]!

  const results: PropertyResult[] = []
  for (const message of output.errors ?? []) {
    if (!message.message.startsWith('CHC:') || !message.sourceLocation || message.sourceLocation.file !== sourceUnit) continue
    const target = targetByCode[message.errorCode ?? ''] ?? targetByText.find(([pattern]) => pattern.test(message.message))?.[1]
    if (!target) continue
    const line = sourceText.slice(0, message.sourceLocation.start).split('\n').length
    const code = (sourceText.split('\n')[line - 1] ?? '').trim()
    const inFunction = enclosingFunction(sourceText, message.sourceLocation.start)
    const base = { target, file: sourceUnit, line, code, ...(inFunction ? { function: inFunction } : {}) }
    if (/check is safe!/.test(message.message)) results.push({ ...base, status: 'proved' })
    else if (/happens here/.test(message.message)) {
      const counterexample = proofs
        .map((proof) => parseCounterexample({ proof, contract: parameters.contract, stateVariables, parameters: parametersByFunction }))
        .find((found) => found !== undefined && (inFunction === undefined || found.calls.some((call) => call.function === inFunction)))
      results.push({
        ...base,
        status: 'violated',
        ...(counterexample ? { counterexample, trace: renderCounterexample(counterexample, failureText[target]) } : {}),
      })
    } else results.push({ ...base, status: 'unknown', reason: message.message.replace(/^CHC:\s*/, '') })
  }
  for (const message of output.errors ?? []) {
    // "Error during interaction with the solver" names the same location as the target's own warning.
    if (message.errorCode === '1218' && message.sourceLocation) {
      const line = sourceText.slice(0, message.sourceLocation.start).split('\n').length
      for (const result of results) if (result.line === line && result.status === 'unknown') result.reason = 'solver timeout or error'
    }
  }
  const run: ModelCheckerRun = {
    contract: parameters.contract,
    sourceUnit,
    results: results.sort((a, b) => a.line - b.line || a.target.localeCompare(b.target)),
    abi,
    bytecode: `0x${compiled?.evm?.bytecode?.object ?? ''}`,
    storage: (compiled?.storageLayout?.storage ?? []).map((entry) => ({ name: entry.label, slot: entry.slot, offset: entry.offset, type: entry.type })),
    queries: answers.length,
    timedOutQueries: answers.filter((answer) => answer.timedOut).length,
    cached: false,
    durationMs: performance.now() - started,
  }
  if (!run.results.some((result) => result.status === 'unknown')) await writeFileAtomic(cacheFile, JSON.stringify(run))
  return run
}

type AstNode = { nodeType: string; id?: number; name?: string; nodes?: AstNode[]; stateVariable?: boolean; constant?: boolean; linearizedBaseContracts?: number[] }
type SolcCompileOutput = {
  errors?: { severity: string; type: string; message: string; formattedMessage?: string; errorCode?: string; sourceLocation?: { file: string; start: number; end: number } }[]
  sources?: Record<string, { ast?: AstNode }>
  contracts?: Record<string, Record<string, { abi?: unknown[]; evm?: { bytecode?: { object?: string } }; storageLayout?: { storage: { label: string; slot: string; offset: number; type: string }[] } }>>
}

/** State variables in the order the CHC encoding lists them: linearized bases first, declaration order, constants excluded. */
function stateVariablesOf(output: SolcCompileOutput, contract: string): string[] {
  const byId = new Map<number, AstNode>()
  for (const source of Object.values(output.sources ?? {})) for (const node of source.ast?.nodes ?? []) if (node.nodeType === 'ContractDefinition' && node.id !== undefined) byId.set(node.id, node)
  const definition = [...byId.values()].find((node) => node.name === contract)
  if (!definition) return []
  return [...(definition.linearizedBaseContracts ?? [])]
    .reverse()
    .flatMap((id) => byId.get(id)?.nodes ?? [])
    .filter((node) => node.nodeType === 'VariableDeclaration' && node.stateVariable === true && node.constant !== true)
    .map((node) => node.name ?? '')
}

/** The name of the function whose body contains `offset` (the last `function name(` before it). */
function enclosingFunction(source: string, offset: number): string | undefined {
  const matches = [...source.slice(0, offset).matchAll(/\bfunction\s+([A-Za-z_$][A-Za-z0-9_$]*)\s*\(/g)]
  return matches.at(-1)?.[1]
}
