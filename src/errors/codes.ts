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
  BW_STORE_FAILED: { exit: 7, http: 500, summary: 'The database could not be opened, migrated or queried.' },
  BW_NO_SNAPSHOT: { exit: 7, http: 404, summary: '`inventory --diff` found no earlier snapshot for this chain to compare with.' },
  BW_INTERNAL: { exit: 70, http: 500, summary: 'An unexpected failure inside Bulwark (a bug): please report it.' },
} as const satisfies Record<string, { exit: number; http: number; summary: string; retired?: boolean }>

export type ErrorCode = keyof typeof errorCodes
