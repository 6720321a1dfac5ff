import { readFileSync } from 'node:fs'
import path from 'node:path'
import { getAddress, parseAbi, parseUnits } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDevClient, createReadClient } from '../../src/chain/clients.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { TimelockOperationError } from '../../src/chain/errors.js'
import { startAnvil, type Anvil } from '../../src/chain/startAnvil.js'
import { aavePoolAbi, deployAavePoolImplementation, deployAaveV3, seedAaveV3, upgradeAavePool, type AaveV3Kit } from './aaveV3.js'
import { repoRoot, type KitBuild } from './compileKit.js'
import { compileAaveV3, compileGovernance, compileKitContracts, compileUniswapV2 } from './compileProtocols.js'
import { kitAccountIndices } from './kitGovernance.js'
import { getErc1967Implementation } from './ozUpgradeable49.js'

const poolSource = '@aave/core-v3/contracts/protocol/pool/Pool.sol'
let anvil: Anvil
let kit: AaveV3Kit
let original: KitBuild
let patched: KitBuild

beforeAll(async () => {
  original = await compileAaveV3()
  const text = readFileSync(path.join(repoRoot, 'node_modules', poolSource), 'utf8')
  // The smallest valid Aave patch: the same Pool with its revision bumped (the provider re-runs initialize).
  const bumped = text.replace('uint256 public constant POOL_REVISION = 0x1;', 'uint256 public constant POOL_REVISION = 0x2;')
  expect(bumped).not.toBe(text)
  patched = await compileAaveV3({ overrides: { [poolSource]: bumped } })
  anvil = await startAnvil()
  kit = await deployAaveV3(anvil, { builds: { aaveV3: original, uniswapV2: await compileUniswapV2(), kitContracts: await compileKitContracts(), governance: await compileGovernance() } })
  await seedAaveV3(anvil, kit)
}, 600_000)
afterAll(async () => {
  await anvil?.stop()
})

describe('Aave V3 kit: a Pool patch released through the Safe and the timelock', () => {
  const revisionAbi = parseAbi(['function POOL_REVISION() view returns (uint256)'])

  it('compiles the patched Pool with the same solc and settings as the original', () => {
    expect(patched.solcVersion).toBe('0.8.10')
    expect(patched.buildInfo.input.settings).toEqual(original.buildInfo.input.settings)
    expect(patched.buildInfoPath).not.toBe(original.buildInfoPath)
  })

  it('rejects an implementation whose revision is not higher, and upgrades to the bumped one keeping every position', async () => {
    const reader = createReadClient({ rpcUrl: anvil.rpcUrl })
    const same = await deployAavePoolImplementation(anvil, { build: original, addressesProvider: kit.addressesProvider })
    // VersionedInitializable: "Contract instance has already been initialized" from the proxy's initialize call.
    await expect(upgradeAavePool(anvil, kit, same.implementation)).rejects.toThrow(TimelockOperationError)

    const debtBefore = (await reader.readContract({ address: kit.pool, abi: aavePoolAbi, functionName: 'getUserAccountData', args: [devAccount(kitAccountIndices.actors[1]!).address] }))[1]
    const { implementation } = await deployAavePoolImplementation(anvil, { build: patched, addressesProvider: kit.addressesProvider })
    await upgradeAavePool(anvil, kit, implementation)
    expect(await getErc1967Implementation(reader, kit.pool)).toBe(getAddress(implementation))
    expect(await reader.readContract({ address: kit.pool, abi: revisionAbi, functionName: 'POOL_REVISION' })).toBe(2n)
    const debtAfter = (await reader.readContract({ address: kit.pool, abi: aavePoolAbi, functionName: 'getUserAccountData', args: [devAccount(kitAccountIndices.actors[1]!).address] }))[1]
    expect(debtAfter).toBeGreaterThanOrEqual(debtBefore)

    const user = createDevClient({ ...anvil, account: devAccount(kitAccountIndices.actors[0]!) })
    const hash = await user.writeContract({ address: kit.pool, abi: aavePoolAbi, functionName: 'supply', args: [kit.reserves.usdx.asset, parseUnits('10', 6), user.account.address, 0] })
    expect((await user.waitForTransactionReceipt({ hash })).status).toBe('success')
  })
})
