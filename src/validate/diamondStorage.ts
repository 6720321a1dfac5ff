import { encodeAbiParameters, keccak256, stringToHex, toHex, type Hex } from 'viem'
import type { BuiltContract } from './stage.js'

/** One member of a storage struct (or one AppStorage variable), in declaration order. */
export type StorageMember = { name: string; type: string }

/**
 * A storage root a facet reads and writes: an ERC-7201 namespace, a diamond-storage position
 * (`keccak256("…")` assigned to a struct pointer's `.slot`), or the contract's own variables from slot 0
 * (AppStorage). Facets of one diamond share every root: the same root must mean the same layout.
 */
export type StorageRoot = {
  /** The slot the struct starts at (`0x00…00` for AppStorage). */
  slot: Hex
  /** `erc7201:bulwark.kit.vault`, `diamond-storage:LibDiamond.diamondStorage`, `app-storage`. */
  origin: string
  /** The struct's name (`VaultStorage`), or the contract's for AppStorage. */
  struct: string
  members: StorageMember[]
}

/** A member two facets disagree on at the same position of a shared root. */
export type StorageConflict = { slot: Hex; index: number; left: { origin: string; member: StorageMember | null }; right: { origin: string; member: StorageMember | null } }

type AstNode = {
  nodeType: string
  name?: string
  absolutePath?: string
  members?: AstNode[]
  nodes?: AstNode[]
  typeDescriptions?: { typeString?: string }
  canonicalName?: string
}

/** The ERC-7201 formula: `keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~bytes32(uint256(0xff))`. */
export function erc7201Slot(id: string): Hex {
  const inner = BigInt(keccak256(stringToHex(id))) - 1n
  const outer = BigInt(keccak256(encodeAbiParameters([{ type: 'uint256' }], [inner])))
  return toHex(outer & ~0xffn, { size: 32 })
}

/**
 * The storage roots of a compiled facet, read from its sources (the contract's file and every file it
 * imports): structs annotated `@custom:storage-location erc7201:<id>`, struct pointers whose `.slot` is
 * assigned a `bytes32 constant` (a hex literal or `keccak256("…")`), and the contract's own state
 * variables (AppStorage, from solc's storage layout). Solidity before 0.8.20 keeps no NatSpec on
 * structs in the AST, so annotations are read from the source text; members come from the AST.
 */
