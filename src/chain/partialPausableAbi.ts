/**
 * ABI of `contracts/PartialPausableUpgradeable.sol:PartialPausableUpgradeable`, typed `as const` for viem.
 * Written out from the compile output; `onchainAbis.test.ts` keeps it equal to it.
 */
export const partialPausableAbi = [
  {
    inputs: [],
    name: 'InvalidInitialization',
    type: 'error'
  },
  {
    inputs: [],
    name: 'NotInitializing',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'asset',
        type: 'address'
      }
    ],
    name: 'PartialPausableAssetPaused',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'duration',
        type: 'uint256'
      }
    ],
    name: 'PartialPausableInvalidDuration',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'bytes4',
        name: 'selector',
        type: 'bytes4'
      }
    ],
    name: 'PartialPausableSelectorPaused',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'until',
        type: 'uint256'
      }
    ],
    name: 'PartialPausableTimedPause',
    type: 'error'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'address',
        name: 'asset',
        type: 'address'
      },
      {
        indexed: false,
        internalType: 'bool',
        name: 'paused',
        type: 'bool'
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'account',
        type: 'address'
      }
    ],
    name: 'AssetPauseChanged',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        internalType: 'uint64',
        name: 'version',
        type: 'uint64'
      }
    ],
    name: 'Initialized',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes4',
        name: 'selector',
        type: 'bytes4'
      },
      {
        indexed: false,
        internalType: 'bool',
        name: 'paused',
        type: 'bool'
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'account',
        type: 'address'
      }
    ],
    name: 'SelectorPauseChanged',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'address',
        name: 'account',
        type: 'address'
      }
    ],
    name: 'TimedPauseLifted',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'address',
        name: 'account',
        type: 'address'
      },
      {
        indexed: false,
        internalType: 'uint256',
        name: 'until',
        type: 'uint256'
      }
    ],
    name: 'TimedPauseStarted',
    type: 'event'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'asset',
        type: 'address'
      }
    ],
    name: 'isAssetPaused',
    outputs: [
      {
        internalType: 'bool',
        name: 'paused',
        type: 'bool'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'bytes4',
        name: 'selector',
        type: 'bytes4'
      }
    ],
    name: 'isSelectorPaused',
    outputs: [
      {
        internalType: 'bool',
        name: 'paused',
        type: 'bool'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  },
  {
    inputs: [],
    name: 'pausedUntil',
    outputs: [
      {
        internalType: 'uint256',
        name: 'until',
        type: 'uint256'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  }
] as const
