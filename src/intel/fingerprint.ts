import { keccak256, type Address, type Hex } from 'viem'
import { dispatcherSelectors } from './bytecode.js'
import type { LibraryComponent } from './libraryComponent.js'

/** A region of source text team patterns are searched in: a contract definition (or a whole file when no AST is known). */
export type SourceRegion = { sourceName: string; start: number; end: number; contract?: string }

/** What one deployed implementation was built from, as far as Bulwark can tell. */
export type ImplementationFingerprint = {
  /** Chain name from the project file (or the chain id as text). */
  chain: string
  address: Address
  /** The proxy that runs this implementation, when it was reached through one. */
  proxy?: Address
  /** The project file's name for the contract (the proxy's name for implementations). */
  name?: string
  /** Where the knowledge comes from: exact sources (build-info), a source file/folder, or only the deployed bytecode. */
  basis: 'build-info' | 'source' | 'bytecode'
  /** `source:Contract` of the implementation in the build, when identified. */
  contract?: string
  codeHash?: Hex
  code?: Hex
  selectors: string[]
  /** Files from published packages (OpenZeppelin…) compiled into the contract, with their versions. */
  components: LibraryComponent[]
  /** Every source file of the contract (its import closure), by source unit name. */
  sources: Record<string, string>
  regions: SourceRegion[]
}

export type BytecodeFacts = Pick<ImplementationFingerprint, 'code' | 'codeHash' | 'selectors'>

export function bytecodeFacts(code: Hex | undefined): BytecodeFacts {
  if (code === undefined || code === '0x') return { selectors: [] }
  return { code, codeHash: keccak256(code), selectors: dispatcherSelectors(code) }
}