export function storageRootsOf(contract: Pick<BuiltContract, 'buildInfo' | 'artifact'>): StorageRoot[] {
  const { buildInfo, artifact } = contract
  const files = importClosure(buildInfo.output.sources as Record<string, { ast?: unknown }>, artifact.sourceName)
  const structs = new Map<string, AstNode>()
  for (const file of files) {
    walk(buildInfo.output.sources[file]?.ast as AstNode | undefined, (node) => {
      if (node.nodeType === 'StructDefinition' && node.name) structs.set(node.name, node)
    })
  }
  const membersOf = (name: string): StorageMember[] | undefined =>
    structs.get(name)?.members?.map((member) => ({ name: member.name ?? '', type: normalizeType(member.typeDescriptions?.typeString ?? '') }))

  const roots = new Map<string, StorageRoot>()
  const add = (root: StorageRoot) => {
    const key = `${root.slot}:${root.struct}`
    if (!roots.has(key)) roots.set(key, root)
  }
  for (const file of files) {
    const text = buildInfo.input.sources[file]?.content ?? ''
    for (const match of text.matchAll(/@custom:storage-location\s+erc7201:([^\s*]+)[\s\S]*?struct\s+([A-Za-z_$][A-Za-z0-9_$]*)/g)) {
      const members = membersOf(match[2]!)
      if (members) add({ slot: erc7201Slot(match[1]!), origin: `erc7201:${match[1]!}`, struct: match[2]!, members })
    }
    const constants = new Map<string, Hex>()
    for (const match of text.matchAll(/bytes32\s+(?:(?:internal|private|public)\s+)?constant\s+([A-Za-z_$][A-Za-z0-9_$]*)\s*=\s*(?:(0x[0-9a-fA-F]{64})|keccak256\(\s*"([^"]*)"\s*\))/g)) {
      constants.set(match[1]!, match[2] !== undefined ? (match[2].toLowerCase() as Hex) : keccak256(stringToHex(match[3]!)))
    }
    for (const match of text.matchAll(/function\s+([A-Za-z_$][A-Za-z0-9_$]*)\s*\([^)]*\)[^{;]*returns\s*\(\s*([A-Za-z_$][A-Za-z0-9_$.]*)\s+storage\s+([A-Za-z_$][A-Za-z0-9_$]*)\s*\)\s*\{([\s\S]*?)\n\s*\}/g)) {
      const [, functionName, structName, pointer, body] = match
      const slotName = new RegExp(`${pointer!.replace(/\$/g, '\\$')}\\.slot\\s*:=\\s*([A-Za-z_$][A-Za-z0-9_$]*)`).exec(body!)?.[1]
      // LibDiamond copies the constant into a local first: `bytes32 position = DIAMOND_STORAGE_POSITION;`.
      const alias = slotName === undefined ? undefined : new RegExp(`bytes32\\s+${slotName}\\s*=\\s*([A-Za-z_$][A-Za-z0-9_$]*)\\s*;`).exec(body!)?.[1]
      const slot = slotName === undefined ? undefined : (constants.get(slotName) ?? (alias === undefined ? undefined : constants.get(alias)))
      const struct = structName!.slice(structName!.lastIndexOf('.') + 1)
      const members = membersOf(struct)
      if (slot && members) add({ slot, origin: `diamond-storage:${functionName!}`, struct, members })
    }
  }
  const layout = buildInfo.output.contracts[artifact.sourceName]?.[artifact.contractName]?.storageLayout as
    | { storage?: { label: string; slot: string; offset: number; type: string }[]; types?: Record<string, { label: string }> | null }
    | undefined
  const variables = layout?.storage ?? []
  if (variables.length > 0) {
    add({
      slot: toHex(0n, { size: 32 }),
      origin: 'app-storage',
      struct: artifact.contractName,
      members: variables.map((variable) => ({ name: variable.label, type: `${normalizeType(layout?.types?.[variable.type]?.label ?? variable.type)} @ slot ${variable.slot}+${variable.offset}` })),
    })
  }
  // A namespace found both by its annotation and by its `.slot` assignment is one root.
  const bySlot = new Map<string, StorageRoot>()
  for (const root of roots.values()) if (!bySlot.has(`${root.slot}:${root.struct}`) || root.origin.startsWith('erc7201:')) bySlot.set(`${root.slot}:${root.struct}`, root)
  return [...bySlot.values()].sort((a, b) => (a.slot < b.slot ? -1 : a.slot > b.slot ? 1 : 0))
}

/**
 * Where two layouts of one root disagree: the first member, by position, whose type differs. A layout
 * that only appends members to the other's is compatible (the diamond-storage rule).
 */
export function compareStorageRoots(left: StorageRoot, right: StorageRoot): StorageConflict | undefined {
  const shared = Math.min(left.members.length, right.members.length)
  for (let index = 0; index < shared; index++) {
    const a = left.members[index]!
    const b = right.members[index]!
    if (a.type !== b.type) return { slot: left.slot, index, left: { origin: left.origin, member: a }, right: { origin: right.origin, member: b } }
  }
  return undefined
}

/** `struct LibDiamond.Facet storage ref` and `struct Facet` are one type; data location words are noise here. */
function normalizeType(type: string): string {
  return type
    .replace(/\s+(?:storage|memory|calldata)(?:\s+(?:ref|pointer))?/g, '')
    .replace(/\b(struct|enum|contract)\s+(?:[A-Za-z_$][A-Za-z0-9_$]*\.)+/g, '$1 ')
    .replace(/\)\d+_storage/g, ')')
    .trim()
}

function importClosure(sources: Record<string, { ast?: unknown }>, entry: string): string[] {
  const seen = new Set<string>([entry])
  const queue = [entry]
  while (queue.length > 0) {
    const file = queue.shift()!
    walk(sources[file]?.ast as AstNode | undefined, (node) => {
      if (node.nodeType === 'ImportDirective' && node.absolutePath && !seen.has(node.absolutePath)) {
        seen.add(node.absolutePath)
        queue.push(node.absolutePath)
      }
    })
  }
  return [...seen]
}

function walk(node: AstNode | undefined, visit: (node: AstNode) => void): void {
  if (!node) return
  visit(node)
  for (const child of node.nodes ?? []) walk(child, visit)
}
