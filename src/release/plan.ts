import type { Address, Hex } from 'viem'

/**
 * The release plan (version 1): the exact transactions that take a validated patch on chain, as
 * one atomic batch, and the Safe transactions that authorize them. Everything a signer, an executor
 * and a verifier needs is in here, JSON-serializable as is (amounts and nonces as decimal strings).
 * `hash` is keccak256 of the canonical JSON of every other field (the validation report's rules).
 */
export const planVersion = 1

/**
 * - `standard`: the governance Safe schedules a `TimelockController.scheduleBatch`, and executes it after the delay.
 * - `emergency`: a security-council Safe (higher threshold) holding the gate's RELEASER_ROLE runs the batch at
 *   once, as one MultiSendCallOnly delegatecall.
 * - `private`: the Safe schedules only a commitment on the PrivateTimelock; the execute reveals the calls and
 *   deploys the implementations with CREATE2 inside it.
 */
export const releaseRouteNames = ['standard', 'emergency', 'private'] as const
export type ReleaseRouteName = (typeof releaseRouteNames)[number]

/** The governance a route goes through, as configured per project (or taken from the demo). */
export type ReleaseRoute = {
  name: ReleaseRouteName
  /** The Safe whose owners sign (governance Safe, or the security council for `emergency`). */
  safe: Address
  /** Owners the Safe needs (read from the Safe when the plan is built). */
  threshold: number
  /** TimelockController (standard) or PrivateTimelock (private); absent for emergency. */
  timelock?: Address | undefined
  /** Seconds between schedule and execute (0 for emergency). */
  delay: number
}

/** One call of the atomic batch, as the timelock (or the Safe, through MultiSend) makes it. */
export type PlannedCall = {
  target: Address
  /** Wei, decimal string. */
  value: string
  data: Hex
  /** What the call does, for people: "deploy LendingPoolV2 at 0x…", "approve patch …", "release 1 upgrade". */
  description: string
}

/** A CREATE2 deployment of one implementation. */
export type PlannedDeployment = {
  /** The report target's name. */
  name: string
  /** Full contract name (`contracts/examples/LendingPoolV2.sol:LendingPoolV2`). */
  contract: string
  /** CREATE2 deployer: the project's Create2Deployer, or the PrivateTimelock on the private route. */
  deployer: Address
  salt: Hex
  initCode: Hex
  initCodeHash: Hex
  /** The predicted address: `keccak256(0xff ‖ deployer ‖ salt ‖ initCodeHash)[12:]`. */
  address: Address
  /** keccak256 of the runtime code the address will hold (immutables filled in): what the gate approves. */
  codehash: Hex
  /** The validation report's `runtimeCodeHash` (immutables zeroed): what the verifier compares to. */
  reportRuntimeCodeHash: Hex
}

/** One upgrade the gate performs, in release order (same order as `codehashes`). */
export type PlannedUpgrade = {
  name: string
  kind: 'uups' | 'transparent' | 'beacon'
  /** The proxy; the beacon for a beacon upgrade. */
  proxy: Address
  /** The ProxyAdmin of a Transparent proxy. */
  admin?: Address | undefined
  /** The proxies served by a beacon (what the verifier reads), else `[proxy]`. */
  proxies: Address[]
  implementation: Address
  codehash: Hex
  /** Initializer calldata run through the proxy ('0x' for none). */
  data: Hex
}

/**
 * The diamond cut (EIP-2535) a plan releases through the gate's `releaseDiamondCut`, instead of proxy
 * upgrades. The gate approves the facets' (and init's) codehashes followed by `cutHash`, so the
 * auditors' attestation covers the exact selector map.
 */
export type PlannedDiamondCut = {
  diamond: Address
  /** The `FacetCut[]` argument, facet addresses resolved (zero for remove). */
  cuts: { facetAddress: Address; action: number; functionSelectors: Hex[] }[]
  init: Address
  initCalldata: Hex
  /** ReleaseGate.diamondCutHash(diamond, cuts, init, initCalldata): the last approved codehash. */
  cutHash: Hex
  /** Facet address → selectors the loupe must show after the release (sorted). */
  selectorMap: { facet: Address; selectors: Hex[] }[]
}

/** The Safe 1.4.1 transaction owners sign (EIP-712 `SafeTx`), numbers as decimal strings. */
export type PlannedSafeTransaction = {
  /** `schedule` and `execute` for timelock routes; `release` for the emergency route. */
  purpose: 'schedule' | 'execute' | 'release'
  safe: Address
  chainId: number
  to: Address
  value: string
  data: Hex
  /** 0 CALL, 1 DELEGATECALL (only ever to the chain's MultiSendCallOnly, on the emergency route). */
  operation: 0 | 1
  safeTxGas: string
  baseGas: string
  gasPrice: string
  gasToken: Address
  refundReceiver: Address
  nonce: string
  /** The EIP-712 hash owners sign (`getTransactionHash` of Safe 1.4.1). */
  safeTxHash: Hex
}

/** How the calls are made atomic. */
export type PlannedOperation =
  | { kind: 'timelockBatch'; timelock: Address; predecessor: Hex; salt: Hex; operationId: Hex; delay: number }
  | { kind: 'multiSend'; multiSend: Address }
  | { kind: 'private'; timelock: Address; salt: Hex; commitment: Hex; delay: number }

export type ReleasePlan = {
  planVersion: typeof planVersion
  /** The lifecycle patch id (`PATCH-3`). */
  patchId: string
  /** The gate's bytes32 patch id: keccak256 of the lifecycle id and the report hash. */
  gatePatchId: Hex
  route: ReleaseRoute
  chain: { chainId: number }
  /** The validation report hash the gate records and every signature binds to. */
  reportHash: Hex
  gate: Address
  deployments: PlannedDeployment[]
  /** Proxy upgrades (empty for a diamond cut). */
  upgrades: PlannedUpgrade[]
  /** Present when the patch is a diamond cut: released by `releaseDiamondCut`, not `release`. */
  diamondCut?: PlannedDiamondCut | undefined
  /** Approved runtime codehashes, in release order (a diamond cut: facets and init, then the cut hash). */
  codehashes: Hex[]
  /** Auditors' ReleaseAttestation signatures (EIP-712, the gate's domain). */
  attestations: { auditor: Address; signature: Hex }[]
  /** The atomic batch, in order. */
  calls: PlannedCall[]
  operation: PlannedOperation
  /** What the route's Safe owners sign, in order (each at its own nonce). */
  safeTransactions: PlannedSafeTransaction[]
  createdAt: string
}

export type SignedReleasePlan = ReleasePlan & { hash: Hex }
