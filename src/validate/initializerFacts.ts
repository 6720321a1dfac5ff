import type { BuildInfo } from '../compile/buildInfo.js'
import { contractFacts } from './contractFacts.js'

/**
 * What the initializer-safety stage needs to know about one implementation, read from the solc
 * AST: its externally callable initializers (OpenZeppelin 4.x and 5.x `initializer`,
 * `reinitializer(n)`, and `initialize*` functions without those modifiers that write storage),
 * every entry point that writes privileged state (owner, roles, upgrade authority, minting,
 * funds leaving the contract) with the access checks on its paths, and whether the constructor
 * disables initializers. The chain decides in the end (a stranger calls each of them on a fork);
 * these facts say why.
 */
export type EntryPoint = {
  /** `initializeV2(address)` */
  signature: string
  name: string
  /** The contract that declares the reached implementation. */
  contract: string
  file: string | undefined
  /** 1-based line of the declaration. */
  line: number | undefined
  /** The OpenZeppelin initializer modifier on the function itself, if any. */
  initializerModifier: 'initializer' | 'reinitializer' | 'onlyInitializing' | undefined
  /** `reinitializer(n)`: n when it is a literal or a constant; `initializer`: 1. */
  version: bigint | undefined
  /** Access checks on the reachable paths (`onlyOwner`, `onlyRole(DEFAULT_ADMIN_ROLE)`, `msg.sender check`…). */
  guards: string[]
  /** Privileged writes on the reachable paths: a state variable (`_owner`), `_grantRole`, `_mint`, `ETH out (address.transfer)`… */
  privilegedWrites: string[]
  /** Funds sent to `msg.sender` on its paths (withdrawals): called by the stranger, but no reason to report on their own. */
  fundsToCaller: string[]
  /** Writes contract storage somewhere on its paths (state variables, storage pointers, sstore). */
  writesStorage: boolean
  mutability: string
}

export type ImplementationFacts = {
  /** Public/external non-view functions, by signature. */
  entries: Map<string, EntryPoint>
  /** The constructor (of the contract or a base) reaches `_disableInitializers()`. */
  constructorDisablesInitializers: boolean
  /** The contract inherits an `Initializable` (any generation). */
  initializable: boolean
}

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

/** State that decides who controls the contract or its funds, by the variable's name. */
const privilegedVariable = /owner|admin|governor|governance|guardian|authority|operator|minter|pauser|upgrader|implementation|beacon|treasury|feeRecipient|feeTo|beneficiary|signer|keeper|controller|_roles\b|roles$/i
/** Internal functions (OZ 4.x and 5.x and common protocol code) whose effect is privileged. */
const privilegedCall =
  /^_(?:grantRole|setupRole|revokeRole|setRoleAdmin|transferOwnership|setOwner|changeAdmin|setAdmin|setImplementation|upgradeTo|upgradeToAndCall|upgradeToAndCallUUPS|upgradeBeaconToAndCall|setBeacon|mint|safeMint|burn)$|^(?:upgradeToAndCall|upgradeBeaconToAndCall|changeAdmin)$/
/** Library/internal calls that send funds out of the contract. */
const fundsOut = /^(?:safeTransfer|sendValue|safeTransferETH|safeTransferAll)$/
const guardModifier = /^(?:only(?!Proxy$|Initializing$|Delegat|Init)[A-Za-z0-9_]*|auth|requiresAuth|restricted)$/

const cache = new WeakMap<BuildInfo, Map<string, ImplementationFacts>>()

/** Facts of `sourceName:contractName` in `buildInfo` (memoized per build). */
export function implementationFacts(buildInfo: BuildInfo, sourceName: string, contractName: string): ImplementationFacts {
  let perBuild = cache.get(buildInfo)
  if (!perBuild) cache.set(buildInfo, (perBuild = new Map()))
  const key = `${sourceName}:${contractName}`
  let facts = perBuild.get(key)
  if (!facts) perBuild.set(key, (facts = computeFacts(buildInfo, sourceName, contractName)))
  return facts
}

