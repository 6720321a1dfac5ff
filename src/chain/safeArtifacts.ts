import { createRequire } from 'node:module'
import type { Abi, Hex } from 'viem'

type SafeArtifact = { contractName: string; abi: Abi; bytecode: Hex; deployedBytecode: Hex }

const require = createRequire(import.meta.url)
const base = '@safe-global/safe-contracts/build/artifacts/contracts'

/** Safe 1.4.1 artifacts exactly as published (bytecode included), never recompiled. */
export const safeArtifacts = {
  SafeL2: require(`${base}/SafeL2.sol/SafeL2.json`) as SafeArtifact,
  SafeProxyFactory: require(`${base}/proxies/SafeProxyFactory.sol/SafeProxyFactory.json`) as SafeArtifact,
  CompatibilityFallbackHandler: require(`${base}/handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json`) as SafeArtifact,
  MultiSend: require(`${base}/libraries/MultiSend.sol/MultiSend.json`) as SafeArtifact,
  MultiSendCallOnly: require(`${base}/libraries/MultiSendCallOnly.sol/MultiSendCallOnly.json`) as SafeArtifact,
} as const
