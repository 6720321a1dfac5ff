import type { Address, Hex } from 'viem'
import { BaseError, redactSecrets } from '../errors/BaseError.js'

export class AnvilStartError extends BaseError {
  override readonly name = 'AnvilStartError'
  constructor({ reason, output }: { reason: string; output?: string }) {
    super('BW_ANVIL_FAILED', `Could not start anvil: ${reason}`, {
      ...(output ? { details: redactSecrets(output.trim().split('\n').slice(-5).join('\n')) } : {}),
    })
  }
}

export class RpcUnreachableError extends BaseError {
  override readonly name = 'RpcUnreachableError'
  constructor({ url, cause }: { url: string; cause?: unknown }) {
    super('BW_RPC_UNREACHABLE', `The RPC endpoint ${redactSecrets(url)} did not answer.`, {
      metaMessages: ['Check that the node is running and the URL (scheme, host, port) is right.'],
      ...(cause instanceof Error ? { details: redactSecrets(shortCause(cause)) } : {}),
      cause,
    })
  }
}

export class RpcCallError extends BaseError {
  override readonly name = 'RpcCallError'
  constructor({ url, method, cause }: { url: string; method: string; cause?: unknown }) {
    super('BW_RPC_FAILED', `The RPC call ${method} to ${redactSecrets(url)} failed.`, {
      ...(cause instanceof Error ? { details: redactSecrets(shortCause(cause)) } : {}),
      cause,
    })
  }
}

export class InvalidAddressError extends BaseError {
  override readonly name = 'InvalidAddressError'
  constructor({ value, where }: { value: string; where?: string }) {
    super('BW_ADDRESS_INVALID', `"${value.length > 60 ? `${value.slice(0, 60)}…` : value}" is not a valid address.`, {
      metaMessages: [
        'An address is 0x followed by 40 hex digits; mixed case must match its EIP-55 checksum.',
        ...(where ? [`Given at: ${where}`] : []),
      ],
    })
  }
}

export class NoCodeError extends BaseError {
  override readonly name = 'NoCodeError'
  constructor({ address, blockNumber }: { address: string; blockNumber?: bigint }) {
    super('BW_NO_CODE', `No contract code at ${address}${blockNumber === undefined ? '' : ` (block ${blockNumber})`}.`, {
      metaMessages: ['The address is an externally owned account or was never deployed on this chain.'],
    })
  }
}

export class ImplementationNoCodeError extends BaseError {
  override readonly name = 'ImplementationNoCodeError'
  constructor({ proxy, slot, target }: { proxy: string; slot: 'implementation' | 'beacon' | 'beacon implementation'; target: string }) {
    super('BW_IMPLEMENTATION_NO_CODE', `Proxy ${proxy} points its ${slot} to ${target}, which has no code.`, {
      metaMessages: ['Every call through this proxy will fail or silently succeed without effect.'],
    })
  }
}

export class DeployError extends BaseError {
  override readonly name = 'DeployError'
  constructor({ contract, reason }: { contract: string; reason: string }) {
    super('BW_DEPLOY_FAILED', `Deploying ${contract} failed: ${reason}`)
  }
}

/**
 * Failure on the governance path: the Safe could not schedule or execute the batch on the timelock,
 * or the batch did not end up executed.
 */
export class TimelockOperationError extends BaseError {
  override readonly name = 'TimelockOperationError'
  /** Where it failed: after a failed `execute` the batch stays scheduled and can be retried or cancelled. */
  readonly stage: 'schedule' | 'execute'
  readonly operationId: Hex
  constructor({ stage, operationId, timelock, reason, cause }: { stage: 'schedule' | 'execute'; operationId: Hex; timelock: Address; reason: string; cause?: unknown }) {
    // viem's reasons span lines ("reverted with the following reason:\nGS020"); one line reads better in logs.
    const oneLineReason = reason.replace(/\s*\n\s*/g, ' ')
    super('BW_GOVERNANCE_FAILED', `Could not ${stage} timelock operation ${operationId} on ${timelock}: ${oneLineReason}`, {
      metaMessages: [
        stage === 'schedule'
          ? 'Check that the Safe holds PROPOSER_ROLE on the timelock and that enough owners signed.'
          : 'The batch was scheduled; one of its calls reverts when the timelock executes it, or the Safe lacks EXECUTOR_ROLE.',
      ],
      cause,
    })
    this.stage = stage
    this.operationId = operationId
  }
}

function shortCause(error: Error): string {
  const shortMessage = (error as { shortMessage?: unknown }).shortMessage
  return typeof shortMessage === 'string' ? shortMessage : error.message.split('\n')[0] ?? ''
}

/** A release attestation cannot be built: a hash is malformed or the codehash list is empty. */
export class ReleaseAttestationInvalidError extends BaseError {
  override readonly name = 'ReleaseAttestationInvalidError'
  constructor({ field, reason }: { field: string; reason: string }) {
    super('BW_ATTESTATION_INVALID', `Invalid release attestation field ${field}: ${reason}.`, {
      metaMessages: ['Patch id, report hash and each codehash are 32-byte hex values (0x + 64 hex digits); a release names at least one codehash.'],
    })
  }
}
