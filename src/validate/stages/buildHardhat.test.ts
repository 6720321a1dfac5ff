import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseManifest } from '../loadManifest.js'
import { buildTargets } from './build.js'
import { compileFoundryProject } from '../../compile/compileFoundryProject.js'
import { compileSources } from '../../compile/compileSources.js'
import { hardhatConfigSolcVersion, readHardhatBuild } from '../../compile/readHardhatBuild.js'

let scratch: string
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'bulwark-hardhat-'))
})
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

const box = (body: string) => `// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\ncontract Box { uint256 public value; ${body} }\n`

/** A Hardhat 2 project after `npx hardhat compile`: sources, a hardhat.config that must never run, and its build-info. */
async function hardhatProject(name: string): Promise<{ root: string; buildInfoId: string }> {
  const root = path.join(scratch, name)
  await mkdir(path.join(root, 'contracts'), { recursive: true })
  await writeFile(path.join(root, 'contracts/Box.sol'), box('function set(uint256 v) external { value = v; }'))
  await writeFile(path.join(root, 'hardhat.config.js'), 'throw new Error("hardhat.config.js must not be executed")\n')
  // Hardhat's own build with the team's settings: solc 0.8.19, optimizer off.
  const build = await compileSources({ root, sources: { 'contracts/Box.sol': box('function set(uint256 v) external { value = v; }') }, solcVersion: '0.8.19', settings: { optimizer: false }, cacheDir: path.join(scratch, `hh-${name}`) })
  // Hardhat 2 does not record which sources are the project's own.
  const hardhat2: Record<string, unknown> = { ...build.buildInfo }
  delete hardhat2.userSourceNameMap
  await mkdir(path.join(root, 'artifacts/build-info'), { recursive: true })
  await writeFile(path.join(root, 'artifacts/build-info', `${build.buildInfo.id}.json`), JSON.stringify(hardhat2))
  return { root, buildInfoId: build.buildInfo.id }
}

