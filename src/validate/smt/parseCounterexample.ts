/**
 * Reads a counterexample out of z3's refutation proof of a CHC query. solc-js does not render
 * counterexamples when the solver answers through the `smtlib2` callback, so Bulwark takes the
 * ground instances of the function summaries (`summary_N_function_<name>__<id>_<contract>`) the
 * proof derives: each is one concrete call with its arguments and the state before and after it.
 */

/** One concrete call of the counterexample. */
export type CounterexampleCall = {
  function: string
  /** Decimal integers (`true`/`false` for bools), in parameter order. */
  args: string[]
  /** State variables before and after the call, by name (decimal / bool). */
  stateBefore: Record<string, string>
  stateAfter: Record<string, string>
  /** 0 = returned normally; otherwise the CHC error id the call ends in. */
  error: number
}

export type Counterexample = {
  contract: string
  /** In proof order: the first is the outermost call; later failing calls re-entered it through an untrusted external call. */
  calls: CounterexampleCall[]
}

export type ParseCounterexampleParameters = {
  proof: string
  contract: string
  /** State variable names in CHC order (linearized, base first; immutables included). */
  stateVariables: readonly string[]
  /** Parameter names per function name. */
  parameters: Readonly<Record<string, readonly string[]>>
}

export function parseCounterexample({ proof, contract, stateVariables, parameters }: ParseCounterexampleParameters): Counterexample | undefined {
  const calls: CounterexampleCall[] = []
  const seen = new Set<string>()
  const pattern = /\(\|?summary_\d+_function_([A-Za-z0-9_$]+?)__\d+_\d+\|? /g
  for (let match = pattern.exec(proof); match; match = pattern.exec(proof)) {
    const name = match[1]!
    const params = parameters[name]
    if (!params) continue
    const args = readTerms(proof, match.index + match[0].length)
    const k = stateVariables.length
    const p = params.length
    if (args.length < 7 + 2 * k + 2 * p) continue
    const values = args.map(groundValue)
    const error = values[0]
    const before = values.slice(6, 6 + k)
    const inputs = values.slice(6 + k, 6 + k + p)
    const after = values.slice(7 + k + p, 7 + 2 * k + p)
    if (error === undefined || [...before, ...inputs, ...after].some((value) => value === undefined)) continue
    const call: CounterexampleCall = {
      function: name,
      args: inputs as string[],
      stateBefore: Object.fromEntries(stateVariables.map((variable, index) => [variable, before[index]!])),
      stateAfter: Object.fromEntries(stateVariables.map((variable, index) => [variable, after[index]!])),
      error: Number(error),
    }
    const key = JSON.stringify(call)
    if (seen.has(key)) continue
    seen.add(key)
    calls.push(call)
  }
  const failing = calls.filter((call) => call.error !== 0)
  return failing.length === 0 ? undefined : { contract, calls: failing }
}

/** Renders the counterexample as a call sequence a reviewer can read. */
export function renderCounterexample(counterexample: Counterexample, failure: string): string {
  const [outer, ...reentrant] = counterexample.calls
  if (!outer) return ''
  const state = (values: Record<string, string>) =>
    Object.entries(values)
      .map(([name, value]) => `${name} = ${value}`)
      .join(', ')
  const lines = [`state: ${state(outer.stateBefore)}`, `${counterexample.contract}.${outer.function}(${outer.args.join(', ')})`]
  reentrant.forEach((call, index) => {
    lines.push(`${'  '.repeat(index + 1)}↳ untrusted external call re-enters: ${counterexample.contract}.${call.function}(${call.args.join(', ')})`)
  })
  lines.push(`${'  '.repeat(reentrant.length + 1)}→ ${failure}`)
  return lines.join('\n')
}

/** Reads balanced s-expression terms from `start` up to the closing parenthesis of the enclosing term. */
function readTerms(text: string, start: number): string[] {
  const terms: string[] = []
  let index = start
  while (index < text.length) {
    const char = text[index]!
    if (char === ')') break
    if (/\s/.test(char)) {
      index++
      continue
    }
    if (char === '(') {
      let depth = 0
      const from = index
      for (; index < text.length; index++) {
        if (text[index] === '(') depth++
        else if (text[index] === ')' && --depth === 0) break
      }
      terms.push(text.slice(from, ++index))
      continue
    }
    const from = index
    while (index < text.length && !/[\s()]/.test(text[index]!)) index++
    terms.push(text.slice(from, index))
  }
  return terms
}

/** A ground integer or bool term as a decimal string; undefined for anything else (variables, let names, arrays). */
function groundValue(term: string): string | undefined {
  if (/^\d+$/.test(term) || term === 'true' || term === 'false') return term
  const negative = /^\(-\s+(\d+)\)$/.exec(term)
  return negative ? `-${negative[1]}` : undefined
}
