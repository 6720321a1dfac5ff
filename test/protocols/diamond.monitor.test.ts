import { encodeFunctionData } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDevClient, createReadClient, type ReadClient } from '../../src/chain/clients.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { startAnvil, type Anvil } from '../../src/chain/startAnvil.js'
import { createDetectors } from '../../src/monitor/detectors/createDetectors.js'
import { grownContracts } from '../../src/monitor/detectors/traceIndex.js'
import { processNewBlocks } from '../../src/monitor/sources/processNewBlocks.js'
import { readDiamondFacets, withDiamondFacets } from '../../src/monitor/sources/withDiamondFacets.js'
import type { MonitorScope } from '../../src/monitor/types.js'
import { openStore, type Store } from '../../src/store/openStore.js'
import { kitArtifact, type KitBuild } from './compileKit.js'
import { compileGovernance } from './compileProtocols.js'
import { compileDiamondKit, deployDiamondKit, encodeDiamondCut, facetCut, selectorsOf, type DiamondKit } from './diamond.js'
import { deployKitGovernance, executeViaGovernance, kitAccountIndices, sendKitCall, type KitGovernance } from './kitGovernance.js'

const chain = { id: 31337, name: 'anvil' }
let anvil: Anvil
let reader: ReadClient
let store: Store
let build: KitBuild
let governance: KitGovernance
let governed: DiamondKit
let keyOwned: DiamondKit

beforeAll(async () => {
  ;[build, anvil] = await Promise.all([compileDiamondKit(), startAnvil()])
  const governanceBuild = await compileGovernance()
  reader = createReadClient({ rpcUrl: anvil.rpcUrl, timeoutMs: 60_000 })
  store = await openStore({ dataDir: 'memory://' })
  governance = await deployKitGovernance(anvil, { governanceBuild })
  governed = await deployDiamondKit(anvil, { build, governance })
  keyOwned = await deployDiamondKit(anvil, { build, governance, keepDeployerOwner: true })
  // everything so far is history the monitor does not judge
  await processNewBlocks({ client: reader as never, store, chain, detectors: [], scope: { contracts: [], releaseGates: [], authorities: [] }, memory: new Map() })
}, 600_000)
afterAll(async () => {
  await store?.close()
  await anvil?.stop()
})

describe('monitoring the reference diamond', () => {
  test('the watched set covers every facet; a governance cut is approved and its facet joins; a cut by the owner key alone is an alert', async () => {
    const base: MonitorScope = { contracts: [governed.diamond, keyOwned.diamond, governance.timelock], releaseGates: [], authorities: [governance.timelock, governance.safe] }
    const facets = await readDiamondFacets(reader, { contracts: base.contracts })
    expect([...facets.keys()]).toEqual([governed.diamond, keyOwned.diamond])
    const scope = withDiamondFacets(base, facets)
    for (const kit of [governed, keyOwned]) for (const facet of [kit.cutFacet, kit.loupeFacet, kit.ownershipFacet]) expect(scope.contracts).toContain(facet)
    expect(scope.contracts).not.toContain(governed.vaultFacet)

    const detectors = createDetectors()
    const pass = async () => (await processNewBlocks({ client: reader as never, store, chain, detectors, scope, memory: new Map() })).alerts
    const vaultSelectors = selectorsOf(kitArtifact(build, 'DiamondVaultFacet').abi)
    const init = encodeFunctionData({ abi: kitArtifact(build, 'DiamondERC165Init').abi, functionName: 'setERC165', args: [[], []] })

    await executeViaGovernance(anvil, governance, [{ target: governed.diamond, data: encodeDiamondCut([facetCut(governed.vaultFacet, 'add', vaultSelectors)], governed.erc165Init, init) }])
    expect((await pass()).filter((alert) => alert.detector === 'unapproved-upgrade')).toEqual([])
    expect(grownContracts(scope).map(({ address, reason }) => [address, reason])).toContainEqual([governed.vaultFacet, `facet of ${governed.diamond} cut in through governance`])

    const ownerKey = createDevClient({ ...anvil, account: devAccount(kitAccountIndices.deployer) })
    await sendKitCall(ownerKey, 'diamondCut by the owner key', {
      address: keyOwned.diamond,
      abi: kitArtifact(build, 'DiamondCutFacet').abi,
      functionName: 'diamondCut',
      args: [[facetCut(keyOwned.vaultFacet, 'add', vaultSelectors)], keyOwned.erc165Init, init],
    })
    const alerts = (await pass()).filter((alert) => alert.detector === 'unapproved-upgrade')
    expect(alerts.map((alert) => [alert.evidence['event'], alert.evidence['proxy'], alert.evidence['newValue']])).toEqual([['DiamondCut', keyOwned.diamond, keyOwned.erc165Init]])
    expect(alerts[0]?.severity).toBe('critical')
    expect(grownContracts(scope).map(({ address }) => address)).not.toContain(keyOwned.vaultFacet)
  }, 300_000)
})
