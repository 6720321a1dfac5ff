import type { FindingKind } from '../../src/validate/findings.js'
import type { StageId } from '../../src/validate/stage.js'
import { aaveCaseRoot, type AaveCase } from './aave/aavePatches.js'
import type { CorpusChain } from './corpusChain.js'
import type { CorpusPatch, CorpusTarget } from './manifestTemplate.js'

/**
 * The validation corpus: candidate patches to real protocols' published code (Aave V3 core from
 * `@aave/core-v3`, systems built on OpenZeppelin Contracts Upgradeable 4.9 and 5.4 from npm), each with
 * the verdict it must get and the reason: the exact set of blocking finding kinds. A case passes only
 * when Bulwark's verdict is that verdict for exactly that reason.
 */
export type CorpusCase = {
  id: string
  /** What the corpus list calls it. */
  category: string
  protocol: 'Aave V3 core 1.19.3' | 'OpenZeppelin 4.9 system' | 'OpenZeppelin 5.4 kit'
  /** Proxies patched, with their kind. */
  proxies: string
  /** The solc release the code was built with (the bundled one is 0.8.30). */
  compiler: string
  /** The change, in one line. */
  change: string
  /**
   * `reason`: the finding kind the case is about (absent for a pass); `blocking`: exactly the kinds of
   * all blocking findings (a defect can show in several ways, e.g. a reorder also moves later
   * variables); `errored`: stages that cannot run on this patch and why (none unless listed).
   */
  expected: { verdict: 'pass' | 'fail'; reason?: FindingKind | undefined; blocking: readonly FindingKind[]; errored?: readonly { stage: StageId; code: string }[] | undefined }
  /** Stages run (default every stage). */
  stages?: readonly StageId[] | undefined
  /** Why only these stages run (shown in the case table). */
  stagesNote?: string | undefined
  patch(chain: CorpusChain): CorpusPatch
}

const staticStages: readonly StageId[] = ['build', 'upgrade-safety', 'diff-review']
const aaveStagesNote =
  "static stages only: the dynamic stages cannot yet place an implementation with linked libraries and constructor arguments behind Aave's immutable-admin proxy"

const aavePool = '@aave/core-v3/contracts/protocol/pool/Pool.sol:Pool'
const aaveSettings = { optimizer: true, optimizerRuns: 100_000, evmVersion: 'london' }
const kit49Settings = { optimizer: true, optimizerRuns: 200 }
const oz5Settings = { optimizer: true, optimizerRuns: 200, evmVersion: 'cancun' }

function aavePoolTarget(chain: CorpusChain, name: AaveCase): CorpusTarget {
  return {
    name: 'AavePool',
    proxy: chain.suite.aave.pool,
    kind: undefined,
    // The patched upstream files shadow node_modules: the root holds only what the patch changes (aave/aavePatches.ts).
    implementation: { contract: aavePool, root: aaveCaseRoot(name), sources: ['@aave/core-v3/contracts/protocol/pool/Pool.sol'], settings: aaveSettings },
    reference: { buildInfo: chain.buildInfos.aaveV3, contract: aavePool },
  }
}

const oz49Patches = 'test/validation-corpus/oz49/Oz49Patches.sol'
const oz49 = {
  vault: (chain: CorpusChain, contract: string, file = oz49Patches): CorpusTarget => ({
    name: 'Vault49',
    proxy: chain.flash.vault.proxy,
    kind: 'uups',
    implementation: { contract, sources: [file], settings: kit49Settings },
    reference: { buildInfo: chain.buildInfos.flashVault, contract: 'test/fixtures/validate-oz4/FlashVault.sol:FlashVault' },
  }),
  oracle: (chain: CorpusChain, contract: string): CorpusTarget => ({
    name: 'Oracle49',
    proxy: chain.flash.oracle.proxy,
    kind: 'transparent',
    implementation: { contract, sources: [oz49Patches], settings: kit49Settings },
    reference: { buildInfo: chain.buildInfos.flashVault, contract: 'test/fixtures/validate-oz4/PriceOracle.sol:PriceOracle' },
  }),
  treasury: (chain: CorpusChain, contract: string): CorpusTarget => ({
    name: 'Treasury49',
    proxy: chain.flash.treasury.proxy,
    kind: 'beacon-proxy',
    implementation: { contract, sources: [oz49Patches], settings: kit49Settings },
    reference: { buildInfo: chain.buildInfos.flashVault, contract: 'test/fixtures/validate-oz4/Treasury.sol:Treasury' },
  }),
}

