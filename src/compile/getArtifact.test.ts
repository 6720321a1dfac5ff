import { describe, expect, test } from 'vitest'
import type { Artifact } from './artifacts.js'
import { ArtifactNotFoundError } from './errors.js'
import { getArtifact } from './getArtifact.js'

function artifact(sourceName: string, contractName: string, external = false): Artifact {
  return { contractName, sourceName, abi: [], bytecode: '0x', deployedBytecode: '0x', buildInfoId: 'b1', external }
}

const build = {
  artifacts: [
    artifact('contracts/examples/Vault.sol', 'Vault'),
    artifact('contracts/examples/VaultV2.sol', 'VaultV2'),
    artifact('contracts/guards/Pausable.sol', 'Pausable'),
    artifact('@openzeppelin/contracts/utils/Pausable.sol', 'Pausable', true),
    artifact('@openzeppelin/contracts/governance/TimelockController.sol', 'TimelockController', true),
  ],
}

function thrown(fn: () => unknown): ArtifactNotFoundError {
  try {
    fn()
  } catch (error) {
    if (error instanceof ArtifactNotFoundError) return error
    throw error
  }
  throw new Error('expected ArtifactNotFoundError')
}

describe('getArtifact', () => {
  test('finds a contract by its short name', () => {
    expect(getArtifact(build, 'Vault').sourceName).toBe('contracts/examples/Vault.sol')
    expect(getArtifact(build, 'TimelockController').external).toBe(true)
  })

  test('finds a contract by its full name, also an imported one', () => {
    expect(getArtifact(build, 'contracts/examples/VaultV2.sol:VaultV2').contractName).toBe('VaultV2')
    const pausable = getArtifact(build, '@openzeppelin/contracts/utils/Pausable.sol:Pausable')
    expect(pausable).toEqual(build.artifacts[3])
  })

  test('an unknown name (names are case-sensitive) lists close matches', () => {
    const error = thrown(() => getArtifact(build, 'vault'))
    expect(error.code).toBe('BW_ARTIFACT_NOT_FOUND')
    expect(error.ambiguous).toBe(false)
    expect(error.message).toMatchInlineSnapshot(`
      "Contract "vault" was not found in the build output.

      Did you mean:
        contracts/examples/Vault.sol:Vault
        contracts/examples/VaultV2.sol:VaultV2"
    `)
  })

  test('a full name with the wrong source suggests the contract where it is', () => {
    const error = thrown(() => getArtifact(build, 'contracts/Vault.sol:Vault'))
    expect(error.candidates[0]).toBe('contracts/examples/Vault.sol:Vault')
  })

  test('a name like nothing in the build says so', () => {
    const error = thrown(() => getArtifact(build, 'Oracle'))
    expect(error.candidates).toEqual([])
    expect(error.message).toMatchInlineSnapshot(`
      "Contract "Oracle" was not found in the build output.

      No similar name among the 5 contracts of this build."
    `)
  })

  test('a short name two contracts share is ambiguous and lists both full names', () => {
    const error = thrown(() => getArtifact(build, 'Pausable'))
    expect(error.code).toBe('BW_ARTIFACT_NOT_FOUND')
    expect(error.ambiguous).toBe(true)
    expect(error.message).toMatchInlineSnapshot(`
      "Contract name "Pausable" is ambiguous: 2 contracts have it.

      Use the full name (source:Contract), one of:
        @openzeppelin/contracts/utils/Pausable.sol:Pausable
        contracts/guards/Pausable.sol:Pausable"
    `)
  })
})
