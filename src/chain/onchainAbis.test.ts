import { describe, expect, test } from 'vitest'
import { bulwarkRoot } from '../compile/bulwarkRoot.js'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'
import { circuitBreakerAbi } from './circuitBreakerAbi.js'
import { emergencyPauseSealAbi } from './emergencyPauseSealAbi.js'
import { partialPausableAbi } from './partialPausableAbi.js'
import { privateTimelockAbi } from './privateTimelockAbi.js'
import { releaseGateAbi } from './releaseGateAbi.js'

describe('typed ABIs of the on-chain components', () => {
  test('each written-out ABI equals the compiler output of its contract (regenerate after changing the Solidity)', async () => {
    const build = await compileProject({ root: bulwarkRoot() })
    const pairs = [
      ['contracts/ReleaseGate.sol:ReleaseGate', releaseGateAbi],
      ['contracts/PrivateTimelock.sol:PrivateTimelock', privateTimelockAbi],
      ['contracts/EmergencyPauseSeal.sol:EmergencyPauseSeal', emergencyPauseSealAbi],
      ['contracts/CircuitBreaker.sol:CircuitBreaker', circuitBreakerAbi],
      ['contracts/PartialPausableUpgradeable.sol:PartialPausableUpgradeable', partialPausableAbi],
    ] as const
    for (const [name, abi] of pairs) expect(abi, name).toEqual(getArtifact(build, name).abi)
  })
})
