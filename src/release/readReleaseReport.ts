import { readFile } from 'node:fs/promises'
import { isAddress, type Hex } from 'viem'
import type { VerifyReleaseParameters } from './verifyRelease.js'
import { canonicalHash } from './canonicalHash.js'
import { VerifyInputInvalidError } from './errors.js'

export type PublicReleaseReport = VerifyReleaseParameters['report'] & { file: Record<string, unknown> & { hash: Hex } }

const bytes32 = /^0x[0-9a-fA-F]{64}$/

/**
 * Reads a public validation report file (what `bulwark validate --report FILE` writes:
 * `{ hash, ...document }`) and checks it: JSON, the fields a release and its verification need,
 * and `hash` equal to keccak256 of the canonical JSON of the rest — a report edited after it was
 * hashed is refused, so what is verified is what was validated and approved.
 *
 * @throws {VerifyInputInvalidError} BW_VERIFY_INPUT_INVALID: unreadable, not JSON, a field missing, or the hash does not match.
 */
export async function readReleaseReport(file: string): Promise<PublicReleaseReport> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new VerifyInputInvalidError({ file, reason: `cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'}).` })
  }
  return parseReleaseReport(text, file)
}

export function parseReleaseReport(text: string, file: string): PublicReleaseReport {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new VerifyInputInvalidError({ file, reason: 'it is not JSON.' })
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new VerifyInputInvalidError({ file, reason: 'it is not a JSON object.' })
  const report = parsed as Record<string, unknown>
  const fail = (reason: string): never => {
    throw new VerifyInputInvalidError({ file, reason })
  }
  if (typeof report.hash !== 'string' || !bytes32.test(report.hash)) fail('"hash" must be the report hash (32 bytes in hex).')
  if (report.verdict !== 'pass' && report.verdict !== 'fail') fail('"verdict" must be "pass" or "fail".')
  const chain = report.chain as { chainId?: unknown; blockNumber?: unknown } | undefined
  if (!chain || typeof chain.chainId !== 'number' || !Number.isInteger(chain.chainId)) fail('"chain.chainId" must be an integer.')
  if (chain!.blockNumber !== undefined && (typeof chain!.blockNumber !== 'string' || !/^\d+$/.test(chain!.blockNumber))) fail('"chain.blockNumber" must be a decimal string.')
  const diamondCut = Array.isArray(report.stages) && (report.stages as { stage?: unknown; status?: unknown }[]).some((stage) => stage?.stage === 'diamond-cut' && stage.status !== 'skipped')
  if (!Array.isArray(report.targets) || (report.targets.length === 0 && !diamondCut)) fail('"targets" must list the upgraded proxies (or "stages" hold the diamond-cut stage).')
  for (const [index, target] of (report.targets as unknown[]).entries()) {
    const t = target as { name?: unknown; proxy?: unknown; implementation?: { contract?: unknown; runtimeCodeHash?: unknown }; initializerCalldata?: unknown } | null
    if (!t || typeof t.name !== 'string') fail(`targets[${index}].name is missing.`)
    if (typeof t!.proxy !== 'string' || !isAddress(t!.proxy, { strict: false })) fail(`targets[${index}].proxy must be an address.`)
    if (typeof t!.implementation?.contract !== 'string') fail(`targets[${index}].implementation.contract is missing.`)
    if (typeof t!.implementation?.runtimeCodeHash !== 'string' || !bytes32.test(t!.implementation.runtimeCodeHash)) fail(`targets[${index}].implementation.runtimeCodeHash must be 32 bytes in hex.`)
    if (typeof t!.initializerCalldata !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(t!.initializerCalldata)) fail(`targets[${index}].initializerCalldata must be hex.`)
  }
  const recomputed = canonicalHash(report)
  if (recomputed !== (report.hash as string).toLowerCase()) fail(`its hash ${String(report.hash)} is not the keccak256 of its canonical JSON (${recomputed}): the report was changed after it was hashed.`)
  const { hash, ...document } = report
  return { hash: hash as Hex, document: document as unknown as PublicReleaseReport['document'], file: report as PublicReleaseReport['file'] }
}