describe('a Hardhat project', () => {
  test('its build-info is read as given (compiler and settings are Hardhat’s); the config is never run', async () => {
    const { root, buildInfoId } = await hardhatProject('fresh')
    const found = await readHardhatBuild({ root, contract: 'Box' })
    expect(found?.buildInfo.id).toBe(buildInfoId)
    expect(found?.buildInfo.solcVersion).toBe('0.8.19')
    expect(found?.buildInfo.input.settings.optimizer).toEqual({ enabled: false, runs: 200 })
    // An unchanged file read again in this process is the same object (per-build work is shared across runs).
    expect((await readHardhatBuild({ root, contract: 'Box' }))?.buildInfo).toBe(found?.buildInfo)

    const manifest = parseManifest(
      JSON.stringify({ version: 1, advisory: { id: 'BW-HH' }, targets: [{ proxy: '0x0000000000000000000000000000000000000001', implementation: { hardhat: 'fresh', contract: 'Box' } }] }),
      'manifest.json',
    )
    const built = await buildTargets({ manifest, manifestDir: scratch, progress: () => {} })
    expect(built.builds[0]!.implementation.buildInfo.id).toBe(buildInfoId)
  }, 300_000)

  test('a build-info older than the sources is not used: the error says to compile again', async () => {
    const { root } = await hardhatProject('stale')
    await writeFile(path.join(root, 'contracts/Box.sol'), box('function set(uint256 v) external { value = v + 1; }'))
    await expect(readHardhatBuild({ root, contract: 'Box' })).rejects.toMatchObject({
      code: 'BW_PROJECT_CONFIG_INVALID',
      shortMessage: `${path.join(root, 'artifacts', 'build-info')}: every build-info holding Box is older than the sources on disk (1 stale).`,
      metaMessages: ['Run `npx hardhat compile` in the project, or give the build-info file itself ("buildInfo").'],
    })
  }, 300_000)

  test('a project never compiled: its contracts/ are compiled with the release its config names (read as text), or the manifest’s', async () => {
    const root = path.join(scratch, 'uncompiled')
    await mkdir(path.join(root, 'contracts'), { recursive: true })
    await writeFile(path.join(root, 'contracts/Box.sol'), box(''))
    await writeFile(path.join(root, 'hardhat.config.ts'), 'throw new Error("never run")\n// solidity: "0.4.0"\nexport default { solidity: { version: "0.8.19", settings: { optimizer: { enabled: true } } } }\n')
    expect(await readHardhatBuild({ root, contract: 'Box' })).toBeUndefined()
    expect(await hardhatConfigSolcVersion(root)).toBe('0.8.19')
    const fromConfig = parseManifest(
      JSON.stringify({ version: 1, advisory: { id: 'BW-HH' }, targets: [{ proxy: '0x0000000000000000000000000000000000000001', implementation: { hardhat: 'uncompiled', contract: 'Box' } }] }),
      'manifest.json',
    )
    expect((await buildTargets({ manifest: fromConfig, manifestDir: scratch, progress: () => {} })).builds[0]!.implementation.buildInfo.solcVersion).toBe('0.8.19')
    const manifest = parseManifest(
      JSON.stringify({ version: 1, advisory: { id: 'BW-HH' }, targets: [{ proxy: '0x0000000000000000000000000000000000000001', implementation: { hardhat: 'uncompiled', contract: 'Box', compiler: { version: '0.8.24' } } }] }),
      'manifest.json',
    )
    const built = await buildTargets({ manifest, manifestDir: scratch, progress: () => {} })
    expect(built.builds[0]!.implementation.buildInfo.solcVersion).toBe('0.8.24')
  }, 300_000)

  test('a Foundry project: its own fresh, complete out/build-info is used as given; stale or without storage layouts, the project is compiled', async () => {
    const root = path.join(scratch, 'forge')
    await mkdir(path.join(root, 'src'), { recursive: true })
    await writeFile(path.join(root, 'foundry.toml'), '[profile.default]\nsolc = "0.8.19"\nbuild_info = true\n')
    await writeFile(path.join(root, 'src/Box.sol'), box(''))
    const team = await compileFoundryProject({ root, cacheDir: path.join(scratch, 'forge-team') })
    await mkdir(path.join(root, 'out/build-info'), { recursive: true })
    const teamFile = path.join(root, 'out/build-info', `${team.buildInfo.id}.json`)
    await writeFile(teamFile, JSON.stringify(team.buildInfo))
    const manifest = parseManifest(
      JSON.stringify({ version: 1, advisory: { id: 'BW-FORGE' }, targets: [{ proxy: '0x0000000000000000000000000000000000000001', implementation: { foundry: 'forge', contract: 'Box' } }] }),
      'manifest.json',
    )
    const build = async () => {
      const progress: string[] = []
      const built = await buildTargets({ manifest, manifestDir: scratch, progress: (m) => progress.push(m) })
      return { buildInfo: built.builds[0]!.implementation.buildInfo, progress }
    }

    const fresh = await build()
    expect(fresh.buildInfo.id).toBe(team.buildInfo.id)
    expect(fresh.progress).toEqual([`reading Foundry build-info ${path.join('forge', 'out', 'build-info', `${team.buildInfo.id}.json`)}`])

    // forge's default output has no storage layout: such a build-info cannot be validated, so the project is compiled.
    const bare = JSON.parse(JSON.stringify(team.buildInfo)) as typeof team.buildInfo
    delete bare.output.contracts['src/Box.sol']!.Box!.storageLayout
    await writeFile(teamFile, JSON.stringify(bare))
    const incomplete = await build()
    expect(incomplete.progress[0]).toBe('compiling Foundry project forge')
    expect(incomplete.buildInfo.solcVersion).toBe('0.8.19')
    expect(incomplete.buildInfo.output.contracts['src/Box.sol']!.Box!.storageLayout).toBeDefined()

    await writeFile(teamFile, JSON.stringify(team.buildInfo))
    await writeFile(path.join(root, 'src/Box.sol'), box('function set(uint256 v) external { value = v; }'))
    const stale = await build()
    expect(stale.progress[0]).toBe('compiling Foundry project forge')
    expect(stale.buildInfo.id).not.toBe(team.buildInfo.id)
  }, 300_000)
})
