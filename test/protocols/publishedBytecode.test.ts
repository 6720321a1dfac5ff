import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from './compileKit.js'
import { compileAaveV3, compileUniswapV2 } from './compileProtocols.js'

// Solidity appends (and embeds, for contracts that create others) a CBOR metadata blob holding the hash of
// the metadata, which names source paths: ours are `@aave/core-v3/contracts/…`, Aave's `contracts/…`.
// Everything else must be byte-for-byte what the protocol published, or the kit does not test the protocol's code.
const metadataBlob = /a2646970667358221220[0-9a-f]{64}64736f6c6343[0-9a-f]{6}0033|a265627a7a72315820[0-9a-f]{64}64736f6c6343[0-9a-f]{6}0032/g
// Unlinked library references are `__$<hash of the full name>$__`: the hash names the path too.
const libraryPlaceholder = /__\$[0-9a-f]{34}\$__/g
const comparable = (bytecode: string) => bytecode.replace(/^0x/, '').toLowerCase().replace(metadataBlob, '<metadata>').replace(libraryPlaceholder, '<library>')
const published = (file: string) => JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', file), 'utf8')) as { deployedBytecode?: string; evm?: { deployedBytecode: { object: string } } }

describe("the kits' bytecode is the protocols' published bytecode", () => {
  it.each([
    ['protocol/pool/Pool.sol', 'Pool'],
    ['protocol/pool/PoolConfigurator.sol', 'PoolConfigurator'],
    ['protocol/libraries/logic/BorrowLogic.sol', 'BorrowLogic'],
    ['protocol/libraries/logic/LiquidationLogic.sol', 'LiquidationLogic'],
    ['protocol/configuration/ACLManager.sol', 'ACLManager'],
    ['protocol/tokenization/AToken.sol', 'AToken'],
    ['misc/AaveOracle.sol', 'AaveOracle'],
  ])('Aave %s equals @aave/core-v3 1.19.3 artifacts/', async (source, name) => {
    const build = await compileAaveV3()
    const ours = build.artifacts.find((artifact) => artifact.sourceName === `@aave/core-v3/contracts/${source}` && artifact.contractName === name)
    const theirs = published(`@aave/core-v3/artifacts/contracts/${source}/${name}.json`).deployedBytecode!
    expect(ours).toBeDefined()
    expect(comparable(ours!.deployedBytecode)).toBe(comparable(theirs))
    expect(comparable(theirs)).toContain('<metadata>')
  })

  it.each(['UniswapV2Pair', 'UniswapV2Factory'])('Uniswap %s equals @uniswap/v2-core 1.0.1 build/', async (name) => {
    const build = await compileUniswapV2()
    const ours = build.artifacts.find((artifact) => artifact.contractName === name)
    const theirs = published(`@uniswap/v2-core/build/${name}.json`).evm!.deployedBytecode.object
    expect(comparable(ours!.deployedBytecode)).toBe(comparable(theirs))
  })
})
