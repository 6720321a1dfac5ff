import { keccak256, recoverTypedDataAddress, toHex } from 'viem'
import { describe, expect, test } from 'vitest'
import { devAccount } from './devAccounts.js'
import { ReleaseAttestationInvalidError } from './errors.js'
import { releaseAttestationTypedData, signReleaseAttestation, type ReleaseAttestation } from './signReleaseAttestation.js'

const auditor = devAccount(10)
const attestation: ReleaseAttestation = {
  gate: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  chainId: 31337,
  patchId: keccak256(toHex('patch')),
  reportHash: keccak256(toHex('report')),
  codehashes: [keccak256(toHex('code a')), keccak256(toHex('code b'))],
}

describe('signReleaseAttestation', () => {
  test('an EIP-712 signature that recovers to the auditor for exactly this patch, report, codehashes, chain and gate', async () => {
    const signature = await signReleaseAttestation(auditor, attestation)
    expect(await recoverTypedDataAddress({ ...releaseAttestationTypedData(attestation), signature })).toBe(auditor.address)
    for (const changed of [
      { chainId: 1 },
      { gate: '0x0000000000000000000000000000000000000001' as const },
      { reportHash: keccak256(toHex('another report')) },
      { codehashes: [...attestation.codehashes].reverse() },
    ]) {
      expect(await recoverTypedDataAddress({ ...releaseAttestationTypedData({ ...attestation, ...changed }), signature })).not.toBe(auditor.address)
    }
  })

  test('a malformed hash or an empty codehash list is refused with BW_ATTESTATION_INVALID, naming the field', async () => {
    const bad = [
      [{ patchId: '0x1234' as const }, 'patchId'],
      [{ reportHash: 'not hex' as `0x${string}` }, 'reportHash'],
      [{ codehashes: [attestation.codehashes[0]!, `${attestation.codehashes[1]!}00` as const] }, 'codehashes[1]'],
      [{ codehashes: [] }, 'codehashes'],
    ] as const
    for (const [change, field] of bad) {
      const error = await signReleaseAttestation(auditor, { ...attestation, ...change }).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(ReleaseAttestationInvalidError)
      expect(error).toMatchObject({ code: 'BW_ATTESTATION_INVALID' })
      expect((error as Error).message).toContain(`field ${field}:`)
    }
  })
})
