import type { SolcError, SolcInput } from './buildInfo.js'

/** One solc message with its position turned into 1-based line and column. */
export type CompilerDiagnostic = {
  severity: 'error' | 'warning' | 'info'
  /** solc's class of message: ParserError, TypeError, DeclarationError, Warning, … */
  type: string
  message: string
  errorCode?: string
  sourceName?: string
  line?: number
  column?: number
}

/** Turns solc's `errors` array into diagnostics, resolving byte offsets against the input sources. */
export function toDiagnostics(errors: readonly SolcError[] | undefined, input: SolcInput): CompilerDiagnostic[] {
  return (errors ?? []).map((error) => {
    const location = error.sourceLocation
    const content = location ? input.sources[location.file]?.content : undefined
    const position = location && content !== undefined && location.start >= 0 ? lineColumnAtByte(content, location.start) : undefined
    return {
      severity: error.severity,
      type: error.type,
      message: error.message,
      ...(error.errorCode ? { errorCode: error.errorCode } : {}),
      ...(location?.file ? { sourceName: location.file } : {}),
      ...(position ?? {}),
    }
  })
}

export function formatDiagnostic(diagnostic: CompilerDiagnostic): string {
  const where = diagnostic.sourceName
    ? `${diagnostic.sourceName}${diagnostic.line === undefined ? '' : `:${diagnostic.line}:${diagnostic.column}`}: `
    : ''
  return `${where}${diagnostic.type}: ${diagnostic.message}`
}

/** 1-based line and column of a UTF-16 index (columns count characters, as editors do). */
export function lineColumnAt(content: string, index: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let i = content.indexOf('\n'); i !== -1 && i < index; i = content.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  return { line, column: index - lineStart + 1 }
}

/** solc's sourceLocation offsets count UTF-8 bytes, which differ from string indices past any non-ASCII character. */
export function lineColumnAtByte(content: string, byteOffset: number): { line: number; column: number } {
  const prefix = Buffer.from(content, 'utf8').subarray(0, byteOffset).toString('utf8')
  return lineColumnAt(content, prefix.length)
}
