import { readFile } from 'node:fs/promises'
import path from 'node:path'

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
}

/**
 * A file of the built dashboard for a GET that no API route answered: `/assets/…` as is, any other
 * path without an extension gets `index.html` (the app routes with the URL hash). Never leaves `dir`.
 */
export async function readDashboardFile(dir: string, url: string): Promise<{ body: Buffer; type: string; cache: string } | undefined> {
  const pathname = decodeURIComponent(url.split('?')[0]!.split('#')[0]!)
  const wanted = pathname === '/' || path.extname(pathname) === '' ? '/index.html' : pathname
  const root = path.resolve(dir)
  const file = path.resolve(root, `.${path.posix.normalize(wanted)}`)
  if (!file.startsWith(root + path.sep)) return undefined
  const type = types[path.extname(file)]
  if (!type) return undefined
  try {
    const body = await readFile(file)
    return { body, type, cache: wanted.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache' }
  } catch {
    return undefined
  }
}
