import { getAddress, type Abi, type Address, type Hex } from 'viem'
import type { DevClient } from '../../src/chain/clients.js'
import { deployContract } from '../../src/chain/deployContract.js'
import { DeployError } from '../../src/chain/errors.js'
import type { KitBuild } from './compileKit.js'

type LinkReferences = Record<string, Record<string, { start: number; length: number }[]>>
type CompiledContract = { abi?: Abi; evm?: { bytecode?: { object?: string; linkReferences?: LinkReferences } } }

/** External libraries already deployed on this chain, by full name (`source.sol:Library`). */
export type LibraryAddresses = Map<string, Address>

/**
 * Deploys `source:Contract` of a build with its constructor `args`, first deploying (once per
 * `libraries` map) every external library it links against, recursively, and writing their addresses
 * into solc's link references. Returns the contract's address.
 */
export async function deployLinked(
  client: DevClient,
  { build, contract, args = [], libraries }: { build: KitBuild; contract: string; args?: readonly unknown[]; libraries: LibraryAddresses },
): Promise<Address> {
  const { abi, bytecode } = await linkedBytecode(client, build, contract, libraries)
  return (await deployContract(client, { name: contract, abi, bytecode, args })).address
}

/** The creation bytecode of `source:Contract` with every library reference resolved (libraries deployed as needed). */
export async function linkedBytecode(client: DevClient, build: KitBuild, contract: string, libraries: LibraryAddresses): Promise<{ abi: Abi; bytecode: Hex }> {
  const separator = contract.lastIndexOf(':')
  const sourceName = contract.slice(0, separator)
  const contractName = contract.slice(separator + 1)
  const compiled = (build.buildInfo.output.contracts[sourceName] as Record<string, CompiledContract> | undefined)?.[contractName]
  const object = compiled?.evm?.bytecode?.object
  if (!compiled || object === undefined) throw new DeployError({ contract, reason: `not in the ${build.kit} build` })
  let code = object.startsWith('0x') ? object.slice(2) : object
  for (const [librarySource, byName] of Object.entries(compiled.evm?.bytecode?.linkReferences ?? {})) {
    for (const [libraryName, offsets] of Object.entries(byName)) {
      const fullName = `${librarySource}:${libraryName}`
      let address = libraries.get(fullName)
      if (address === undefined) {
        address = await deployLinked(client, { build, contract: fullName, libraries })
        libraries.set(fullName, address)
      }
      const hex = getAddress(address).slice(2).toLowerCase()
      for (const { start, length } of offsets) code = code.slice(0, start * 2) + hex + code.slice((start + length) * 2)
    }
  }
  if (code.includes('__$')) throw new DeployError({ contract, reason: 'unresolved library placeholder after linking' })
  return { abi: compiled.abi ?? [], bytecode: `0x${code}` }
}
