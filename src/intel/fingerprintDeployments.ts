import path from 'node:path'
import { getAddress, type Address, type Hex } from 'viem'
import type { InventoryClient } from '../chain/probeContractRead.js'
import { requiredRead } from '../chain/probeContractRead.js'
import { readInventory } from '../chain/readInventory.js'
import type { BuildInfo } from '../compile/buildInfo.js'
import { ArtifactNotFoundError } from '../compile/errors.js'
import { readBuildInfo } from '../compile/readBuildInfo.js'
import { bytecodeFacts, type ImplementationFingerprint } from './fingerprint.js'
import { fingerprintBuildInfo, type SourceFingerprint } from './fingerprintBuildInfo.js'
import { fingerprintSourceFile } from './fingerprintSources.js'
import { createPackageLocator, type PackageLocator } from './libraryComponent.js'

/** A contract of the project file: the proxy (or plain contract) and how its current implementation was built. */
export type DeploymentTarget = {
  name?: string | undefined
  address: Address
  /** Build-info of the current implementation (path relative to `root`). */
  buildInfo?: string | undefined
  /** `path/File.sol:Contract` of the current implementation, relative to `root`. */
  source?: string | undefined
}

export type FingerprintDeploymentsParameters = {
  /** Chain name, carried into every fingerprint and match. */
  chain: string
  targets: readonly DeploymentTarget[]
  /** Project root: build-info and source paths are relative to it; package.json files are looked up from it. */
  root: string
  blockNumber?: bigint | undefined
  onProgress?: ((message: string) => void) | undefined
}

export type FingerprintDeploymentsReturnType = { chainId: number; blockNumber: bigint; implementations: ImplementationFingerprint[] }

/**
 * Reads the inventory of the given contracts (proxies → implementations, beacons included) and
 * describes every implementation it reaches: from the project's build-info (exact sources),
 * else from its source file, else from its deployed bytecode alone. Implementations that no
 * project entry describes (reached through a beacon, or not named in the project) get the
 * bytecode basis.
 *
 * @throws {BuildInfoInvalidError} a referenced build-info is unusable.
 * @throws {SourceNotFoundError} a referenced source or one of its imports is missing.
 */
export async function fingerprintDeployments(client: InventoryClient, parameters: FingerprintDeploymentsParameters): Promise<FingerprintDeploymentsReturnType> {
  const { chain, root } = parameters
  const onProgress = parameters.onProgress ?? (() => {})
  const blockNumber = parameters.blockNumber ?? (await requiredRead(client, 'eth_blockNumber', () => client.getBlockNumber({ cacheTime: 0 })))
  const addresses = parameters.targets.map((target) => getAddress(target.address))
  const inventory = await readInventory(client, { addresses, blockNumber })
  onProgress(`${chain}: inventory of ${addresses.length} contract(s) read at block ${blockNumber}`)

  // implementation address → what the project says about it
  const described = new Map<Address, { target?: DeploymentTarget; proxy?: Address }>()
  for (const target of parameters.targets) {
    const address = getAddress(target.address)
    const node = inventory.nodes[address]
    const implementation = node?.implementation
    if (implementation) described.set(implementation, { target, proxy: address })
    else if (!described.has(address)) described.set(address, { target })
  }
  for (const edge of inventory.edges) if (edge.relation === 'implementation' && !described.has(edge.to) && inventory.nodes[edge.from]?.kind !== 'beacon') described.set(edge.to, { proxy: edge.from })
  for (const edge of inventory.edges) if (edge.relation === 'implementation' && !described.has(edge.to)) described.set(edge.to, {})

  const codes = await Promise.all(
    [...described.keys()].map((address) => requiredRead(client, 'eth_getCode', () => client.getCode({ address, blockNumber })).then((code) => [address, code] as const)),
  )
  const locate = createPackageLocator(root)
  const buildInfos = new Map<string, Promise<BuildInfo>>()
  const implementations: ImplementationFingerprint[] = []
  for (const [address, code] of codes) {
    const { target, proxy } = described.get(address)!
    const facts = bytecodeFacts(code)
    let fingerprint: SourceFingerprint | undefined
    let basis: ImplementationFingerprint['basis'] = 'bytecode'
    if (target?.buildInfo) {
      const file = path.resolve(root, target.buildInfo)
      if (!buildInfos.has(file)) buildInfos.set(file, readBuildInfo(file))
      fingerprint = fingerprintFromBuild(await buildInfos.get(file)!, target.source, code, createPackageLocator(root, path.dirname(file)))
      basis = 'build-info'
    } else if (target?.source) {
      fingerprint = await fingerprintSourceFile({ root, source: target.source, locate })
      basis = 'source'
    }
    implementations.push({
      chain,
      address,
      ...(proxy ? { proxy } : {}),
      ...(target?.name ? { name: target.name } : {}),
      basis,
      ...(fingerprint?.contract ? { contract: fingerprint.contract } : {}),
      ...facts,
      components: fingerprint?.components ?? [],
      sources: fingerprint?.sources ?? {},
      regions: fingerprint?.regions ?? [],
    })
  }
  onProgress(`${chain}: ${implementations.length} implementation(s) described`)
  return { chainId: inventory.chainId, blockNumber, implementations }
}

/** The project's `source` names the contract; its path may differ from the build's source unit name, so the bare name is tried next, then the code. */
function fingerprintFromBuild(buildInfo: BuildInfo, source: string | undefined, code: Hex | undefined, locate: PackageLocator): SourceFingerprint {
  const candidates = source ? [source, source.split(':')[1]].filter((name): name is string => Boolean(name)) : []
  for (const contract of candidates) {
    try {
      return fingerprintBuildInfo({ buildInfo, contract, locate })
    } catch (error) {
      if (!(error instanceof ArtifactNotFoundError)) throw error
    }
  }
  return fingerprintBuildInfo({ buildInfo, code, locate })
}
