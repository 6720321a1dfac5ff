import type { Hex } from 'viem'
import { bulwarkRoot } from '../compile/bulwarkRoot.js'
import { compileProject } from '../compile/compileProject.js'

/**
 * Runtime of `contracts/release/ReleaseSimulator.sol`, which `executeReleaseStep` uses to name the
 * failing call of a MultiSend batch in simulation; undefined if Bulwark's contracts do not compile here.
 */
export async function releaseSimulatorRuntime(): Promise<Hex | undefined> {
  try {
    const build = await compileProject({ root: bulwarkRoot() })
    return build.artifacts.find((artifact) => artifact.contractName === 'ReleaseSimulator')?.deployedBytecode
  } catch {
    return undefined
  }
}
