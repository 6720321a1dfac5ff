import type { AdvisoryComponents } from './osvSchema.js'

/**
 * What OSV does not say: which files and functions of the package each OpenZeppelin advisory is
 * about, so a contract that merely ships with a vulnerable package version but never compiles
 * the affected file is not flagged. Paths are relative to the package root; the upgradeable
 * package's `…Upgradeable.sol` twins match too (see `sameComponentFile`). Read from the fix
 * commits and release notes linked in each advisory.
 */
const uups: AdvisoryComponents = {
  files: ['proxy/utils/UUPSUpgradeable.sol'],
  functions: ['upgradeTo(address)', 'upgradeToAndCall(address,bytes)'],
  selectors: ['0x3659cfe6', '0x4f1ef286'],
  bytecode: {
    selectors: ['0x3659cfe6', '0x4f1ef286'],
    // "ERC1967Upgrade: upgrade breaks f…": the rollback test of 4.1–4.4 UUPS upgrades.
    fragments: ['0x45524331393637557067726164653a207570677261646520627265616b732066'],
    // "Function must be called through …": the onlyProxy guard added by the 4.3.2 fix.
    absentFragments: ['0x46756e6374696f6e206d7573742062652063616c6c6564207468726f75676820'],
    note: 'upgradeTo/upgradeToAndCall with the 4.1–4.4 rollback test and without the 4.3.2 onlyProxy guard',
  },
}

export const openzeppelinComponents: Readonly<Record<string, AdvisoryComponents>> = {
  'GHSA-5vp3-v4hc-gx76': uups,
  'GHSA-q4h9-46xg-m3x9': uups,
  'GHSA-wmpv-c2jp-j2xg': { files: ['token/ERC1155/extensions/ERC1155Supply.sol'], functions: ['_beforeTokenTransfer', 'totalSupply(uint256)'], selectors: [] },
  'GHSA-4g63-c64m-25w9': { files: ['utils/cryptography/SignatureChecker.sol'], functions: ['isValidSignatureNow(address,bytes32,bytes)'], selectors: [] },
  'GHSA-qh9x-gcfh-pcrw': { files: ['utils/introspection/ERC165Checker.sol'], functions: ['supportsInterface', 'supportsERC165InterfaceUnchecked'], selectors: [] },
  'GHSA-7grf-83vw-6f5x': { files: ['utils/introspection/ERC165Checker.sol'], functions: ['supportsERC165InterfaceUnchecked'], selectors: [] },
  'GHSA-xrc4-737v-9q75': { files: ['governance/extensions/GovernorVotesQuorumFraction.sol'], functions: ['quorum(uint256)', 'updateQuorumNumerator(uint256)'], selectors: [] },
  'GHSA-4h98-2769-gh6h': { files: ['utils/cryptography/ECDSA.sol'], functions: ['recover(bytes32,bytes)', 'tryRecover(bytes32,bytes)'], selectors: [] },
  'GHSA-mx2q-35m2-x2rh': { files: ['proxy/transparent/TransparentUpgradeableProxy.sol'], functions: ['_fallback()'], selectors: [] },
  'GHSA-93hq-5wgc-jc82': {
    files: ['governance/compatibility/GovernorCompatibilityBravo.sol'],
    functions: ['propose(address[],uint256[],string[],bytes[],string)'],
    selectors: ['0xda95691a'],
  },
}
