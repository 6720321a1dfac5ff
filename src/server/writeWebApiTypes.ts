import { generateKeyPairSync } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { signingKeyFromPem } from '../lifecycle/signingKey.js'
import { openStore } from '../store/openStore.js'
import { createServer } from './createServer.js'
import { renderOpenApiTypes, type OpenApiDocument } from './renderOpenApiTypes.js'

/** Where the dashboard's API types live (committed; `npm run api-types` rewrites it). */
export const webApiTypesFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'src', 'api.generated.ts')

/** The dashboard's API types, rendered from the OpenAPI document a server serves (over a throwaway in-memory store). */
export async function generateWebApiTypes(): Promise<string> {
  const store = await openStore({ dataDir: 'memory://' })
  try {
    const { privateKey } = generateKeyPairSync('ed25519')
    const app = await createServer({ context: { store, signingKey: signingKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()) }, options: { logLevel: 'silent' } })
    try {
      const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>()
      return renderOpenApiTypes(document)
    } finally {
      await app.close()
    }
  } finally {
    await store.close()
  }
}

// `npm run api-types`
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeFile(webApiTypesFile, await generateWebApiTypes())
  process.stdout.write(`wrote ${path.relative(process.cwd(), webApiTypesFile)}\n`)
}
