import type { BuildInfo } from '../compile/buildInfo.js'

/**
 * What an auditor wants to compare between two implementations, read from the solc AST of one
 * build: per externally callable function (by selector, the most-derived implementation), the
 * access checks, external calls, delegatecalls and selfdestructs on every path it can reach
 * through internal calls, modifiers and library functions (inline assembly included).
 */
export type FunctionFacts = {
  /** `withdraw(uint256)` */
  signature: string
  /** Where the reached implementation is declared: `LendingPoolV2`. */
  contract: string
  /** Access checks seen on the reachable paths: `onlyRole(UPGRADER_ROLE)`, `_checkOwner`, `msg.sender check`. */
  guards: Set<string>
  /** `IERC20.transfer`, `address.call`, `assembly call`. */
  externalCalls: Set<string>
  /** `Contract.function` where a delegatecall / selfdestruct sits. */
  delegatecalls: Set<string>
  selfdestructs: Set<string>
}

export type ContractFacts = { functions: Map<string, FunctionFacts> }

type Node = { nodeType: string; id?: number; [key: string]: unknown }

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && typeof (value as Node).nodeType === 'string'

function* walk(node: unknown): Generator<Node> {
  if (Array.isArray(node)) {
    for (const item of node) yield* walk(item)
    return
  }
  if (typeof node !== 'object' || node === null) return
  if (isNode(node)) yield node
  for (const [key, value] of Object.entries(node)) {
    if (key === 'typeDescriptions' || key === 'documentation') continue
    if (typeof value === 'object' && value !== null) yield* walk(value)
  }
}

const accessModifier = /^(?:only(?!Proxy$|Initializing$|Delegat|Init)[A-Za-z0-9_]*|auth|requiresAuth|restricted)$/
const accessCheck = /^_check(?:Role|Owner|Admin|Sender|Authorized|Caller)[A-Za-z]*$|^_authorize[A-Za-z]*$/

const factsCache = new WeakMap<BuildInfo, Map<string, ContractFacts>>()

/** Facts of `sourceName:ContractName` in `buildInfo` (memoized per build). */
export function contractFacts(buildInfo: BuildInfo, sourceName: string, contractName: string): ContractFacts {
  let perBuild = factsCache.get(buildInfo)
  if (!perBuild) {
    perBuild = new Map()
    factsCache.set(buildInfo, perBuild)
  }
  const key = `${sourceName}:${contractName}`
  let facts = perBuild.get(key)
  if (!facts) {
    facts = computeFacts(buildInfo, sourceName, contractName)
    perBuild.set(key, facts)
  }
  return facts
}

