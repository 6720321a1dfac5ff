import type { Abi } from 'viem'

/**
 * solc Standard JSON input. Every source carries its `content` inline, so a build-info alone is
 * enough to rerun the exact compilation (and for `@openzeppelin/upgrades-core` to validate it).
 */
export type SolcInput = {
  language: string
  sources: Record<string, { content: string }>
  settings: SolcSettings
}

export type SolcSettings = {
  optimizer?: { enabled: boolean; runs?: number }
  evmVersion?: string
  viaIR?: boolean
  outputSelection?: Record<string, Record<string, readonly string[]>>
  [setting: string]: unknown
}

export type SolcSourceLocation = { file: string; start: number; end: number }

export type SolcError = {
  severity: 'error' | 'warning' | 'info'
  type: string
  component?: string
  errorCode?: string
  message: string
  formattedMessage?: string
  sourceLocation?: SolcSourceLocation
}

export type SolcBytecodeOutput = {
  object: string
  linkReferences?: Record<string, Record<string, { start: number; length: number }[]>>
  [field: string]: unknown
}

export type SolcContractOutput = {
  abi?: Abi
  metadata?: string
  storageLayout?: unknown
  evm?: {
    bytecode?: SolcBytecodeOutput
    deployedBytecode?: SolcBytecodeOutput
    methodIdentifiers?: Record<string, string>
    [field: string]: unknown
  }
  [field: string]: unknown
}

export type SolcOutput = {
  errors?: SolcError[]
  sources: Record<string, { id: number; ast?: unknown }>
  contracts: Record<string, Record<string, SolcContractOutput>>
}

export const buildInfoFormat = 'hh-sol-build-info-1'

/**
 * One solc run: its exact input and output. The shape is Hardhat 2's build-info (which
 * upgrades-core and verifiers read); build-infos from Foundry and Hardhat 3 are normalized to it.
 */
export type BuildInfo = {
  _format: typeof buildInfoFormat
  id: string
  solcVersion: string
  solcLongVersion: string
  input: SolcInput
  output: SolcOutput
  /**
   * The sources the project itself owns (user-facing name → input source name); every other
   * source came in through an import. Absent when the producer did not record it (Hardhat 2,
   * Foundry): ownership is then guessed from the path (`@scope/`, `node_modules/`, `lib/`).
   */
  userSourceNameMap?: Record<string, string>
}

/** Compiler settings a caller may choose; everything else is fixed so builds stay comparable. */
export type CompileSettings = {
  /** Optimizer on by default; false turns it off. */
  optimizer?: boolean
  /** Optimizer runs (default 200). */
  optimizerRuns?: number
  /** Target EVM (default 'cancun' on the bundled solc; another release's own default otherwise). */
  evmVersion?: string
  /** Compile through the IR pipeline (default false). */
  viaIR?: boolean
  /** solc's `optimizer.details` as given (Foundry `optimizer_details`). */
  optimizerDetails?: Record<string, unknown>
  /** Import remappings (`[context:]prefix=target`); also applied when Bulwark collects the imports. */
  remappings?: string[]
  /** solc's `metadata` settings (`bytecodeHash: 'none'` and `appendCBOR: false` change the bytecode). */
  metadata?: { bytecodeHash?: 'ipfs' | 'bzzr1' | 'none'; appendCBOR?: boolean; useLiteralContent?: boolean }
  /** Deployed libraries to link: source unit → library name → address. */
  libraries?: Record<string, Record<string, string>>
}

/**
 * What upgrades-core needs to validate a build (AST for every file; storage layout, bytecode and
 * method ids for every contract), plus the ABI and metadata artifacts and verifiers need.
 */
export const outputSelection = {
  '*': {
    '': ['ast'],
    '*': ['abi', 'evm.bytecode', 'evm.deployedBytecode', 'evm.methodIdentifiers', 'metadata', 'storageLayout'],
  },
} as const

/**
 * The analysis half of `outputSelection`: every file's AST and every contract's ABI, method ids,
 * metadata and storage layout, without code. solc generates code for every contract that has any
 * output selected as soon as any bytecode is asked for (it decides per contract, not per output),
 * so code for a few contracts is asked for in a second run (`codeOutputSelection`).
 */
export const analysisOutputSelection = {
  '*': { '': ['ast'], '*': ['abi', 'evm.methodIdentifiers', 'metadata', 'storageLayout'] },
} as const

/** `outputSelection`'s contract outputs, code included, for `contracts` only (`Name` in any file, or `path/File.sol:Name`). */
export function codeOutputSelection(contracts: readonly string[]): Record<string, Record<string, readonly string[]>> {
  const selection: Record<string, Record<string, readonly string[]>> = {}
  for (const contract of contracts) {
    const colon = contract.lastIndexOf(':')
    const file = colon === -1 ? '*' : contract.slice(0, colon)
    selection[file] = { ...selection[file], [contract.slice(colon + 1)]: outputSelection['*']['*'] }
  }
  return selection
}

/**
 * What a build with code for `contracts` only holds, as one selection (the build-info's record of
 * its input): `analysisOutputSelection` and `codeOutputSelection(contracts)` together. Code
 * generation is most of a compile (Aave's Pool closure with solc 0.8.10: ~17 s in all, ~4 s for the
 * analysis and the Pool's own code), and the selection never changes the code of a contract.
 */
export function outputSelectionFor(contracts: readonly string[]): Record<string, Record<string, readonly string[]>> {
  const selection: Record<string, Record<string, readonly string[]>> = { '*': { ...analysisOutputSelection['*'] } }
  for (const [file, byName] of Object.entries(codeOutputSelection(contracts))) selection[file] = { ...selection[file], ...byName }
  return selection
}

export function solcSettings(settings: CompileSettings = {}, options: { bundled?: boolean } = {}): SolcSettings {
  // An older release may not know 'cancun'; left unset, it targets its own default EVM.
  const evmVersion = settings.evmVersion ?? (options.bundled === false ? undefined : 'cancun')
  return {
    optimizer: { enabled: settings.optimizer ?? true, runs: settings.optimizerRuns ?? 200, ...(settings.optimizerDetails ? { details: settings.optimizerDetails } : {}) },
    ...(evmVersion ? { evmVersion } : {}),
    ...(settings.viaIR ? { viaIR: true } : {}),
    ...(settings.remappings && settings.remappings.length > 0 ? { remappings: [...settings.remappings] } : {}),
    ...(settings.metadata && Object.keys(settings.metadata).length > 0 ? { metadata: { ...settings.metadata } } : {}),
    ...(settings.libraries && Object.keys(settings.libraries).length > 0 ? { libraries: settings.libraries } : {}),
    outputSelection,
  }
}
