import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The root of the Bulwark package itself (where its own `contracts/` live), whether running
 * from `src/` under tsx/vitest or from the built `dist/`: both sit two folders below it.
 */
export function bulwarkRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
}
