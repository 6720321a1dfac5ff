#!/usr/bin/env node
// Thin launcher: the CLI itself sets process.exitCode and never exits on its own.
import { existsSync } from 'node:fs'

const entry = new URL('../dist/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write('bulwark is not built yet: run `npm run build` (npm start does it for you).\n')
  process.exitCode = 70
} else {
  const { main } = await import(entry.href)
  process.exitCode = await main(process.argv.slice(2))
}
