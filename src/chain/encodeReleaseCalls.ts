import { encodeFunctionData, type Address, type Hex } from 'viem'
import { releaseGateAbi } from './releaseGateAbi.js'
import type { TimelockCall } from './scheduleAndExecuteViaSafe.js'

/** How the gate upgrades: 0 UUPS (`upgradeToAndCall` on the proxy), 1 Transparent (via the ProxyAdmin), 2 Beacon (`upgradeTo` on the beacon). */
export const upgradeKinds = { uups: 0, transparent: 1, beacon: 2 } as const
export type UpgradeKindName = keyof typeof upgradeKinds

export type ReleaseUpgrade = {
  kind: UpgradeKindName
  /** The proxy, or the beacon for a beacon upgrade. */
  proxy: Address
  /** The ProxyAdmin of a Transparent proxy; ignored otherwise. */
  admin?: Address | undefined
  implementation: Address
  /** Initializer calldata run through the proxy after the upgrade (not for beacons). */
  data?: Hex | undefined
}

export type EncodeReleaseCallsParameters = {
  gate: Address
  patchId: Hex
  reportHash: Hex
  /** Approved runtime codehash of each upgrade's implementation, in the same order as `upgrades`. */
  codehashes: readonly Hex[]
  upgrades: readonly ReleaseUpgrade[]
  /** Auditors' `signReleaseAttestation` signatures. */
  signatures: readonly Hex[]
}

/**
 * The two gate calls of a release, to run in one timelock batch (atomic): `approvePatch` records the
 * report hash, codehashes and attestations, `release` runs every upgrade or none.
 */
export function encodeReleaseCalls({ gate, patchId, reportHash, codehashes, upgrades, signatures }: EncodeReleaseCallsParameters): [TimelockCall, TimelockCall] {
  const approve = encodeFunctionData({ abi: releaseGateAbi, functionName: 'approvePatch', args: [patchId, reportHash, [...codehashes], [...signatures]] })
  const release = encodeFunctionData({
    abi: releaseGateAbi,
    functionName: 'release',
    args: [
      patchId,
      upgrades.map((upgrade) => ({
        kind: upgradeKinds[upgrade.kind],
        proxy: upgrade.proxy,
        admin: upgrade.admin ?? '0x0000000000000000000000000000000000000000',
        implementation: upgrade.implementation,
        data: upgrade.data ?? '0x',
      })),
    ],
  })
  return [
    { target: gate, data: approve },
    { target: gate, data: release },
  ]
}
