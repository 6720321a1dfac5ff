import { readFile } from 'node:fs/promises'
import { describe, expect, test } from 'vitest'
import { abiFilePath, abiSources, renderAbiFile, renderAbiFiles } from './generateAbis.js'
import { releaseGateAbi } from './releaseGateAbi.js'
import { safeAbi } from './safeAbi.js'

describe('generated ABIs', () => {
  test('every src/chain/*Abi.ts the script owns is exactly what `npm run abis` writes from the compiler output and the npm artifacts', async () => {
    const generated = await renderAbiFiles()
    expect([...generated.keys()].sort()).toEqual(abiSources.map((source) => source.file).sort())
    for (const [file, text] of generated) {
      const committed = await readFile(abiFilePath(file), 'utf8')
      expect(committed === text, `src/chain/${file} differs from the compiler output: run npm run abis and commit it`).toBe(true)
    }
  }, 300_000)

  test('a changed ABI renders differently (the check above can fail), and the modules export what they render', () => {
    const gate = abiSources.find((source) => source.name === 'releaseGateAbi')!
    expect(renderAbiFile(gate, releaseGateAbi)).not.toBe(renderAbiFile(gate, releaseGateAbi.slice(1)))
    expect(renderAbiFile(gate, releaseGateAbi)).toContain('export const releaseGateAbi = [')
    // Safe 1.4.1's published ABI: what a release executes and reads.
    expect(safeAbi.filter((item) => item.type === 'function').map((item) => item.name)).toEqual(expect.arrayContaining(['execTransaction', 'nonce', 'getThreshold', 'getOwners', 'getTransactionHash']))
  })
})