const oz5 = {
  vault: (chain: CorpusChain, contract: string, file = 'test/validation-corpus/oz5/Oz5Patches.sol', initializer?: CorpusTarget['initializer']): CorpusTarget => ({
    name: 'Vault5',
    proxy: chain.suite.oz5.vault.proxy,
    kind: 'uups',
    implementation: { contract, sources: [file], settings: oz5Settings },
    reference: { buildInfo: chain.buildInfos.oz5, contract: 'test/protocols/contracts/oz5/OzVault5.sol:OzVault5' },
    ...(initializer ? { initializer } : {}),
  }),
  oracle: (chain: CorpusChain, contract: string): CorpusTarget => ({
    name: 'Oracle5',
    proxy: chain.suite.oz5.oracle.proxy,
    kind: 'transparent',
    implementation: { contract, sources: ['test/validation-corpus/oz5/Oz5Patches.sol'], settings: oz5Settings },
    reference: { buildInfo: chain.buildInfos.oz5, contract: 'test/protocols/contracts/oz5/OzPriceOracle5.sol:OzPriceOracle5' },
  }),
  treasury: (chain: CorpusChain, contract: string): CorpusTarget => ({
    name: 'Treasury5',
    proxy: chain.suite.oz5.treasury.proxies[0]!,
    kind: 'beacon-proxy',
    implementation: { contract, sources: ['test/validation-corpus/oz5/Oz5Patches.sol'], settings: oz5Settings },
    reference: { buildInfo: chain.buildInfos.oz5, contract: 'test/protocols/contracts/oz5/OzTreasury5.sol:OzTreasury5' },
  }),
}

function flashDepositPoC(chain: CorpusChain): CorpusPatch['proofsOfConcept'] {
  return [
    {
      name: 'flash-loan-repaid-by-deposit',
      description: 'Borrow the whole vault, "repay" it with a deposit of the borrowed tokens, withdraw the deposit.',
      contract: {
        build: { contract: 'FlashDepositPoC', sources: ['test/fixtures/validate-oz4/pocs/FlashDepositPoC.sol'] },
        args: [chain.flash.vault.proxy, chain.flash.token],
        function: 'exploit',
        fund: [],
        profitToken: chain.flash.token,
      },
    },
  ]
}

