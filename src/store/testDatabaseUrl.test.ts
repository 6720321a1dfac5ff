import { expect, test } from 'vitest'
import { testDatabaseUrl } from './testDatabaseUrl.js'

test('the PostgreSQL suites get the server of the run, or fail naming why there is none', () => {
  expect(testDatabaseUrl({ BULWARK_TEST_DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' })).toBe('postgres://u@127.0.0.1:5432/db')
  expect(() => testDatabaseUrl({ BULWARK_TEST_DATABASE_ERROR: 'initdb failed (exit 1)' })).toThrow(
    'No PostgreSQL for the PostgreSQL variant of this suite: BULWARK_TEST_DATABASE_URL is unset and the embedded PostgreSQL did not start (initdb failed (exit 1))',
  )
  expect(() => testDatabaseUrl({})).toThrow(/did not start \(the test setup \(test\/globalSetup.ts\) did not run\)/)
})

test('the test setup started a PostgreSQL server for this run, or named the server to use', () => {
  // Fails (not skips) the run when the embedded server could not start: the message says why.
  expect(testDatabaseUrl()).toMatch(/^postgres(ql)?:\/\//)
})
