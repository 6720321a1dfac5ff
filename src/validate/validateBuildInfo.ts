import { solcInputOutputDecoder, validate, type SolcInput, type SolcOutput, type ValidationRunData } from '@openzeppelin/upgrades-core'
import type { BuildInfo } from '../compile/buildInfo.js'

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
    const output = buildInfo.output as unknown as SolcOutput
    run = validate(output, solcInputOutputDecoder(input, output), buildInfo.solcVersion, input)
    runs.set(buildInfo, run)
  }
  return run
}