export const corpusCases: readonly CorpusCase[] = [
  {
    id: 'aave-pool-correct-0.8.10',
    category: 'correct patch built with another solc than the bundled 0.8.30',
    protocol: 'Aave V3 core 1.19.3',
    proxies: 'Pool (Aave immutable-admin proxy)',
    compiler: '0.8.10 (from the chain metadata), runs 100000, london',
    change: 'Pool.sol: POOL_REVISION 0x1 → 0x2 (what Aave requires of any Pool patch)',
    expected: { verdict: 'pass', blocking: [] },
    stages: staticStages,
    stagesNote: aaveStagesNote,
    patch: (chain) => ({ id: 'CORPUS-AAVE-1', title: 'Aave Pool revision bump', targets: [aavePoolTarget(chain, 'correct')] }),
  },
  {
    id: 'aave-reserve-member-narrowed',
    category: 'type change: narrowed struct member',
    protocol: 'Aave V3 core 1.19.3',
    proxies: 'Pool (Aave immutable-admin proxy)',
    compiler: '0.8.10 (from the chain metadata), runs 100000, london',
    change: 'DataTypes.ReserveData.lastUpdateTimestamp uint40 → uint32 (mapping _reserves), ReserveLogic cast follows',
    expected: { verdict: 'fail', reason: 'storage-type-changed', blocking: ['storage-type-changed'] },
    stages: staticStages,
    stagesNote: aaveStagesNote,
    patch: (chain) => ({ id: 'CORPUS-AAVE-2', title: 'Aave reserve timestamp narrowed', targets: [aavePoolTarget(chain, 'narrowed-member')] }),
  },
  {
    id: 'aave-poolstorage-insert',
    category: 'storage insert',
    protocol: 'Aave V3 core 1.19.3',
    proxies: 'Pool (Aave immutable-admin proxy)',
    compiler: '0.8.10 (from the chain metadata), runs 100000, london',
    change: 'PoolStorage.sol: mapping _flashLoanBlocked inserted before _usersConfig',
    expected: { verdict: 'fail', reason: 'storage-variable-inserted', blocking: ['storage-layout-changed', 'storage-variable-inserted'] },
    stages: staticStages,
    stagesNote: aaveStagesNote,
    patch: (chain) => ({ id: 'CORPUS-AAVE-3', title: 'Aave flash-loan blocklist', targets: [aavePoolTarget(chain, 'storage-insert')] }),
  },
  {
    id: 'oz49-reorder',
    category: 'storage reorder',
    protocol: 'OpenZeppelin 4.9 system',
    proxies: 'FlashVault (UUPS)',
    compiler: '0.8.19 (from the chain metadata)',
    change: 'balanceOf and totalDeposits swapped',
    expected: { verdict: 'fail', reason: 'storage-layout-changed', blocking: ['replay-divergence', 'storage-layout-changed', 'storage-variable-deleted', 'storage-variable-inserted'] },
    patch: (chain) => ({ id: 'CORPUS-OZ49-2', title: 'Vault variables reordered', targets: [oz49.vault(chain, 'FlashVaultReordered', 'test/validation-corpus/oz49/FlashVaultReordered.sol')] }),
  },
  {
    id: 'oz49-beacon-selfdestruct',
    category: 'unsafe opcode (selfdestruct)',
    protocol: 'OpenZeppelin 4.9 system',
    proxies: 'Treasury (Beacon)',
    compiler: '0.8.19 (from the chain metadata)',
    change: 'new owner-only retire() that selfdestructs the implementation',
    expected: { verdict: 'fail', reason: 'unsafe-selfdestruct', blocking: ['selfdestruct-added', 'unsafe-selfdestruct'] },
    patch: (chain) => ({ id: 'CORPUS-OZ49-3', title: 'Treasury retirement', targets: [oz49.treasury(chain, 'TreasurySelfdestruct')] }),
  },
  {
    id: 'oz49-initial-values',
    category: 'unsafe initial value (initialized state variable, immutable)',
    protocol: 'OpenZeppelin 4.9 system',
    proxies: 'PriceOracle (Transparent, 4.9 ProxyAdmin)',
    compiler: '0.8.19 (from the chain metadata)',
    change: 'maxDeviationBps = 500 at declaration; immutable fallbackSource',
    expected: { verdict: 'fail', reason: 'unsafe-state-variable-assignment', blocking: ['unsafe-immutable-variable', 'unsafe-state-variable-assignment'] },
    patch: (chain) => ({ id: 'CORPUS-OZ49-4', title: 'Oracle deviation bound', targets: [oz49.oracle(chain, 'PriceOracleInitialValues')] }),
  },
  {
    id: 'oz49-three-proxies-correct',
    category: 'correct three-proxy patch (OZ 4.x upgrade forms)',
    protocol: 'OpenZeppelin 4.9 system',
    proxies: 'FlashVault (UUPS) + PriceOracle (Transparent) + Treasury (Beacon)',
    compiler: '0.8.19 (from the chain metadata)',
    change: 'storage-compatible changes to all three, released in one Safe → timelock batch',
    expected: { verdict: 'pass', blocking: [] },
    patch: (chain) => ({
      id: 'CORPUS-OZ49-5',
      title: 'Kit 4.9 maintenance release',
      targets: [oz49.vault(chain, 'FlashVaultPatched'), oz49.oracle(chain, 'PriceOraclePatched'), oz49.treasury(chain, 'TreasuryPatched')],
    }),
  },
  {
    id: 'oz5-three-proxies-correct-0.8.24',
    category: 'correct three-proxy patch built with another solc than the bundled 0.8.30',
    protocol: 'OpenZeppelin 5.4 kit',
    proxies: 'OzVault5 (UUPS) + OzPriceOracle5 (Transparent) + OzTreasury5 (Beacon)',
    compiler: '0.8.24 (from the chain metadata), cancun',
    change: 'storage-compatible changes to all three, released in one Safe → timelock batch',
    expected: { verdict: 'pass', blocking: [] },
    patch: (chain) => ({
      id: 'CORPUS-OZ5-1',
      title: 'Kit 5.4 maintenance release',
      targets: [oz5.vault(chain, 'OzVault5Patched'), oz5.oracle(chain, 'OzPriceOracle5Patched'), oz5.treasury(chain, 'OzTreasury5Patched')],
    }),
  },
  {
    id: 'oz5-namespace-narrowed',
    category: 'type change in an ERC-7201 namespace',
    protocol: 'OpenZeppelin 5.4 kit',
    proxies: 'OzVault5 (UUPS)',
    compiler: '0.8.24 (from the chain metadata), cancun',
    change: 'namespace bulwark.kit.OzVault5: totalDeposits uint256 → uint128',
    expected: { verdict: 'fail', reason: 'storage-type-changed', blocking: ['storage-type-changed'] },
    patch: (chain) => ({ id: 'CORPUS-OZ5-7', title: 'Vault deposits narrowed', targets: [oz5.vault(chain, 'OzVault5NamespaceNarrowed', 'test/validation-corpus/oz5/OzVault5NamespaceNarrowed.sol')] }),
  },
  {
    id: 'oz5-upgrade-path-removed',
    category: 'upgrade path removed',
    protocol: 'OpenZeppelin 5.4 kit',
    proxies: 'OzVault5 (UUPS)',
    compiler: '0.8.24 (from the chain metadata), cancun',
    change: 'UUPSUpgradeable dropped from the vault',
    expected: { verdict: 'fail', reason: 'uups-upgrade-path-lost', blocking: ['rehearsal-release-failed', 'upgrade-reverted', 'uups-upgrade-path-lost'] },
    patch: (chain) => ({ id: 'CORPUS-OZ5-2', title: 'Vault without UUPS', targets: [oz5.vault(chain, 'OzVault5NoUpgrade', 'test/validation-corpus/oz5/OzVault5NoUpgrade.sol')] }),
  },
  {
    id: 'oz5-reinitializer-not-called',
    category: 'unprotected reinitializer, no atomic initializer call',
    protocol: 'OpenZeppelin 5.4 kit',
    proxies: 'OzVault5 (UUPS)',
    compiler: '0.8.24 (from the chain metadata), cancun',
    change: 'initializeV2(address) reinitializer(2) without access control; the release does not call it',
    expected: { verdict: 'fail', reason: 'initializer-unprotected', blocking: ['initializer-unprotected'] },
    patch: (chain) => ({ id: 'CORPUS-OZ5-3', title: 'Vault fee recipient', targets: [oz5.vault(chain, 'OzVault5FeeRecipient')] }),
  },
  {
    id: 'oz5-reinitializer-called-atomically',
    category: 'unprotected reinitializer, called atomically by the release',
    protocol: 'OpenZeppelin 5.4 kit',
    proxies: 'OzVault5 (UUPS)',
    compiler: '0.8.24 (from the chain metadata), cancun',
    change: 'the same initializeV2(address), called in upgradeToAndCall',
    expected: { verdict: 'pass', blocking: [] },
    patch: (chain) => ({
      id: 'CORPUS-OZ5-4',
      title: 'Vault fee recipient',
      targets: [oz5.vault(chain, 'OzVault5FeeRecipient', undefined, { function: 'initializeV2', args: [chain.suite.governance.timelock] })],
    }),
  },
  {
    id: 'oz5-implementation-initializable',
    category: 'implementation left initializable',
    protocol: 'OpenZeppelin 5.4 kit',
    proxies: 'OzVault5 (UUPS)',
    compiler: '0.8.24 (from the chain metadata), cancun',
    change: 'the constructor calling _disableInitializers() removed',
    expected: { verdict: 'fail', reason: 'implementation-initializable', blocking: ['implementation-initializable'] },
    patch: (chain) => ({ id: 'CORPUS-OZ5-5', title: 'Vault without constructor', targets: [oz5.vault(chain, 'OzVault5Initializable', 'test/validation-corpus/oz5/OzVault5Initializable.sol')] }),
  },
  {
    id: 'oz5-privileged-unprotected',
    category: 'new unprotected privileged function',
    protocol: 'OpenZeppelin 5.4 kit',
    proxies: 'OzVault5 (UUPS)',
    compiler: '0.8.24 (from the chain metadata), cancun',
    change: 'recoverOwnership(address) without access control',
    expected: { verdict: 'fail', reason: 'privileged-function-unprotected', blocking: ['privileged-function-unprotected'] },
    patch: (chain) => ({ id: 'CORPUS-OZ5-6', title: 'Vault ownership recovery', targets: [oz5.vault(chain, 'OzVault5OwnershipRecovery')] }),
  },
  {
    id: 'flash-exploit-still-works',
    category: 'exploit still works',
    protocol: 'OpenZeppelin 4.9 system',
    proxies: 'FlashVault (UUPS)',
    compiler: '0.8.19 (from the chain metadata)',
    change: 'guards nested flash loans only; a deposit still repays a loan',
    expected: { verdict: 'fail', reason: 'poc-still-exploitable', blocking: ['poc-still-exploitable'] },
    patch: (chain) => ({ id: 'CORPUS-FLASH-1', title: 'Flash loan repaid by deposit', targets: [oz49.vault(chain, 'FlashVaultNestedLoanGuard')], proofsOfConcept: flashDepositPoC(chain) }),
  },
  {
    id: 'flash-integrator-regression',
    category: 'regression visible only through an integrator',
    protocol: 'OpenZeppelin 4.9 system',
    proxies: 'FlashVault (UUPS)',
    compiler: '0.8.19 (from the chain metadata)',
    change: 'fixes the exploit, but only EOAs may borrow: the arbitrage bot\'s flash loans revert',
    expected: { verdict: 'fail', reason: 'replay-divergence', blocking: ['replay-divergence'] },
    patch: (chain) => ({ id: 'CORPUS-FLASH-2', title: 'Flash loan repaid by deposit', targets: [oz49.vault(chain, 'FlashVaultEoaOnlyLoans')], proofsOfConcept: flashDepositPoC(chain) }),
  },
]
