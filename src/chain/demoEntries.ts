import type { Address } from 'viem'
import type { DemoProtocol } from './deployDemoProtocol.js'

/** The demo's named entry points, as the project file and the inventory see them. */
export function demoEntries(protocol: DemoProtocol) {
  return {
    contracts: [
      { name: 'LendingPool', address: protocol.lendingPool.proxy, proxy: 'uups' },
      { name: 'InterestRateModel', address: protocol.interestRateModel.proxy, proxy: 'transparent' },
      { name: 'AssetStakingVault', address: protocol.rewardsVaults.assetStaking, proxy: 'beacon-proxy' },
      { name: 'RewardStakingVault', address: protocol.rewardsVaults.rewardStaking, proxy: 'beacon-proxy' },
      { name: 'RewardsVaultBeacon', address: protocol.rewardsVaults.beacon, proxy: 'beacon' },
      { name: 'DemoUSD', address: protocol.tokens.asset, proxy: 'none' },
      { name: 'DemoReward', address: protocol.tokens.reward, proxy: 'none' },
      { name: 'ReleaseGate', address: protocol.releaseGate, proxy: 'none' },
      { name: 'CircuitBreaker', address: protocol.circuitBreaker.address, proxy: 'none' },
    ],
    authorities: [
      { name: 'Timelock', address: protocol.timelock, kind: 'timelock' },
      { name: 'GovernanceSafe', address: protocol.safe, kind: 'safe' },
      { name: 'ProxyAdmin', address: protocol.interestRateModel.proxyAdmin, kind: 'proxy-admin' },
      { name: 'Guardian', address: protocol.guardian, kind: 'guardian' },
      { name: 'PrivateTimelock', address: protocol.privateTimelock, kind: 'timelock' },
      { name: 'EmergencyPauseSeal', address: protocol.pauseSeal.address, kind: 'pauser' },
    ],
  } as const satisfies {
    contracts: readonly { name: string; address: Address; proxy: string }[]
    authorities: readonly { name: string; address: Address; kind: string }[]
  }
}

/** The demo's release governance, as the project file's `release` section (routes of issue 6). */
export function demoReleaseConfig(protocol: DemoProtocol) {
  return {
    releaseGate: protocol.releaseGate,
    create2Deployer: protocol.create2Deployer,
    routes: {
      standard: { safe: protocol.safe, timelock: protocol.timelock },
      emergency: { safe: protocol.securityCouncil.safe, multiSendCallOnly: protocol.safeInfrastructure.multiSendCallOnly },
      private: { safe: protocol.safe, timelock: protocol.privateTimelock },
    },
  } as const
}

/** Inventory roots: the protocol's user-facing contracts; their controllers are reached from them. */
export function demoInventoryRoots(protocol: DemoProtocol): Address[] {
  return [protocol.lendingPool.proxy, protocol.interestRateModel.proxy, protocol.rewardsVaults.assetStaking, protocol.rewardsVaults.rewardStaking]
}

