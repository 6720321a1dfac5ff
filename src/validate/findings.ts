import type { Finding, StageId } from './stage.js'

/**
 * Every kind of finding the pipeline can report. Adding a kind here without a row in
 * `findingMessages` does not compile, so no finding reaches a report without a title,
 * a severity and a hint.
 */
export const findingKinds = [
  // build
  'build-not-reproducible',
  'initializer-invalid',
  // upgrade safety against the chain
  'proxy-not-found',
  'proxy-kind-mismatch',
  'reference-missing',
  'reference-mismatch',
  'reference-metadata-mismatch',
  'unsafe-delegatecall',
  'unsafe-selfdestruct',
  'unsafe-constructor',
  'unsafe-state-variable-assignment',
  'unsafe-immutable-variable',
  'unsafe-external-library-linking',
  'unsafe-internal-function-storage',
  'unsafe-struct-or-enum',
  'initializer-missing',
  'initializer-call-missing',
  'initializer-call-duplicate',
  'initializer-call-order',
  'storage-variable-inserted',
  'storage-variable-deleted',
  'storage-variable-replaced',
  'storage-variable-renamed',
  'storage-type-changed',
  'storage-layout-changed',
  'storage-gap-misused',
  'storage-namespace-deleted',
  'uups-upgrade-path-lost',
  'transparent-selector-clash',
  'runtime-size-exceeded',
  // diff review
  'abi-function-added',
  'abi-function-removed',
  'abi-function-changed',
  'abi-event-added',
  'abi-event-removed',
  'abi-event-changed',
  'abi-error-added',
  'abi-error-removed',
  'abi-error-changed',
  'storage-variable-appended',
  'access-control-added',
  'access-control-removed',
  'external-call-added',
  'delegatecall-added',
  'selfdestruct-added',
  // fork rehearsal (part B)
  'rehearsal-release-failed',
  'rehearsal-not-atomic',
  'rehearsal-implementation-mismatch',
  'rehearsal-signer-impersonated',
  // any stage that upgrades on a fork (initializer safety, differential replay)
  'upgrade-reverted',
  // exploit replay (part B)
  'poc-still-exploitable',
  'poc-not-reproduced',
  'poc-protocol-loss',
  // regression (part B)
  'regression-failed',
  'regression-failing-before-patch',
  'invariant-violated',
  'invariant-changed',
  'invariant-violated-before-patch',
  // differential replay (part B)
  'replay-divergence',
  'replay-divergence-expected',
  'replay-unfaithful',
  'replay-expected-unused',
  // prover and differential fuzzing (issue 10)
  'formal-proved',
  'formal-violated',
  'formal-violated-before-patch',
  'formal-unknown',
  'formal-not-run',
  'fuzz-divergence',
  // initializer safety (issue 15)
  'initializer-unprotected',
  'privileged-function-unprotected',
  'implementation-initializable',
  'initializer-front-runnable',
  'privileged-write-unconfirmed',
  // diamond cut (issue 19)
  'diamond-not-found',
  'diamond-cut-invalid',
  'diamond-storage-collision',
  'diamond-selector-clash',
  'diamond-selector-removed-in-use',
  'diamond-init-unaudited',
] as const

export type FindingKind = (typeof findingKinds)[number]

/**
 * `critical` and `high` block the patch (the verdict fails, `bulwark validate` exits non-zero);
 * `medium`, `low` and `info` are for the reviewer and never block.
 */
export const severities = ['critical', 'high', 'medium', 'low', 'info'] as const
export type Severity = (typeof severities)[number]

export function isBlocking(severity: Severity): boolean {
  return severity === 'critical' || severity === 'high'
}

export type FindingMessage = {
  /** Short, stable title (report headings, SARIF rule names). */
  title: string
  severity: Severity
  /** What to do about it. */
  hint: string
}

const storageHint =
  'Existing proxies keep their storage: keep every variable of the current implementation in place with its type, and add new ones only at the end (or in a new ERC-7201 namespace).'

