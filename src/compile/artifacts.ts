import type { Abi, Hex } from 'viem'
import type { BuildInfo, SolcBytecodeOutput } from './buildInfo.js'

/** One compiled contract, as deployment and verification need it. */
export type Artifact = {
  contractName: string
  /** The source unit name exactly as in the build-info (`contracts/examples/Vault.sol`). */
  sourceName: string
  abi: Abi
  /** Creation bytecode; unlinked library references stay as solc's `__$…$__` placeholders. */
  bytecode: Hex
  deployedBytecode: Hex
  buildInfoId: string
  /** True for contracts that came in through an import (OpenZeppelin, other npm packages, Foundry libs). */
  external: boolean
}

/** Every contract of a build-info (interfaces and libraries included), sorted by full name. */
export function artifactsFromBuildInfo(buildInfo: BuildInfo): Artifact[] {
  const isExternal = externalSourcePredicate(buildInfo)
  const artifacts: Artifact[] = []
  for (const sourceName of Object.keys(buildInfo.output.contracts).sort()) {
    const contracts = buildInfo.output.contracts[sourceName]!
    for (const contractName of Object.keys(contracts).sort()) {
      const contract = contracts[contractName]!
      artifacts.push({
        contractName,
        sourceName,
        abi: contract.abi ?? [],
        bytecode: toHex(contract.evm?.bytecode),
        deployedBytecode: toHex(contract.evm?.deployedBytecode),
        buildInfoId: buildInfo.id,
        external: isExternal(sourceName),
      })
    }
  }
  return artifacts
}

/** The full name `sourceName:ContractName` that identifies a contract across a build. */
export function fullyQualifiedName(artifact: Pick<Artifact, 'sourceName' | 'contractName'>): string {
  return `${artifact.sourceName}:${artifact.contractName}`
}

function externalSourcePredicate(buildInfo: BuildInfo): (sourceName: string) => boolean {
  if (buildInfo.userSourceNameMap) {
    const own = new Set(Object.values(buildInfo.userSourceNameMap))
    return (sourceName) => !own.has(sourceName)
  }
  // Without a record of the project's own files, dependency locations of npm, Foundry and Hardhat 3 decide.
  return (sourceName) => /^(?:@|node_modules\/|lib\/|npm\/|dependencies\/)/.test(sourceName)
}

function toHex(bytecode: SolcBytecodeOutput | undefined): Hex {
  const object = bytecode?.object ?? ''
  return (object.startsWith('0x') ? object : `0x${object}`) as Hex
}
