export type SolidityImport = {
  /** The import path as written, e.g. `@openzeppelin/contracts/access/Ownable.sol` or `./Math.sol`. */
  path: string
  /** String index of the `import` keyword, for error positions. */
  index: number
}

/**
 * Lists the import paths of a Solidity file without running solc, so the full source set (and
 * so the cache key) is known before deciding whether to compile. Comments and string literals are
 * skipped, so an `import` inside either is not mistaken for a statement.
 */
export function parseImports(content: string): SolidityImport[] {
  const imports: SolidityImport[] = []
  let i = 0
  while (i < content.length) {
    const skipped = skipTrivia(content, i)
    if (skipped !== i) {
      i = skipped
      continue
    }
    const char = content[i]!
    if (char === '"' || char === "'") {
      i = readString(content, i).end
      continue
    }
    if (isIdentifierStart(char)) {
      let end = i + 1
      while (end < content.length && isIdentifierPart(content[end]!)) end++
      if (content.slice(i, end) === 'import') {
        const statement = readImportStatement(content, end)
        if (statement.path !== undefined) imports.push({ path: statement.path, index: i })
        end = statement.end
      }
      i = end
      continue
    }
    i++
  }
  return imports
}

/** Reads up to the closing `;`; the first string literal of an import statement is always its path. */
function readImportStatement(content: string, start: number): { path: string | undefined; end: number } {
  let path: string | undefined
  let i = start
  while (i < content.length) {
    const skipped = skipTrivia(content, i)
    if (skipped !== i) {
      i = skipped
      continue
    }
    const char = content[i]!
    if (char === ';') return { path, end: i + 1 }
    if (char === '"' || char === "'") {
      const literal = readString(content, i)
      path ??= literal.value
      i = literal.end
      continue
    }
    i++
  }
  return { path, end: i }
}

function skipTrivia(content: string, i: number): number {
  if (content[i] !== '/') return i
  if (content[i + 1] === '/') {
    const end = content.indexOf('\n', i)
    return end === -1 ? content.length : end + 1
  }
  if (content[i + 1] === '*') {
    const end = content.indexOf('*/', i + 2)
    return end === -1 ? content.length : end + 2
  }
  return i
}

function readString(content: string, start: number): { value: string; end: number } {
  const quote = content[start]
  let value = ''
  let i = start + 1
  while (i < content.length && content[i] !== quote && content[i] !== '\n') {
    if (content[i] === '\\' && i + 1 < content.length) {
      value += content[i + 1]
      i += 2
      continue
    }
    value += content[i]
    i++
  }
  return { value, end: i + 1 }
}

function isIdentifierStart(char: string): boolean {
  return /[A-Za-z_$]/.test(char)
}

function isIdentifierPart(char: string): boolean {
  return /[A-Za-z0-9_$]/.test(char)
}
