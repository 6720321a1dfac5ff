#!/usr/bin/env node
// Thin launcher: the CLI itself sets process.exitCode and never exits on its own; `launch` runs
// `bulwark monitor` in a heap-capped worker thread (src/cli/launch.ts), every other command in place.
import { existsSync } from 'node:fs'

const entry = new URL('../dist/cli/launch.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write('bulwark is not built yet: run `npm run build` (npm start does it for you).\n')
  process.exitCode = 70
} else {
  const { launch } = await import(entry.href)
  process.exitCode = await launch(process.argv.slice(2))
}
