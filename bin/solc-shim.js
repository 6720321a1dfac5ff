#!/usr/bin/env node
// A `solc` stand-in for `forge --use <this file> --offline`: forge only needs `--version` (a
// `Version: 0.8.x+commit.<hash>` line) and `--standard-json` (input on stdin, output on stdout).
// Both are answered by solc-js: the release in BULWARK_SOLJSON (a soljson.js Bulwark fetched from the
// npm registry, the version the project asks for) wrapped by the bundled solc-js, else the bundled
// build pinned in package.json. forge never downloads a compiler.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)
const solc = process.env.BULWARK_SOLJSON ? require('solc/wrapper.js')(require(process.env.BULWARK_SOLJSON)) : require('solc')
const args = process.argv.slice(2)

if (args.includes('--version')) {
  // solc-js reports `0.8.30+commit.73712a01.Emscripten.clang`; forge parses the semver before the platform.
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`)
  process.exit(0)
}

if (!args.includes('--standard-json')) {
  process.stderr.write('solc-shim: only --version and --standard-json are supported\n')
  process.exit(2)
}

// forge passes --base-path/--include-path/--allow-paths; imports it has not inlined are read from there.
const roots = []
for (let index = 0; index < args.length; index++) {
  if (['--base-path', '--include-path', '--allow-paths'].includes(args[index]) && args[index + 1]) {
    for (const entry of args[index + 1].split(',')) roots.push(entry)
  }
}
roots.push(process.cwd())

function findImports(importPath) {
  for (const root of roots) {
    try {
      return { contents: readFileSync(path.resolve(root, importPath), 'utf8') }
    } catch {
      // try the next root
    }
  }
  return { error: `File not found: ${importPath}` }
}

const input = readFileSync(0, 'utf8')
process.stdout.write(solc.compile(input, { import: findImports }))