function computeFacts(buildInfo: BuildInfo, sourceName: string, contractName: string): ContractFacts {
  const byId = new Map<number, Node>()
  const ownerOf = new Map<number, Node>()
  for (const source of Object.values(buildInfo.output.sources)) {
    for (const node of walk(source.ast)) if (typeof node.id === 'number') byId.set(node.id, node)
    for (const contract of walk(source.ast)) {
      if (contract.nodeType !== 'ContractDefinition') continue
      for (const member of (contract.nodes as Node[]) ?? []) if (typeof member.id === 'number') ownerOf.set(member.id, contract)
    }
  }
  const contract = [...walk(buildInfo.output.sources[sourceName]?.ast)].find((node) => node.nodeType === 'ContractDefinition' && node.name === contractName)
  if (!contract) return { functions: new Map() }
  const linearized = ((contract.linearizedBaseContracts as number[]) ?? []).map((id) => byId.get(id)).filter((node): node is Node => node !== undefined)

  /** The most-derived override of a virtual internal function, as dynamic dispatch would pick it. */
  const dispatch = (fn: Node): Node => {
    if (!fn.virtual && !fn.overrides) return fn
    const owner = ownerOf.get(fn.id!)
    if (!owner || owner.contractKind === 'library') return fn
    const shape = parameterShape(fn)
    for (const base of linearized) {
      const candidate = ((base.nodes as Node[]) ?? []).find((n) => n.nodeType === fn.nodeType && n.name === fn.name && parameterShape(n) === shape && n.body)
      if (candidate) return candidate
    }
    return fn
  }

  const functions = new Map<string, FunctionFacts>()
  for (const base of linearized) {
    for (const member of (base.nodes as Node[]) ?? []) {
      if (member.nodeType !== 'FunctionDefinition') continue
      const selector = member.functionSelector as string | undefined
      const isEntry = (member.visibility === 'public' || member.visibility === 'external') && member.kind === 'function' && selector !== undefined
      const key = isEntry ? signatureOf(member) : member.kind === 'fallback' || member.kind === 'receive' ? `${member.kind as string}()` : undefined
      if (key === undefined || functions.has(key) || !member.body) continue
      const facts: FunctionFacts = {
        signature: key,
        contract: (base.name as string) ?? '',
        guards: new Set(),
        externalCalls: new Set(),
        delegatecalls: new Set(),
        selfdestructs: new Set(),
      }
      const seen = new Set<number>()
      const visit = (fn: Node) => {
        if (seen.has(fn.id!)) return
        seen.add(fn.id!)
        const where = `${(ownerOf.get(fn.id!)?.name as string | undefined) ?? '?'}.${(fn.name as string) || (fn.kind as string)}`
        for (const invocation of (fn.modifiers as Node[] | undefined) ?? []) {
          const modifierName = invocation.modifierName as Node | undefined
          const name = (modifierName?.name as string | undefined) ?? ''
          if (accessModifier.test(name)) facts.guards.add(`${name}(${((invocation.arguments as Node[] | null) ?? []).map(argumentLabel).join(', ')})`.replace(/\(\)$/, ''))
          const definition = byId.get(modifierName?.referencedDeclaration as number)
          if (definition) visit(definition)
        }
        for (const node of walk(fn.body)) {
          if (node.nodeType === 'FunctionCall') {
            const callee = node.expression as Node
            const declaration = byId.get(callee.referencedDeclaration as number)
            const memberName = callee.memberName as string | undefined
            const base = callee.expression as Node | undefined
            const baseType = ((base?.typeDescriptions as { typeString?: string } | undefined)?.typeString ?? '').replace(/ payable$/, '')
            if (callee.nodeType === 'Identifier' && callee.name === 'selfdestruct') facts.selfdestructs.add(where)
            else if (memberName && baseType === 'address' && ['call', 'staticcall', 'delegatecall', 'send', 'transfer'].includes(memberName)) {
              if (memberName === 'delegatecall') facts.delegatecalls.add(where)
              else facts.externalCalls.add(`address.${memberName}`)
            } else if (memberName && /^contract /.test(baseType) && declaration && (declaration.nodeType === 'VariableDeclaration' || isExternalFunction(declaration))) {
              facts.externalCalls.add(`${baseType.replace(/^contract /, '')}.${memberName}`)
            } else if (declaration?.nodeType === 'FunctionDefinition') {
              const name = declaration.name as string
              if (accessCheck.test(name) && !name.startsWith('_authorize')) facts.guards.add(name)
              // An abstract hook (`_authorizeUpgrade` in UUPSUpgradeable) has no body: its override does.
              const target = dispatch(declaration)
              if (target.body) visit(target)
            }
          } else if (node.nodeType === 'ModifierInvocation') {
            // modifiers are handled above
          } else if (node.nodeType === 'BinaryOperation' && (node.operator === '==' || node.operator === '!=')) {
            if ([node.leftExpression, node.rightExpression].some(isMsgSender)) facts.guards.add('msg.sender check')
          } else if (node.nodeType === 'YulFunctionCall') {
            const name = ((node.functionName as Node | undefined)?.name as string | undefined) ?? ''
            if (name === 'delegatecall') facts.delegatecalls.add(where)
            else if (name === 'selfdestruct') facts.selfdestructs.add(where)
            else if (name === 'call' || name === 'staticcall' || name === 'callcode') facts.externalCalls.add(`assembly ${name} (${where})`)
          }
        }
      }
      visit(member)
      functions.set(key, facts)
    }
  }
  return { functions }
}

function isExternalFunction(declaration: Node): boolean {
  return declaration.nodeType === 'FunctionDefinition' && (declaration.visibility === 'external' || declaration.visibility === 'public')
}

function isMsgSender(node: unknown): boolean {
  if (!isNode(node)) return false
  if (node.nodeType === 'MemberAccess' && node.memberName === 'sender' && (node.expression as Node | undefined)?.name === 'msg') return true
  return node.nodeType === 'FunctionCall' && (node.expression as Node | undefined)?.name === '_msgSender'
}

function argumentLabel(node: Node): string {
  if (node.nodeType === 'Identifier') return node.name as string
  if (node.nodeType === 'MemberAccess') return `${argumentLabel(node.expression as Node)}.${node.memberName as string}`
  if (node.nodeType === 'Literal') return String(node.value)
  return '…'
}

function parameterShape(fn: Node): string {
  const parameters = ((fn.parameters as Node | undefined)?.parameters as Node[] | undefined) ?? []
  return parameters.map((p) => (p.typeDescriptions as { typeIdentifier?: string } | undefined)?.typeIdentifier ?? '').join(',')
}

function signatureOf(fn: Node): string {
  const parameters = ((fn.parameters as Node | undefined)?.parameters as Node[] | undefined) ?? []
  return `${fn.name as string}(${parameters.map(canonicalAstType).join(',')})`
}

function canonicalAstType(parameter: Node): string {
  const typeString = (parameter.typeDescriptions as { typeString?: string } | undefined)?.typeString ?? ''
  return typeString
    .replace(/ (?:memory|calldata|storage)(?: pointer| ref)?/g, '')
    .replace(/^contract [A-Za-z0-9_]+/, 'address')
    .replace(/^enum [A-Za-z0-9_.]+/, 'uint8')
    .replace(/^address payable/, 'address')
}
