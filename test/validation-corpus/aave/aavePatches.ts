import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { repoRoot } from '../../protocols/compileKit.js'

/**
 * The Aave corpus cases as patches to the published `@aave/core-v3` sources: each case lists only the
 * lines it changes (marked `BULWARK-CORPUS:`). `aaveCaseRoot` applies them to the package in
 * node_modules and writes the changed files to a scratch root that shadows node_modules for the
 * build, so the manifest still compiles plain files, as a team's checkout would hold them.
 */
type SourceEdit = {
  /** Source unit name under node_modules (`@aave/core-v3/contracts/…`). */
  file: string
  /** Upstream text, which must occur exactly once in the file (a new package version that moves it fails loudly). */
  find: string
  replace: string
}

const pool = '@aave/core-v3/contracts/protocol/pool/Pool.sol'
const versionedInitializable = '@aave/core-v3/contracts/protocol/libraries/aave-upgradeability/VersionedInitializable.sol'

/** What every Aave case needs: upgrades-core's review annotations on Aave's upstream design, and the revision bump that makes it an upgrade. */
const aaveBase: readonly SourceEdit[] = [
  {
    file: versionedInitializable,
    find: 'abstract contract VersionedInitializable {\n  /**\n   * @dev Indicates that the contract has been initialized.\n   */',
    replace:
      "abstract contract VersionedInitializable {\n  // BULWARK-CORPUS: review annotation added below (Aave's upstream initial value)\n  /**\n   * @dev Indicates that the contract has been initialized.\n   * @custom:oz-upgrades-unsafe-allow state-variable-assignment\n   */",
  },
  {
    file: pool,
    find: '\ncontract Pool is VersionedInitializable',
    replace:
      "\n// BULWARK-CORPUS: review annotation added (the unsafe patterns are Aave's upstream design)\n/// @custom:oz-upgrades-unsafe-allow constructor state-variable-immutable external-library-linking\ncontract Pool is VersionedInitializable",
  },
  {
    file: pool,
    find: 'uint256 public constant POOL_REVISION = 0x1;',
    replace: 'uint256 public constant POOL_REVISION = 0x2; // BULWARK-CORPUS: the patch bumps the revision (0x1 -> 0x2)',
  },
]

/** Each case's own change, on top of `aaveBase`. */
export const aaveCasePatches = {
  correct: [],
  'narrowed-member': [
    {
      file: '@aave/core-v3/contracts/protocol/libraries/types/DataTypes.sol',
      find: '    uint40 lastUpdateTimestamp;',
      replace: '    // BULWARK-CORPUS: narrowed from uint40 to uint32 (the defect under test)\n    uint32 lastUpdateTimestamp;',
    },
    {
      file: '@aave/core-v3/contracts/protocol/libraries/logic/ReserveLogic.sol',
      find: 'reserve.lastUpdateTimestamp = uint40(block.timestamp);',
      replace: 'reserve.lastUpdateTimestamp = uint32(block.timestamp); // BULWARK-CORPUS: follows the narrowed member',
    },
  ],
  'storage-insert': [
    {
      file: '@aave/core-v3/contracts/protocol/pool/PoolStorage.sol',
      find: '  // Map of users address and their configuration data (userAddress => userConfiguration)\n',
      replace:
        '  // Map of users address and their configuration data (userAddress => userConfiguration)\n  // BULWARK-CORPUS: a variable inserted before existing ones (the defect under test)\n  mapping(address => bool) internal _flashLoanBlocked;\n\n',
    },
  ],
} as const satisfies Record<string, readonly SourceEdit[]>

export type AaveCase = keyof typeof aaveCasePatches

const require = createRequire(path.join(repoRoot, 'package.json'))

/**
 * The root for an Aave case's build: `node_modules/.cache/bulwark-validation-corpus/aave/<case>`,
 * holding the patched files only (imports of everything else resolve from the node_modules above
 * it). Files are rewritten only when their content changed, so concurrent runs read whole files.
 *
 * @throws Error when an edit's upstream text is not found exactly once.
 */
export function aaveCaseRoot(name: AaveCase): string {
  const root = path.join(repoRoot, 'node_modules', '.cache', 'bulwark-validation-corpus', 'aave', name)
  const files = new Map<string, string>()
  for (const edit of [...aaveBase, ...aaveCasePatches[name]]) {
    const text = files.get(edit.file) ?? readFileSync(require.resolve(edit.file), 'utf8')
    const at = text.indexOf(edit.find)
    if (at < 0 || text.indexOf(edit.find, at + 1) >= 0) {
      throw new Error(`Aave corpus case ${name}: ${edit.file} must contain ${JSON.stringify(edit.find.trim().split('\n')[0])} exactly once (found ${at < 0 ? 'none' : 'several'})`)
    }
    files.set(edit.file, text.slice(0, at) + edit.replace + text.slice(at + edit.find.length))
  }
  for (const [file, content] of files) {
    const target = path.join(root, file)
    let current: string | undefined
    try {
      current = readFileSync(target, 'utf8')
    } catch {
      current = undefined
    }
    if (current === content) continue
    mkdirSync(path.dirname(target), { recursive: true })
    const scratch = `${target}.${process.pid}.tmp`
    writeFileSync(scratch, content)
    // rename is atomic: a concurrent reader sees the old file or the new one, never half of one.
    renameSync(scratch, target)
  }
  return root
}
