import { describe, expect, test } from 'vitest'
import { parseImports } from './parseImports.js'

describe('parseImports', () => {
  test('reads every import form solc accepts', () => {
    const source = [
      'import "./A.sol";',
      "import './B.sol' as B;",
      'import * as C from "../C.sol";',
      'import {D, E as F} from "@scope/pkg/D.sol";',
      'import {G}\n  from\n  "lib/G.sol";',
    ].join('\n')
    expect(parseImports(source).map((i) => i.path)).toEqual(['./A.sol', './B.sol', '../C.sol', '@scope/pkg/D.sol', 'lib/G.sol'])
  })

  test('ignores imports inside comments and string literals', () => {
    const source = [
      '// import "./Line.sol";',
      '/* import "./Block.sol";',
      '   import "./StillBlock.sol"; */',
      'string constant S = "import \\"./InString.sol\\";";',
      'import "./Real.sol";',
    ].join('\n')
    expect(parseImports(source).map((i) => i.path)).toEqual(['./Real.sol'])
  })

  test('gives the index of the import keyword', () => {
    const source = 'pragma solidity ^0.8.0;\n\n  import "./A.sol";'
    expect(parseImports(source)).toEqual([{ path: './A.sol', index: source.indexOf('import') }])
  })

  test('does not take identifiers that contain "import" for the keyword', () => {
    expect(parseImports('uint256 reimport = 1; uint256 imports = "x.sol".length;')).toEqual([])
  })
})
