import { solcInputOutputDecoder, validate, type SolcInput, type SolcOutput, type ValidationRunData } from '@openzeppelin/upgrades-core'
import type { BuildInfo, SolcOutput as BuildOutput } from '../compile/buildInfo.js'

const runs = new WeakMap<BuildInfo, ValidationRunData>()

/**
 * Runs `@openzeppelin/upgrades-core`'s validations (unsafe opcodes, constructors, initializers,
 * storage layout with ERC-7201 namespaces) over one build, once per build-info object: the
 * upgrade-safety and diff-review stages share the result.
 */
export function validateBuildInfo(buildInfo: BuildInfo): ValidationRunData {
  let run = runs.get(buildInfo)
  if (!run) {
    // Bulwark's build-info is the Hardhat shape upgrades-core reads; only the nominal types differ.
    const input = buildInfo.input as unknown as SolcInput
    const output = withoutCodeAsAbstract(buildInfo.output) as unknown as SolcOutput
    run = validate(output, solcInputOutputDecoder(input, output), buildInfo.solcVersion, input)
    runs.set(buildInfo, run)
  }
  return run
}

/**
 * upgrades-core reads `evm.bytecode` of every contract. A build that generated code for its
 * implementations only (`codeFor`) has none for the others: they are shown to it with empty code,
 * as it sees abstract contracts, which still gives their storage layout, unsafe patterns and
 * inheritance; only a contract's own code hash (its "version") is left out, and it is looked up for
 * the implementations alone, which have their code.
 */
function withoutCodeAsAbstract(output: BuildOutput): BuildOutput {
  let contracts: BuildOutput['contracts'] | undefined
  for (const [sourceName, byName] of Object.entries(output.contracts)) {
    for (const [contractName, contract] of Object.entries(byName)) {
      if (contract.evm?.bytecode !== undefined) continue
      contracts ??= Object.fromEntries(Object.entries(output.contracts).map(([name, file]) => [name, { ...file }]))
      contracts[sourceName]![contractName] = { ...contract, evm: { ...contract.evm, bytecode: { object: '', linkReferences: {} }, deployedBytecode: { object: '', linkReferences: {} } } }
    }
  }
  return contracts ? { ...output, contracts } : output
}
