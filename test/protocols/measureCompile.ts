import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { compileAaveV3, compileBalancerV2, compileGovernance, compileKitContracts, compileOz5System, compileUniswapV2 } from './compileProtocols.js'

// Prints each kit's compile time cold (an empty build cache; the solc release already fetched) and warm
// (the content-hash cache answers). Run: npx tsx test/protocols/measureCompile.ts
const cacheDir = await mkdtemp(path.join(tmpdir(), 'bulwark-kit-cache-'))
try {
  for (const [name, compile] of [
    ['aave-v3', compileAaveV3],
    ['uniswap-v2', compileUniswapV2],
    ['balancer-v2', compileBalancerV2],
    ['kit-contracts', compileKitContracts],
    ['oz5', compileOz5System],
    ['governance', compileGovernance],
  ] as const) {
    const cold = await compile({ cacheDir })
    const warm = await compile({ cacheDir })
    const files = Object.keys(cold.buildInfo.input.sources).length
    console.log(`${name.padEnd(14)} solc ${cold.solcVersion.padEnd(7)} ${String(files).padStart(3)} files  cold ${(cold.durationMs / 1000).toFixed(1).padStart(5)} s  warm ${Math.round(warm.durationMs).toString().padStart(4)} ms  (cached: ${cold.cached}/${warm.cached})`)
  }
} finally {
  await rm(cacheDir, { recursive: true, force: true })
}
