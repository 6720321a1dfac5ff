import { BaseError } from '../src/errors/BaseError.js'
import { compileAllProtocols } from './protocols/compileProtocols.js'

// Compiles every protocol kit (test/protocols) once before any test file runs, each with its own solc
// release, so parallel test files that deploy a kit read the content-hash cache instead of each running solc.
export default async function setup(): Promise<void> {
  try {
    const builds = await compileAllProtocols()
    const summary = Object.values(builds).map((build) => `${build.kit} (solc ${build.solcVersion}) ${build.cached ? 'cached' : `compiled in ${Math.round(build.durationMs)} ms`}`)
    console.log(`test/protocols: ${summary.join(', ')}`)
  } catch (error) {
    // A kit that does not compile must not stop unrelated test files; the files that need it fail with this error.
    if (!(error instanceof BaseError)) throw error
    console.warn(`test/protocols kits do not compile (${error.code}):\n${error.message}`)
  }
}
