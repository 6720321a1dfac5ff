/**
 * A TOML reader for configuration files like `foundry.toml`: tables (`[profile.default]`), arrays of
 * tables, dotted and quoted keys, basic/literal/multi-line strings, integers (with `_`), floats,
 * booleans, arrays and inline tables. Dates are kept as their text. Errors name the line.
 */
export type TomlValue = string | number | boolean | TomlValue[] | TomlTable
export type TomlTable = { [key: string]: TomlValue }

export class TomlSyntaxError extends Error {
  override readonly name = 'TomlSyntaxError'
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`)
  }
}

export function parseToml(text: string): TomlTable {
  const parser = new Parser(text.replace(/\r\n/g, '\n'))
  return parser.document()
}

class Parser {
  private at = 0
  private readonly root: TomlTable = {}

  constructor(private readonly text: string) {}

  document(): TomlTable {
    let table = this.root
    for (;;) {
      this.skipBlank(true)
      if (this.at >= this.text.length) return this.root
      if (this.text.startsWith('[[', this.at)) {
        this.at += 2
        const keys = this.keyPath()
        this.expect(']]')
        const parent = this.tableAt(keys.slice(0, -1))
        const last = keys[keys.length - 1]!
        const list = parent[last] ?? (parent[last] = [])
        if (!Array.isArray(list)) throw this.error(`"${keys.join('.')}" is not an array of tables`)
        table = {}
        list.push(table)
      } else if (this.text[this.at] === '[') {
        this.at += 1
        const keys = this.keyPath()
        this.expect(']')
        table = this.tableAt(keys)
      } else {
        const keys = this.keyPath()
        this.expect('=')
        const value = this.value()
        const parent = this.tableIn(table, keys.slice(0, -1))
        const last = keys[keys.length - 1]!
        if (last in parent) throw this.error(`"${keys.join('.')}" is defined twice`)
        parent[last] = value
      }
      this.endOfLine()
    }
  }

  private tableAt(keys: string[]): TomlTable {
    return this.tableIn(this.root, keys)
  }

  private tableIn(start: TomlTable, keys: string[]): TomlTable {
    let table = start
    for (const key of keys) {
      let next = table[key]
      if (next === undefined) next = table[key] = {}
      if (Array.isArray(next)) next = next[next.length - 1]
      if (typeof next !== 'object' || next === null || Array.isArray(next)) throw this.error(`"${key}" is not a table`)
      table = next
    }
    return table
  }

  private keyPath(): string[] {
    const keys: string[] = []
    for (;;) {
      this.skipSpaces()
      const char = this.text[this.at]
      if (char === '"' || char === "'") keys.push(this.string())
      else {
        const match = /^[A-Za-z0-9_-]+/.exec(this.text.slice(this.at))
        if (!match) throw this.error('expected a key')
        keys.push(match[0])
        this.at += match[0].length
      }
      this.skipSpaces()
      if (this.text[this.at] !== '.') return keys
      this.at += 1
    }
  }

  private value(): TomlValue {
    this.skipSpaces()
    const char = this.text[this.at]
    if (char === '"' || char === "'") return this.string()
    if (char === '[') return this.array()
    if (char === '{') return this.inlineTable()
    const match = /^[^\s,\]}#]+/.exec(this.text.slice(this.at))
    if (!match) throw this.error('expected a value')
    this.at += match[0].length
    const word = match[0]
    if (word === 'true') return true
    if (word === 'false') return false
    const plain = word.replace(/_/g, '')
    if (/^[+-]?\d+$/.test(plain)) return Number(plain)
    if (/^0x[0-9a-fA-F]+$/.test(plain)) return Number.parseInt(plain.slice(2), 16)
    if (/^0o[0-7]+$/.test(plain)) return Number.parseInt(plain.slice(2), 8)
    if (/^0b[01]+$/.test(plain)) return Number.parseInt(plain.slice(2), 2)
    if (/^[+-]?(?:\d+\.\d+|\d+(?:\.\d+)?[eE][+-]?\d+|inf|nan)$/.test(plain)) return Number(plain.replace(/^([+-]?)inf$/, '$1Infinity'))
    // Dates and times: kept as text (nothing Bulwark reads is a date).
    if (/^\d{4}-\d{2}-\d{2}/.test(word) || /^\d{2}:\d{2}/.test(word)) return word
    throw this.error(`"${word}" is not a TOML value`)
  }

  private array(): TomlValue[] {
    this.at += 1
    const items: TomlValue[] = []
    for (;;) {
      this.skipBlank(true)
      if (this.text[this.at] === ']') {
        this.at += 1
        return items
      }
      items.push(this.value())
      this.skipBlank(true)
      if (this.text[this.at] === ',') this.at += 1
      else if (this.text[this.at] !== ']') throw this.error('expected "," or "]" in an array')
    }
  }

  private inlineTable(): TomlTable {
    this.at += 1
    const table: TomlTable = {}
    this.skipSpaces()
    if (this.text[this.at] === '}') {
      this.at += 1
      return table
    }
    for (;;) {
      const keys = this.keyPath()
      this.expect('=')
      const parent = this.tableIn(table, keys.slice(0, -1))
      parent[keys[keys.length - 1]!] = this.value()
      this.skipSpaces()
      if (this.text[this.at] === ',') {
        this.at += 1
        continue
      }
      this.expect('}')
      return table
    }
  }

  private string(): string {
    const quote = this.text[this.at]!
    const triple = this.text.startsWith(quote.repeat(3), this.at)
    const delimiter = triple ? quote.repeat(3) : quote
    this.at += delimiter.length
    // A newline right after an opening triple quote is not part of the string.
    if (triple && this.text[this.at] === '\n') this.at += 1
    let value = ''
    for (;;) {
      if (this.at >= this.text.length) throw this.error('unterminated string')
      if (this.text.startsWith(delimiter, this.at)) {
        this.at += delimiter.length
        return value
      }
      const char = this.text[this.at]!
      if (char === '\n' && !triple) throw this.error('newline in a single-line string')
      if (char === '\\' && quote === '"') {
        value += this.escape()
        continue
      }
      value += char
      this.at += 1
    }
  }

  private escape(): string {
    const next = this.text[this.at + 1]
    this.at += 2
    switch (next) {
      case 'n':
        return '\n'
      case 't':
        return '\t'
      case 'r':
        return '\r'
      case 'b':
        return '\b'
      case 'f':
        return '\f'
      case '"':
        return '"'
      case '\\':
        return '\\'
      case 'u':
      case 'U': {
        const length = next === 'u' ? 4 : 8
        const hex = this.text.slice(this.at, this.at + length)
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== length) throw this.error('bad unicode escape')
        this.at += length
        return String.fromCodePoint(Number.parseInt(hex, 16))
      }
      case '\n': {
        // Line-ending backslash in a multi-line string: drop the newline and leading whitespace.
        while (/\s/.test(this.text[this.at] ?? '')) this.at += 1
        return ''
      }
      default:
        throw this.error(`unknown escape \\${next ?? ''}`)
    }
  }

  private expect(token: string): void {
    this.skipSpaces()
    if (!this.text.startsWith(token, this.at)) throw this.error(`expected "${token}"`)
    this.at += token.length
  }

  private endOfLine(): void {
    this.skipSpaces()
    if (this.text[this.at] === '#') this.skipComment()
    if (this.at < this.text.length && this.text[this.at] !== '\n') throw this.error('unexpected text after a value')
  }

  private skipSpaces(): void {
    while (this.text[this.at] === ' ' || this.text[this.at] === '\t') this.at += 1
  }

  private skipComment(): void {
    while (this.at < this.text.length && this.text[this.at] !== '\n') this.at += 1
  }

  private skipBlank(newlines: boolean): void {
    for (;;) {
      this.skipSpaces()
      if (this.text[this.at] === '#') this.skipComment()
      if (newlines && this.text[this.at] === '\n') {
        this.at += 1
        continue
      }
      return
    }
  }

  private error(problem: string): TomlSyntaxError {
    const line = this.text.slice(0, this.at).split('\n').length
    return new TomlSyntaxError(line, problem)
  }
}
