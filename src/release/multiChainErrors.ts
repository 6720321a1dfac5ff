import { BaseError } from '../errors/BaseError.js'

/** The chains given for a multi-chain release are not the chains the patch targets. */
export class MultiChainChainMissingError extends BaseError {
  override readonly name = 'MultiChainChainMissingError'
  constructor({ patchId, missing, extra, where }: { patchId: string; missing: readonly number[]; extra: readonly number[]; where: string }) {
    super(
      'BW_MULTICHAIN_CHAIN_MISSING',
      [
        missing.length > 0 ? `Patch ${patchId} targets chain${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, which ${missing.length > 1 ? 'have' : 'has'} no entry in ${where}.` : '',
        extra.length > 0 ? `${where} names chain${extra.length > 1 ? 's' : ''} ${extra.join(', ')}, which patch ${patchId} does not target.` : '',
      ]
        .filter(Boolean)
        .join(' '),
      { metaMessages: ['A multi-chain release covers exactly the chains of the patch targets (each target carries its chain id).'] },
    )
  }
}

/** An RPC URL answers for another chain than the one it was given for. */
export class MultiChainChainMismatchError extends BaseError {
  override readonly name = 'MultiChainChainMismatchError'
  constructor({ expected, actual }: { expected: number; actual: number }) {
    super('BW_MULTICHAIN_CHAIN_MISMATCH', `The RPC endpoint given for chain ${expected} answers with chain id ${actual}. Nothing was sent.`)
  }
}

/** The fix would go public while a pending chain is not paused. */
export class MultiChainNotPausedError extends BaseError {
  override readonly name = 'MultiChainNotPausedError'
  constructor({ patchId, chainId, reason }: { patchId: string; chainId: number; reason: string }) {
    super('BW_MULTICHAIN_NOT_PAUSED', `The release of patch ${patchId} would make the fix public while chain ${chainId} is not paused: ${reason} Nothing was sent.`, {
      metaMessages: ['Configure a pause for every chain of the release (pause target and pauser key), or release on routes that disclose nothing before their execute.'],
    })
  }
}