function computeFacts(buildInfo: BuildInfo, sourceName: string, contractName: string): ImplementationFacts {
  const byId = new Map<number, Node>()
  const ownerOf = new Map<number, Node>()
  const fileOf = new Map<number, string>()
  for (const [name, source] of Object.entries(buildInfo.output.sources)) {
    fileOf.set(source.id, name)
    for (const node of walk(source.ast)) {
      if (typeof node.id === 'number') byId.set(node.id, node)
      if (node.nodeType === 'ContractDefinition') for (const member of (node.nodes as Node[]) ?? []) if (typeof member.id === 'number') ownerOf.set(member.id, node)
    }
  }
  const contract = [...walk(buildInfo.output.sources[sourceName]?.ast)].find((node) => node.nodeType === 'ContractDefinition' && node.name === contractName)
  if (!contract) return { entries: new Map(), constructorDisablesInitializers: false, initializable: false }
  const linearized = ((contract.linearizedBaseContracts as number[]) ?? []).map((id) => byId.get(id)).filter((node): node is Node => node !== undefined)
  const guardsBySignature = contractFacts(buildInfo, sourceName, contractName).functions

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

  /** Every function and modifier reachable from `start` (internal calls dispatched, modifiers included). */
  const reachable = (start: Node, skipModifiers: ReadonlySet<string> = new Set()): Node[] => {
    const seen = new Map<number, Node>()
    const visit = (fn: Node) => {
      if (seen.has(fn.id!)) return
      seen.set(fn.id!, fn)
      for (const invocation of (fn.modifiers as Node[] | undefined) ?? []) {
        const modifierName = invocation.modifierName as Node | undefined
        if (skipModifiers.has((modifierName?.name as string | undefined) ?? '')) continue
        const definition = byId.get(modifierName?.referencedDeclaration as number)
        if (definition) visit(definition)
      }
      for (const node of walk(fn.body)) {
        if (node.nodeType !== 'FunctionCall') continue
        const declaration = byId.get((node.expression as Node).referencedDeclaration as number)
        if (declaration?.nodeType !== 'FunctionDefinition' || declaration.visibility === 'external') continue
        // An abstract hook (`_authorizeUpgrade`) has no body: its override does.
        const target = dispatch(declaration)
        if (target.body) visit(target)
      }
    }
    visit(start)
    return [...seen.values()]
  }

  const entries = new Map<string, EntryPoint>()
  for (const base of linearized) {
    for (const member of (base.nodes as Node[]) ?? []) {
      if (member.nodeType !== 'FunctionDefinition' || member.kind !== 'function' || !member.body || !isExternal(member)) continue
      if (member.stateMutability === 'view' || member.stateMutability === 'pure') continue
      const signature = signatureOf(member)
      if (entries.has(signature)) continue
      const modifier = initializerModifierOf(member, byId)
      // The initializer modifiers write `_initialized` themselves: that is bookkeeping, not the function's effect.
      const reached = reachable(member, new Set(['initializer', 'reinitializer']))
      const privilegedWrites = new Set<string>()
      const fundsToCaller = new Set<string>()
      let writesStorage = false
      for (const fn of reached) {
        for (const node of walk(fn.body)) {
          const written = writtenStateName(node, byId)
          if (written !== undefined) {
            writesStorage = true
            if (privilegedVariable.test(written)) privilegedWrites.add(written)
          }
          if (node.nodeType === 'FunctionCall') {
            const callee = node.expression as Node
            const name = (callee.nodeType === 'Identifier' ? callee.name : callee.memberName) as string | undefined
            const declaration = byId.get(callee.referencedDeclaration as number)
            if (name && privilegedCall.test(name) && (declaration === undefined || declaration.nodeType === 'FunctionDefinition')) privilegedWrites.add(name)
            // Funds sent back to the caller are what withdraw/borrow do: the stranger's call still tests them, but the code alone is no reason to report.
            const recipient = ((node.arguments as Node[]) ?? [])[name && fundsOut.test(name) && /^type\(library /.test(baseType(callee)) ? 1 : 0]
            const funds = (label: string) => (isMsgSender(recipient) || isMsgSender(callee.expression as Node | undefined) ? fundsToCaller : privilegedWrites).add(label)
            if (name && fundsOut.test(name)) funds(`funds out (${name})`)
            if (name && (name === 'transfer' || name === 'send') && baseType(callee) === 'address') funds(`ETH out (address.${name})`)
            if (name === 'transfer' && /^contract /.test(baseType(callee))) funds(`funds out (${baseType(callee).replace(/^contract /, '')}.transfer)`)
            if ((name === 'transferFrom' || name === 'safeTransferFrom') && !isMsgSender(((node.arguments as Node[]) ?? [])[fromArgument(callee)])) {
              privilegedWrites.add(`funds moved from another account (${name})`)
            }
          }
          if (node.nodeType === 'FunctionCallOptions' && ((node.names as string[]) ?? []).includes('value')) privilegedWrites.add('ETH out (call with value)')
          if (node.nodeType === 'YulFunctionCall') {
            const name = ((node.functionName as Node | undefined)?.name as string | undefined) ?? ''
            if (name === 'sstore') {
              writesStorage = true
              privilegedWrites.add('assembly sstore')
            }
          }
        }
      }
      const declaringContract = ownerOf.get(member.id!)
      const location = locate(member.src as string | undefined, fileOf, buildInfo)
      entries.set(signature, {
        signature,
        name: member.name as string,
        contract: (declaringContract?.name as string | undefined) ?? (base.name as string),
        file: location.file,
        line: location.line,
        initializerModifier: modifier?.name,
        version: modifier?.version,
        guards: [...(guardsBySignature.get(signature)?.guards ?? ownGuards(member))],
        privilegedWrites: [...privilegedWrites],
        fundsToCaller: [...fundsToCaller],
        writesStorage,
        mutability: member.stateMutability as string,
      })
    }
  }

  const constructors = linearized.flatMap((base) => ((base.nodes as Node[]) ?? []).filter((n) => n.nodeType === 'FunctionDefinition' && n.kind === 'constructor' && n.body))
  const constructorDisablesInitializers = constructors.some((ctor) =>
    reachable(ctor).some((fn) => fn.name === '_disableInitializers' || [...walk(fn.body)].some((n) => n.nodeType === 'Identifier' && n.name === '_disableInitializers')),
  )
  const initializable = linearized.some((base) => base.name === 'Initializable')
  return { entries, constructorDisablesInitializers, initializable }
}

/** The name of the state written by an assignment, `delete`, `++`/`--`, or `push`/`pop` on storage; undefined otherwise. */
function writtenStateName(node: Node, byId: Map<number, Node>): string | undefined {
  let target: Node | undefined
  if (node.nodeType === 'Assignment') target = node.leftHandSide as Node
  else if (node.nodeType === 'UnaryOperation' && ['delete', '++', '--'].includes(node.operator as string)) target = node.subExpression as Node
  else if (node.nodeType === 'FunctionCall') {
    const callee = node.expression as Node
    if (callee.nodeType === 'MemberAccess' && (callee.memberName === 'push' || callee.memberName === 'pop')) target = callee.expression as Node
  }
  if (!target) return undefined
  // Walk down `a.b[c].d` to its root; the last member name is what the write is "to".
  let label: string | undefined
  let cursor: Node | undefined = target
  while (cursor) {
    if (cursor.nodeType === 'MemberAccess') {
      label ??= cursor.memberName as string
      cursor = cursor.expression as Node
    } else if (cursor.nodeType === 'IndexAccess') {
      cursor = cursor.baseExpression as Node
    } else if (cursor.nodeType === 'Identifier') {
      const declaration = byId.get(cursor.referencedDeclaration as number)
      if (declaration?.nodeType !== 'VariableDeclaration') return undefined
      const isState = declaration.stateVariable === true && declaration.constant !== true && declaration.mutability !== 'immutable'
      const isStoragePointer = declaration.storageLocation === 'storage'
      if (!isState && !isStoragePointer) return undefined
      return label ?? (cursor.name as string)
    } else {
      return undefined
    }
  }
  return undefined
}

function initializerModifierOf(fn: Node, byId: Map<number, Node>): { name: 'initializer' | 'reinitializer' | 'onlyInitializing'; version: bigint | undefined } | undefined {
  for (const invocation of (fn.modifiers as Node[] | undefined) ?? []) {
    const name = ((invocation.modifierName as Node | undefined)?.name as string | undefined) ?? ''
    if (name === 'initializer') return { name, version: 1n }
    if (name === 'onlyInitializing') return { name, version: undefined }
    if (name === 'reinitializer') return { name, version: constantValue(((invocation.arguments as Node[] | null) ?? [])[0], byId) }
  }
  return undefined
}

function constantValue(node: Node | undefined, byId: Map<number, Node>): bigint | undefined {
  if (!node) return undefined
  if (node.nodeType === 'Literal' && node.kind === 'number') {
    try {
      return BigInt((node.value as string).replaceAll('_', ''))
    } catch {
      return undefined
    }
  }
  if (node.nodeType === 'Identifier') {
    const declaration = byId.get(node.referencedDeclaration as number)
    if (declaration?.constant === true) return constantValue(declaration.value as Node | undefined, byId)
  }
  return undefined
}

/** Guards named on the function itself, for entries contractFacts did not list. */
function ownGuards(fn: Node): string[] {
  return ((fn.modifiers as Node[] | undefined) ?? []).map((m) => ((m.modifierName as Node | undefined)?.name as string | undefined) ?? '').filter((name) => guardModifier.test(name))
}

function isExternal(fn: Node): boolean {
  return fn.visibility === 'public' || fn.visibility === 'external'
}

function baseType(callee: Node): string {
  const base = callee.expression as Node | undefined
  return ((base?.typeDescriptions as { typeString?: string } | undefined)?.typeString ?? '').replace(/ payable$/, '')
}

/**
 * Which argument is `from`: 0 for `token.transferFrom(from, …)` and for `token.safeTransferFrom(from, …)`
 * through `using SafeERC20 for IERC20` (the token is bound), 1 for `SafeERC20.safeTransferFrom(token, from, …)`.
 */
function fromArgument(callee: Node): number {
  return /^type\(library /.test(baseType(callee)) ? 1 : 0
}

function isMsgSender(node: Node | undefined): boolean {
  if (!node) return false
  if (node.nodeType === 'MemberAccess' && node.memberName === 'sender' && (node.expression as Node | undefined)?.name === 'msg') return true
  return node.nodeType === 'FunctionCall' && (node.expression as Node | undefined)?.name === '_msgSender'
}

function locate(src: string | undefined, fileOf: Map<number, string>, buildInfo: BuildInfo): { file: string | undefined; line: number | undefined } {
  const match = /^(\d+):\d+:(\d+)$/.exec(src ?? '')
  if (!match) return { file: undefined, line: undefined }
  const file = fileOf.get(Number(match[2]))
  const content = file === undefined ? undefined : buildInfo.input.sources[file]?.content
  if (content === undefined) return { file, line: undefined }
  // solc offsets are in bytes.
  const before = Buffer.from(content, 'utf8').subarray(0, Number(match[1])).toString('utf8')
  return { file, line: before.split('\n').length }
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
