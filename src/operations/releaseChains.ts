import type { Address, LocalAccount } from 'viem'
import { connectChain, type ConnectChainReturnType } from '../chain/connectChain.js'
import type { ProjectRelease } from '../config/projectSchema.js'
import type { Patch } from '../lifecycle/types.js'
import type { ReleaseRouteName } from '../release/plan.js'
import { MultiChainChainMismatchError, MultiChainChainMissingError } from '../release/multiChainErrors.js'

/**
 * How the protocol is paused on one chain while the fix is public elsewhere: a pauser key calls
 * `pause` on `target`; `paused` reads the state back; the release batch ends with `unpause`
 * (made by the chain's timelock or Safe, which must be allowed to). Signatures are Solidity
 * function signatures, so any protocol's pause is configuration.
 */
export type ChainPause = {
  target: Address
  /** Default `pause()`. */
  pause?: string | undefined
  /** Default `unpause()`; appended to the release batch so the chain reopens atomically with its fix. */
  unpause?: string | undefined
  /** A view returning bool; default `paused()`. */
  paused?: string | undefined
}

/** One chain of a multi-chain release: where to reach it and how its governance releases and pauses. */
export type ReleaseChain = {
  chainId: number
  rpcUrl: string
  /** The chain's ReleaseGate, Create2Deployer and route governance (the project file's `release` shape). */
  release?: ProjectRelease | undefined
  /** Default: the patch's route. */
  route?: ReleaseRouteName | undefined
  pause?: ChainPause | undefined
}

/** The key a chain's per-chain release plan is stored under (`releases.patch_id`): `PATCH-3@31337`. */
export function chainReleaseId(patchId: string, chainId: number): string {
  return `${patchId}@${chainId}`
}

/** The lifecycle patch a release id belongs to: `PATCH-3@31337` (one chain of a multi-chain patch) and `PATCH-3` are PATCH-3's. */
export function releasePatchId(releaseId: string): string {
  return /^(.+)@\d+$/.exec(releaseId)?.[1] ?? releaseId
}

/** The chain ids a patch targets, in the order its targets name them (a target's `chain` is the chain id as text). */
export function patchChainIds(patch: Pick<Patch, 'id' | 'targets'>): number[] {
  const ids: number[] = []
  for (const target of patch.targets) {
    const id = Number(target.chain)
    if (target.chain === undefined || !Number.isSafeInteger(id) || id <= 0) {
      throw new MultiChainChainMissingError({ patchId: patch.id, missing: [], extra: [], where: `its target ${target.proxy} (chain ${target.chain === undefined ? 'not set' : `"${target.chain}"`}: a multi-chain patch names each target's chain id)` })
    }
    if (!ids.includes(id)) ids.push(id)
  }
  return ids
}

/**
 * Puts the given chains in the patch's chain order and checks they are exactly the patch's chains.
 * @throws {MultiChainChainMissingError} a patch chain has no entry, or an entry is not a patch chain.
 */
export function matchPatchChains<T extends { chainId: number }>(patch: Pick<Patch, 'id' | 'targets'>, given: readonly T[], where: string): T[] {
  const wanted = patchChainIds(patch)
  const missing = wanted.filter((id) => !given.some((entry) => entry.chainId === id))
  const extra = given.map((entry) => entry.chainId).filter((id) => !wanted.includes(id))
  if (missing.length + extra.length > 0) throw new MultiChainChainMissingError({ patchId: patch.id, missing, extra, where })
  return wanted.map((id) => given.find((entry) => entry.chainId === id)!)
}

/** Connects to a chain's RPC and checks it is that chain. @throws {MultiChainChainMismatchError} */
export async function connectReleaseChain(chain: Pick<ReleaseChain, 'chainId' | 'rpcUrl'>): Promise<ConnectChainReturnType> {
  const connected = await connectChain({ rpcUrl: chain.rpcUrl })
  if (connected.chainId !== chain.chainId) throw new MultiChainChainMismatchError({ expected: chain.chainId, actual: connected.chainId })
  return connected
}

/** Keys that send pauses, by chain id (the chain's guardian or pauser). */
export type ChainPausers = Readonly<Record<number, LocalAccount>>
