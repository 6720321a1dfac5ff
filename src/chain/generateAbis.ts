import { createRequire } from 'node:module'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Abi } from 'viem'
import { bulwarkRoot } from '../compile/bulwarkRoot.js'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'

const require = createRequire(import.meta.url)
const chainDir = path.dirname(fileURLToPath(import.meta.url))

/**
 * Where each typed ABI comes from: Bulwark's own contracts from solc's output for `contracts/`,
 * Safe 1.4.1 and OpenZeppelin's TimelockController from their published npm artifacts (the
 * bytecode Bulwark deploys comes from the same packages).
 */
type AbiSource = { file: string; name: string; from: { contract: string } | { npm: string } }

export const abiSources: readonly AbiSource[] = [
  { file: 'releaseGateAbi.ts', name: 'releaseGateAbi', from: { contract: 'contracts/ReleaseGate.sol:ReleaseGate' } },
  { file: 'privateTimelockAbi.ts', name: 'privateTimelockAbi', from: { contract: 'contracts/PrivateTimelock.sol:PrivateTimelock' } },
  { file: 'emergencyPauseSealAbi.ts', name: 'emergencyPauseSealAbi', from: { contract: 'contracts/EmergencyPauseSeal.sol:EmergencyPauseSeal' } },
  { file: 'circuitBreakerAbi.ts', name: 'circuitBreakerAbi', from: { contract: 'contracts/CircuitBreaker.sol:CircuitBreaker' } },
  { file: 'partialPausableAbi.ts', name: 'partialPausableAbi', from: { contract: 'contracts/PartialPausableUpgradeable.sol:PartialPausableUpgradeable' } },
  { file: 'create2DeployerAbi.ts', name: 'create2DeployerAbi', from: { contract: 'contracts/release/Create2Deployer.sol:Create2Deployer' } },
  { file: 'safeAbi.ts', name: 'safeAbi', from: { npm: '@safe-global/safe-contracts/build/artifacts/contracts/SafeL2.sol/SafeL2.json' } },
  { file: 'multiSendAbi.ts', name: 'multiSendAbi', from: { npm: '@safe-global/safe-contracts/build/artifacts/contracts/libraries/MultiSendCallOnly.sol/MultiSendCallOnly.json' } },
  { file: 'timelockControllerAbi.ts', name: 'timelockControllerAbi', from: { npm: '@openzeppelin/contracts/build/contracts/TimelockController.json' } },
]

/** The path of a generated ABI file. */
export function abiFilePath(file: string): string {
  return path.join(chainDir, file)
}

/**
 * The text of one generated ABI module: a header naming its source, then the ABI as a TypeScript
 * literal `as const` (single quotes, bare keys, no trailing commas: the layout these files always had).
 */
export function renderAbiFile(source: AbiSource, abi: Abi): string {
  const origin = 'contract' in source.from ? source.from.contract : source.from.npm
  return [
    '/**',
    ` * ABI of \`${origin}\`, typed \`as const\` for viem.`,
    ' * Written out from the compile output; `onchainAbis.test.ts` keeps it equal to it.',
    ' */',
    `export const ${source.name} = ${literal(abi, '')} as const`,
    '',
  ].join('\n')
}

function literal(value: unknown, indent: string): string {
  const inner = `${indent}  `
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[\n${value.map((item) => inner + literal(item, inner)).join(',\n')}\n${indent}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
    if (entries.length === 0) return '{}'
    return `{\n${entries.map(([key, item]) => `${inner}${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : `'${key}'`}: ${literal(item, inner)}`).join(',\n')}\n${indent}}`
  }
  if (typeof value === 'string') return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
  return String(value)
}

/** Every generated ABI file (name → text) from a fresh compile of `contracts/` and the installed npm artifacts. */
export async function renderAbiFiles(): Promise<Map<string, string>> {
  const build = await compileProject({ root: bulwarkRoot() })
  const files = new Map<string, string>()
  for (const source of abiSources) {
    const abi = 'contract' in source.from ? getArtifact(build, source.from.contract).abi : (require(source.from.npm) as { abi: Abi }).abi
    files.set(source.file, renderAbiFile(source, abi))
  }
  return files
}

// `npm run abis`
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [file, text] of await renderAbiFiles()) {
    await writeFile(abiFilePath(file), text)
    process.stdout.write(`wrote src/chain/${file}\n`)
  }
}