export const findingMessages = {
  'build-not-reproducible': {
    title: 'Build is not reproducible',
    severity: 'high',
    hint: 'A second compilation of the same input gave different bytecode. Pin the compiler and settings; remove non-determinism (e.g. unpinned imports) before approval.',
  },
  'initializer-invalid': {
    title: 'Initializer call cannot be encoded',
    severity: 'critical',
    hint: 'The manifest names an initializer function or arguments that the new implementation\'s ABI does not accept. Fix `initializer` in the manifest.',
  },
  'proxy-not-found': {
    title: 'No ERC-1967 proxy at target address',
    severity: 'critical',
    hint: 'The target address is not an ERC-1967 proxy on this chain at the pinned block. Check the address and the RPC URL.',
  },
  'proxy-kind-mismatch': {
    title: 'Proxy kind differs from the manifest',
    severity: 'high',
    hint: 'The manifest declares one proxy kind but the chain shows another; the upgrade route (UUPS vs ProxyAdmin vs beacon) would be wrong.',
  },
  'reference-missing': {
    title: 'No reference build for the current implementation',
    severity: 'high',
    hint: 'Without the build of the code on chain, storage layout cannot be compared. Add `reference` to the target or `@custom:oz-upgrades-from <Contract>` to the new implementation.',
  },
  'reference-mismatch': {
    title: 'Reference build does not match the code on chain',
    severity: 'critical',
    hint: 'The runtime code at the current implementation differs from the reference build, so every storage and diff check would compare against the wrong contract. Find the exact sources and settings that were deployed.',
  },
  'reference-metadata-mismatch': {
    title: 'Reference build matches the chain except for metadata',
    severity: 'low',
    hint: 'The executable code is identical; only the metadata hash differs (comments, paths or compiler settings that do not change code). Prefer the exact deployed sources.',
  },
  'unsafe-delegatecall': {
    title: 'Unsafe delegatecall in implementation',
    severity: 'critical',
    hint: 'A delegatecall from the implementation can run selfdestruct or overwrite storage in its context. Remove it, or annotate a reviewed use with `@custom:oz-upgrades-unsafe-allow delegatecall`.',
  },
  'unsafe-selfdestruct': {
    title: 'selfdestruct in implementation',
    severity: 'critical',
    hint: 'selfdestruct in an implementation can destroy the logic contract (bricking every proxy) or move funds. Remove it.',
  },
  'unsafe-constructor': {
    title: 'Implementation has a constructor with effects',
    severity: 'high',
    hint: 'Constructors run on the implementation, not the proxy. Move the logic into an initializer, or annotate a reviewed constructor with `@custom:oz-upgrades-unsafe-allow constructor`.',
  },
  'unsafe-state-variable-assignment': {
    title: 'State variable assigned at declaration',
    severity: 'high',
    hint: 'Initial values are set in the implementation\'s storage, never the proxy\'s. Assign them in the initializer, or make the variable constant.',
  },
  'unsafe-immutable-variable': {
    title: 'Immutable variable in implementation',
    severity: 'high',
    hint: 'Immutables live in the implementation\'s code and are shared by every proxy. Annotate with `@custom:oz-upgrades-unsafe-allow state-variable-immutable` if that is intended.',
  },
  'unsafe-external-library-linking': {
    title: 'External library linking',
    severity: 'high',
    hint: 'Linked libraries are not checked for upgrade safety. Use internal library functions, or annotate with `@custom:oz-upgrades-unsafe-allow external-library-linking` after review.',
  },
  'unsafe-internal-function-storage': {
    title: 'Internal function pointer in storage',
    severity: 'high',
    hint: 'Internal function pointers are code offsets; they break when the implementation changes. Store a selector or an enum instead.',
  },
  'unsafe-struct-or-enum': {
    title: 'Struct or enum in storage (old compiler)',
    severity: 'medium',
    hint: 'Storage layout of structs and enums could not be fully checked by upgrades-core. Review the change by hand.',
  },
  'initializer-missing': {
    title: 'Initializer missing',
    severity: 'high',
    hint: 'The contract inherits initializable parents but has no initializer calling them. Add one (and `_disableInitializers()` in the constructor).',
  },
  'initializer-call-missing': {
    title: 'Initializer does not call a parent initializer',
    severity: 'high',
    hint: 'A parent\'s initializer is never called, so its state stays unset on the proxy. Call every parent initializer.',
  },
  'initializer-call-duplicate': {
    title: 'Parent initializer called twice',
    severity: 'high',
    hint: 'A parent initializer runs more than once. Call each parent initializer exactly once.',
  },
  'initializer-call-order': {
    title: 'Parent initializers called out of order',
    severity: 'medium',
    hint: 'Call parent initializers in the order of the linearized inheritance.',
  },
  'storage-variable-inserted': {
    title: 'Storage variable inserted',
    severity: 'critical',
    hint: storageHint,
  },
  'storage-variable-deleted': {
    title: 'Storage variable deleted',
    severity: 'critical',
    hint: storageHint,
  },
  'storage-variable-replaced': {
    title: 'Storage variable replaced',
    severity: 'critical',
    hint: storageHint,
  },
  'storage-variable-renamed': {
    title: 'Storage variable renamed',
    severity: 'high',
    hint: 'A rename keeps the slot but usually means a different meaning. If intended, annotate the variable with `@custom:oz-renamed-from <oldName>`.',
  },
  'storage-type-changed': {
    title: 'Storage variable type changed',
    severity: 'critical',
    hint: 'The new type reads the existing bytes differently. Keep the type, or annotate with `@custom:oz-retyped-from <oldType>` only if the encoding is truly compatible.',
  },
  'storage-layout-changed': {
    title: 'Storage layout changed',
    severity: 'critical',
    hint: storageHint,
  },
  'storage-gap-misused': {
    title: 'Storage gap misused',
    severity: 'critical',
    hint: 'A `__gap` must shrink by exactly the slots the new variables take, and must not be removed early.',
  },
  'storage-namespace-deleted': {
    title: 'ERC-7201 namespace deleted',
    severity: 'critical',
    hint: 'A namespace of the current implementation is gone; its data would be orphaned. Keep the namespaced struct (you may append members).',
  },
  'uups-upgrade-path-lost': {
    title: 'UUPS upgrade path lost',
    severity: 'critical',
    hint: 'The new implementation has no working `upgradeToAndCall`/`proxiableUUID`: after this upgrade the proxy can never be upgraded again. Keep inheriting UUPSUpgradeable.',
  },
  'transparent-selector-clash': {
    title: 'Selector clashes with the transparent proxy admin interface',
    severity: 'high',
    hint: 'The admin calling this selector reaches the proxy, not the implementation. Rename the function.',
  },
  'runtime-size-exceeded': {
    title: 'Runtime code exceeds EIP-170 (24,576 bytes)',
    severity: 'critical',
    hint: 'The implementation cannot be deployed on Ethereum mainnet. Split it, move code to libraries, or lower optimizer runs.',
  },
  'abi-function-added': { title: 'Function added', severity: 'info', hint: 'Review who may call the new function and what it changes.' },
  'abi-function-removed': {
    title: 'Function removed',
    severity: 'medium',
    hint: 'Integrations calling this selector will now hit the fallback or revert. Confirm no caller depends on it.',
  },
  'abi-function-changed': {
    title: 'Function signature changed',
    severity: 'medium',
    hint: 'Mutability or return types changed: callers that decode the old outputs may break.',
  },
  'abi-event-added': { title: 'Event added', severity: 'info', hint: 'Indexers and monitors may want to subscribe to it.' },
  'abi-event-removed': { title: 'Event removed', severity: 'low', hint: 'Indexers and monitors relying on this event will go silent.' },
  'abi-event-changed': { title: 'Event changed', severity: 'low', hint: 'Indexed fields or names changed: indexers must be updated.' },
  'abi-error-added': { title: 'Custom error added', severity: 'info', hint: 'Front-ends may decode it.' },
  'abi-error-removed': { title: 'Custom error removed', severity: 'info', hint: 'Front-ends decoding it can drop it.' },
  'abi-error-changed': { title: 'Custom error changed', severity: 'info', hint: 'Front-ends decoding it must be updated.' },
  'storage-variable-appended': {
    title: 'Storage variable appended',
    severity: 'info',
    hint: 'New state starts at zero on existing proxies: check it is initialized (reinitializer) or zero is a safe default.',
  },
  'access-control-added': {
    title: 'Access control added',
    severity: 'info',
    hint: 'The function is now restricted: confirm every legitimate caller holds the role.',
  },
  'access-control-removed': {
    title: 'Access control removed',
    severity: 'high',
    hint: 'A function that was restricted is now callable by anyone. Confirm this is intended; it is the most common way a fix opens a new hole.',
  },
  'external-call-added': {
    title: 'New external call',
    severity: 'low',
    hint: 'A new call to another contract: check reentrancy (checks-effects-interactions) and the callee\'s trust.',
  },
  'delegatecall-added': {
    title: 'delegatecall added',
    severity: 'critical',
    hint: 'The patch introduces a delegatecall: the callee runs with the proxy\'s storage and balance.',
  },
  'selfdestruct-added': {
    title: 'selfdestruct added',
    severity: 'critical',
    hint: 'The patch introduces selfdestruct.',
  },
  'rehearsal-release-failed': {
    title: 'Release fails through the real authorization path',
    severity: 'critical',
    hint: 'On a fork, the Safe → timelock → upgrade path reverted. The release as planned cannot be executed: fix the calls, the signers or the authority wiring before asking for approvals.',
  },
  'upgrade-reverted': {
    title: 'The upgrade itself reverts',
    severity: 'critical',
    hint: 'Upgrading the proxy to the new implementation as its upgrade authority reverted on a fork (the new implementation refuses the upgrade call, or the initializer call reverts). The patch cannot be released as it is: check the upgrade path (proxiableUUID, upgradeToAndCall) and the initializer and its arguments.',
  },
  'rehearsal-not-atomic': {
    title: 'Release batch is not atomic',
    severity: 'critical',
    hint: 'A failing call in the batch left other upgrades applied. Release every proxy in one timelock batch (or one release-gate call) so it is all or nothing.',
  },
  'rehearsal-implementation-mismatch': {
    title: 'Proxy does not run the validated implementation after the release',
    severity: 'critical',
    hint: 'After the rehearsed release the proxy points at other code than the build that was validated. Check the upgrade calldata and the implementation address.',
  },
  'rehearsal-signer-impersonated': {
    title: 'Safe owner impersonated in the rehearsal',
    severity: 'info',
    hint: 'No key was given for this owner, so its approval was given on the fork by impersonation (Safe approveHash, pre-validated signature). Give `rehearsal.signers` to rehearse real signatures.',
  },
  'poc-still-exploitable': {
    title: 'Exploit still works on the patched fork',
    severity: 'critical',
    hint: 'The proof of concept succeeds after the upgrade: the patch does not fix the vulnerability. Do not release it.',
  },
  'poc-not-reproduced': {
    title: 'Exploit does not work on the unpatched fork',
    severity: 'high',
    hint: 'The proof of concept fails before the patch, so its failure after the patch proves nothing. Fix the PoC (addresses, funding, block) until it reproduces the issue.',
  },
  'poc-protocol-loss': {
    title: 'Protocol loses funds to the exploit on the patched fork',
    severity: 'critical',
    hint: 'The exploit call was stopped, but protocol balances still fell during it. Find where value leaks before the revert point.',
  },
  'regression-failed': {
    title: 'Regression check fails after the patch',
    severity: 'high',
    hint: 'A check that passes on the unpatched fork fails on the patched one: the patch breaks existing behaviour. Fix the patch, or update the check if the change is intended.',
  },
  'regression-failing-before-patch': {
    title: 'Regression check already fails before the patch',
    severity: 'medium',
    hint: 'The check fails on the unpatched fork too, so it says nothing about the patch. Fix the check.',
  },
  'invariant-violated': {
    title: 'Invariant violated after the patch',
    severity: 'high',
    hint: 'A view call that must hold does not hold once the upgrade is applied.',
  },
  'invariant-changed': {
    title: 'Value changed by the upgrade',
    severity: 'high',
    hint: 'A value the manifest marks `unchanged` differs right after the upgrade: the new code reads existing state differently.',
  },
  'invariant-violated-before-patch': {
    title: 'Invariant already violated before the patch',
    severity: 'medium',
    hint: 'The invariant does not hold on the unpatched fork either; check the invariant or the pinned block.',
  },
  'replay-divergence': {
    title: 'Historical transaction behaves differently after the patch',
    severity: 'high',
    hint: 'Replayed on the patched fork, a past transaction changed status, return data, events, balances or storage. If the change is intended, add it to `differentialReplay.expectDivergence` with a reason.',
  },
  'replay-divergence-expected': {
    title: 'Expected divergence on a historical transaction',
    severity: 'info',
    hint: 'The patch author marked this divergence as expected; the reason is kept in the report for reviewers.',
  },
  'replay-unfaithful': {
    title: 'Replay differs from the original transaction',
    severity: 'low',
    hint: 'On the unpatched fork the replayed transaction did not end like the original (status or events), so its comparison is weaker evidence. Usually caused by block-level context (coinbase, base fee, randomness).',
  },
  'replay-expected-unused': {
    title: 'Expected divergence did not occur or was not replayed',
    severity: 'low',
    hint: 'A transaction listed in `expectDivergence` was not replayed or did not diverge. Remove the entry, or widen the replay.',
  },
  'formal-proved': {
    title: 'Property proved',
    severity: 'info',
    hint: 'The model checker proved the property for every call sequence of the harness (a proof about the harness: keep it faithful to the contract).',
  },
  'formal-violated': {
    title: 'Property violated by the patched code',
    severity: 'critical',
    hint: 'The model checker found a call sequence that breaks the property in the patched code. Read the counterexample; if the fork replay confirmed it, the patch is wrong.',
  },
  'formal-violated-before-patch': {
    title: 'Property violated by the unpatched code',
    severity: 'info',
    hint: 'The property fails on the code running now: this is the bug the patch is meant to fix. Compare with the patched result.',
  },
  'formal-unknown': {
    title: 'Property neither proved nor refuted',
    severity: 'high',
    hint: 'The solver timed out or the code uses something the checker does not support. Nothing was proved: raise `specification.timeoutMs`, simplify the harness, or review by hand.',
  },
  'formal-not-run': {
    title: 'Property not checked',
    severity: 'high',
    hint: 'The prover could not check this property (no solver, no target in the harness). Nothing was proved.',
  },
  'fuzz-divergence': {
    title: 'Unchanged function behaves differently after the patch',
    severity: 'high',
    hint: 'Differential fuzzing found a call sequence (minimized) where a function the patch was not meant to change returns or reverts differently. This is testing, not proof: fix the patch or declare the change.',
  },
  'initializer-unprotected': {
    title: 'Initializer callable by anyone after the upgrade',
    severity: 'high',
    hint: 'An initializer or reinitializer whose version is still open after the upgrade, with no access check, that the release does not call: whoever calls it first sets the state it initializes (often owner or roles). Call it atomically with the upgrade (the target\'s `initializer` in the manifest), add an access check, or remove it.',
  },
  'privileged-function-unprotected': {
    title: 'New function lets anyone change privileged state',
    severity: 'high',
    hint: 'A function the patch adds writes owner, roles, upgrade authority, minting or funds, and a stranger\'s call changed that state on the fork. Add an access check (onlyOwner, onlyRole, a msg.sender check) or remove the function.',
  },
  'implementation-initializable': {
    title: 'Implementation contract can be initialized by anyone',
    severity: 'critical',
    hint: 'The new implementation, deployed on its own, accepts an initializer call from any account: the caller becomes its owner/admin and, with a delegatecall or upgrade path, can destroy or hijack it. Call `_disableInitializers()` in the constructor (with `/// @custom:oz-upgrades-unsafe-allow constructor`).',
  },
  'initializer-front-runnable': {
    title: 'Initializer would be front-runnable if not called atomically',
    severity: 'info',
    hint: 'Upgraded without the manifest\'s initializer call, a stranger could call this initializer first. The release calls it in the same transaction as the upgrade; keep it that way (never upgrade and initialize in two transactions).',
  },
  'privileged-write-unconfirmed': {
    title: 'Unguarded privileged write not confirmed on the fork',
    severity: 'medium',
    hint: 'The code shows no access check on a path that writes privileged state, but a stranger\'s calls with the arguments tried reverted or changed nothing privileged. Review the function by hand: other arguments may get through.',
  },
  'diamond-not-found': {
    title: 'No EIP-2535 diamond at the cut\'s address',
    severity: 'critical',
    hint: 'The address does not answer the loupe `facets()` at the pinned block. Check `diamondCut.diamond` and the RPC URL.',
  },
  'diamond-cut-invalid': {
    title: 'The diamond would refuse the cut',
    severity: 'critical',
    hint: 'A replace or remove names a selector the diamond does not route, a selector is not in the facet\'s ABI, or `diamondCut` reverted on the fork as the owner. Fix the cut in the manifest.',
  },
  'diamond-storage-collision': {
    title: 'Facets disagree on shared storage',
    severity: 'critical',
    hint: 'Two facets of the diamond after the cut use the same storage root (an ERC-7201 namespace, a diamond-storage position or AppStorage at slot 0) with different layouts: one overwrites what the other reads. Keep every member of the shared struct in place with its type; add new members only at the end, or use a new namespace.',
  },
  'diamond-selector-clash': {
    title: 'Two facets claim one selector',
    severity: 'critical',
    hint: 'The cut adds a selector the diamond already routes to another facet (or adds it twice): the diamond would refuse it, or the call would go to a facet its caller did not expect. Replace the selector instead of adding it, or rename the function.',
  },
  'diamond-selector-removed-in-use': {
    title: 'Removed selector is still called',
    severity: 'high',
    hint: 'Recent transactions replayed on a fork with the cut applied failed because a selector they call is removed, or a remaining facet\'s code calls it. Keep the selector (replace it instead), or move its callers first.',
  },
  'diamond-init-unaudited': {
    title: 'Cut delegatecalls an unaudited init contract',
    severity: 'high',
    hint: 'The init contract runs with the diamond\'s full storage and balance (Beanstalk lost $182M to an init that was a governance payload). Have it audited and list its address or runtime codehash in `diamondCut.auditedInits`, or leave the init out.',
  },
} as const satisfies Record<FindingKind, FindingMessage>

/** Builds a finding whose severity comes from the message table. */
export function createFinding(stage: StageId, kind: FindingKind, fields: Omit<Finding, 'kind' | 'severity' | 'stage'>): Finding {
  return { kind, severity: findingMessages[kind].severity, stage, ...fields }
}
