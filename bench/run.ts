/**
 * `npm run bench`: runs every bench/*.bench.ts in turn (each in its own process, so one
 * benchmark's anvil or server never skews another) and prints their figures. `npm run bench -- api`
 * runs only the files whose name contains "api".
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import path from 'node:path'

const dir = import.meta.dirname
const filter = process.argv[2]
const files = readdirSync(dir)
  .filter((name) => name.endsWith('.bench.ts') && (filter === undefined || name.includes(filter)))
  .sort()

let failed = 0
for (const file of files) {
  console.log(`\n=== ${file} ===`)
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, file)], { stdio: 'inherit' })
  if (result.status !== 0) {
    failed += 1
    console.log(`${file} exited with ${result.status ?? result.signal}`)
  }
}
process.exitCode = failed > 0 ? 1 : 0
