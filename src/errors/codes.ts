/**
 * The registry of stable error codes. A code, once published, keeps its meaning forever;
 * a retired code stays here with `retired: true` and is never reused.
 * `docs/errors.md` is checked against this table by `codes.test.ts` in both directions.
 *
 * `exit` is the CLI exit code for the failure class; `http` is the status the server answers with.
 */
export const errorCodes = {
  BW_USAGE: { exit: 2, http: 400, summary: 'A command-line flag or argument is missing, unknown or malformed.' },
  BW_ADDRESS_INVALID: { exit: 2, http: 400, summary: 'A value given as an address is not a 20-byte hex address.' },
  BW_PROJECT_NOT_FOUND: { exit: 2, http: 404, summary: 'The project file does not exist at the given path.' },
  BW_PROJECT_INVALID: { exit: 2, http: 400, summary: 'The project file is not valid JSON or fails the schema; the message names the field path.' },
  BW_PROJECT_EXISTS: { exit: 2, http: 409, summary: '`bulwark init` would overwrite an existing project file (pass --force).' },
  BW_RPC_UNREACHABLE: { exit: 3, http: 502, summary: 'The RPC endpoint did not answer (connection refused, timeout, DNS).' },
  BW_RPC_FAILED: { exit: 3, http: 502, summary: 'The RPC endpoint answered a call with an error.' },
  BW_NO_CODE: { exit: 4, http: 422, summary: 'An address given as a contract has no code on the chain.' },
  BW_IMPLEMENTATION_NO_CODE: { exit: 4, http: 422, summary: "A proxy's implementation (or beacon) slot points to an account with no code." },
  BW_COMPILE_FAILED: { exit: 5, http: 422, summary: 'solc reported errors; each is given as file:line:column and the compiler message.' },
  BW_SOURCE_NOT_FOUND: { exit: 5, http: 422, summary: 'A Solidity import could not be resolved from the project or node_modules.' },
  BW_BUILD_INFO_INVALID: { exit: 5, http: 422, summary: 'A build-info file (Bulwark, Foundry or Hardhat) is unreadable or lacks input/output.' },
  BW_ARTIFACT_NOT_FOUND: { exit: 5, http: 404, summary: 'No contract of the requested name exists in the build output.' },
  BW_ANVIL_FAILED: { exit: 6, http: 500, summary: 'The local anvil chain could not be started or did not become ready.' },
  BW_DEPLOY_FAILED: { exit: 6, http: 500, summary: 'A deployment transaction reverted or produced no contract.' },
  BW_GOVERNANCE_FAILED: { exit: 6, http: 500, summary: 'A Safe or timelock transaction (schedule or execute) reverted, or the operation did not end up executed.' },
  BW_ATTESTATION_INVALID: { exit: 2, http: 400, summary: 'A release attestation has a malformed patch id, report hash or codehash (not 32 bytes), or no codehash at all.' },
  BW_STORE_FAILED: { exit: 7, http: 500, summary: 'The database could not be opened, migrated or queried.' },
  BW_NO_SNAPSHOT: { exit: 7, http: 404, summary: '`inventory --diff` found no earlier snapshot for this chain to compare with.' },
  BW_INPUT_INVALID: { exit: 2, http: 400, summary: "An API request's body, query or path parameter fails its schema (or is not JSON); the message names the field." },
  BW_BODY_TOO_LARGE: { exit: 2, http: 413, summary: "An API request body is larger than the server's body limit." },
  BW_UNAUTHENTICATED: { exit: 8, http: 401, summary: 'An API request has no token, or a token that is unknown or revoked.' },
  BW_FORBIDDEN: { exit: 8, http: 403, summary: "The API token's roles do not allow this route." },
  BW_RATE_LIMITED: { exit: 8, http: 429, summary: 'Too many API requests with this token (or from this address) in the current minute; retry after the Retry-After header.' },
  BW_ROUTE_NOT_FOUND: { exit: 8, http: 404, summary: "No API route matches the request's method and path." },
  BW_SERVER_UNREACHABLE: { exit: 8, http: 502, summary: 'The CLI could not reach the Bulwark server given by --server (or BULWARK_SERVER), or it did not answer with JSON.' },
  BW_SERVER_OPTIONS_INVALID: { exit: 2, http: 500, summary: 'The HTTP server was started with an invalid option (port, host, body limit, rate limit); the message names it.' },
  BW_TOKEN_NOT_FOUND: { exit: 2, http: 404, summary: 'No API token with the given id exists (or it is already revoked).' },
  BW_MANIFEST_NOT_FOUND: { exit: 2, http: 404, summary: 'The patch manifest given to `bulwark validate` does not exist.' },
  BW_MANIFEST_INVALID: { exit: 2, http: 400, summary: 'The patch manifest is not valid JSON or fails the schema; the message names the field path.' },
  BW_FORK_FAILED: { exit: 6, http: 500, summary: 'A validation fork could not be prepared: the anvil fork, the implementation deployment or the upgrade on the fork failed.' },
  BW_FORGE_FAILED: { exit: 5, http: 422, summary: 'forge could not run a Foundry PoC or suite (compile error, no matching test, timeout, unreadable output).' },
  BW_CHECK_INVALID: { exit: 2, http: 400, summary: 'A proof of concept, regression check or invariant in the manifest cannot be run as given (unknown contract, missing script, bad call).' },
  BW_INTEL_FEED_UNREADABLE: { exit: 2, http: 422, summary: 'An advisory feed (file, folder or URL) could not be read, or is not JSON in a form Bulwark reads (OSV entry, list, snapshot); single malformed entries are reported and skipped instead.' },
  BW_RISK_INPUT_INVALID: { exit: 2, http: 400, summary: 'The risk model was given an input it cannot use (unknown severity or exposure, a share outside 0–1, no allowed route, a negative latency); the message names the field.' },
  BW_TRANSITION_ILLEGAL: { exit: 9, http: 409, summary: 'The advisory or patch state machine does not allow this transition from the current state; the message names the current state and the allowed next ones.' },
  BW_ADVISORY_NOT_FOUND: { exit: 9, http: 404, summary: 'No advisory with this id exists, or it is embargoed and the caller is not cleared for it (the two are indistinguishable on purpose).' },
  BW_PATCH_NOT_FOUND: { exit: 9, http: 404, summary: "No patch with this id exists, or its advisory is embargoed and the caller is not cleared for it." },
  BW_CONFLICT: { exit: 9, http: 409, summary: 'Another change came first: the advisory or patch is no longer in the expected state, the advisory already has an open patch, or the signer already approved.' },
  BW_SIGNING_KEY_INVALID: { exit: 2, http: 500, summary: 'The audit signing key (BULWARK_SIGNING_KEY or .bulwark/signing-key.pem) is not an Ed25519 private key in PEM, or cannot be read or written.' },
  BW_INTERNAL: { exit: 70, http: 500, summary: 'An unexpected failure inside Bulwark (a bug): please report it.' },
} as const satisfies Record<string, { exit: number; http: number; summary: string; retired?: boolean }>

export type ErrorCode = keyof typeof errorCodes
