/**
 * Test support: the PostgreSQL server the PostgreSQL variants of the store, lifecycle and API
 * suites run on. `BULWARK_TEST_DATABASE_URL` when set; otherwise the test setup
 * (test/globalSetup.ts) starts an embedded PostgreSQL from the npm registry and sets it. Those
 * variants always run: without a server they fail with this error instead of being skipped.
 *
 * @throws {Error} no server: the variable is unset and the embedded server did not start (why is in `BULWARK_TEST_DATABASE_ERROR`).
 */
export function testDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env['BULWARK_TEST_DATABASE_URL']
  if (url) return url
  const reason = env['BULWARK_TEST_DATABASE_ERROR'] ?? 'the test setup (test/globalSetup.ts) did not run'
  throw new Error(`No PostgreSQL for the PostgreSQL variant of this suite: BULWARK_TEST_DATABASE_URL is unset and the embedded PostgreSQL did not start (${reason})`)
}
