import { describe, expect, test } from 'vitest'
import { parseRange, parseVersion, readPragmas, satisfies } from './pragmaRange.js'
import { pickSolcRelease } from './solcReleases.js'

const fits = (range: string, version: string) => satisfies(parseVersion(version)!, parseRange(range)!)

describe('pragma ranges', () => {
  test.each([
    ['^0.8.0', '0.8.0', true],
    ['^0.8.0', '0.8.37', true],
    ['^0.8.0', '0.9.0', false],
    ['^0.8.0', '0.7.6', false],
    ['^0.0.3', '0.0.4', false],
    ['~0.8.1', '0.8.9', true],
    ['~0.8.1', '0.8.0', false],
    ['>=0.6.2 <0.9.0', '0.8.30', true],
    ['>=0.6.2 <0.9.0', '0.6.1', false],
    ['>= 0.6.2 < 0.8.0', '0.7.6', true],
    ['>0.8.19', '0.8.19', false],
    ['>0.8.19', '0.8.20', true],
    ['<=0.8', '0.8.37', true],
    ['<=0.8', '0.9.0', false],
    ['0.5.16', '0.5.16', true],
    ['0.5.16', '0.5.17', false],
    ['=0.8.19', '0.8.19', true],
    ['0.8', '0.8.5', true],
    ['0.8.x', '0.7.0', false],
    ['0.8.0 - 0.8.19', '0.8.19', true],
    ['0.8.0 - 0.8.19', '0.8.20', false],
    ['=0.8.10 || ^0.8.24', '0.8.25', true],
    ['=0.8.10 || ^0.8.24', '0.8.12', false],
  ])('%s admits %s: %s', (range, version, expected) => {
    expect(fits(range, version)).toBe(expected)
  })

  test('a range solc would reject is not read', () => {
    expect(parseRange('^0.8.0 bogus')).toBeUndefined()
    expect(parseRange('>=abc')).toBeUndefined()
  })

  test('pragmas are read from code, not from comments', () => {
    const source = '// pragma solidity 0.4.0;\n/* pragma solidity 0.5.0; */\npragma solidity >=0.6.2 <0.9.0;\npragma abicoder v2;\npragma solidity ^0.8.0 ;'
    expect(readPragmas(source)).toEqual(['>=0.6.2 <0.9.0', '^0.8.0'])
  })
})

describe('choosing a release from pragmas', () => {
  const ranges = (...texts: string[]) => texts.map((text) => parseRange(text)!)

  test('a preferred release (the chain code, then the bundled solc) wins when every pragma admits it', async () => {
    expect(await pickSolcRelease(ranges('^0.8.0', '>=0.8.4'), { preferred: ['0.8.19', '0.8.30'] })).toBe('0.8.19')
    expect(await pickSolcRelease(ranges('^0.8.20'), { preferred: ['0.8.19', '0.8.30'] })).toBe('0.8.30')
  })

  test('otherwise the newest release every pragma admits', async () => {
    expect(await pickSolcRelease(ranges('^0.6.0'), { preferred: ['0.8.30'] })).toBe('0.6.12')
    expect(await pickSolcRelease(ranges('>=0.4.11 <0.4.13'), { preferred: [] })).toBe('0.4.11')
    expect(await pickSolcRelease(ranges('=0.5.16', '^0.5.0'), { preferred: ['0.8.30'] })).toBe('0.5.16')
  })
})
