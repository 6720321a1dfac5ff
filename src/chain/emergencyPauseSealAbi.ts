/**
 * ABI of `contracts/EmergencyPauseSeal.sol:EmergencyPauseSeal`, typed `as const` for viem.
 * Written out from the compile output; `onchainAbis.test.ts` keeps it equal to it.
 */
export const emergencyPauseSealAbi = [
  {
    inputs: [
      {
        internalType: 'address',
        name: 'committee_',
        type: 'address'
      },
      {
        internalType: 'address[]',
        name: 'targets_',
        type: 'address[]'
      },
      {
        internalType: 'uint256',
        name: 'maxPauseDuration_',
        type: 'uint256'
      },
      {
        internalType: 'uint256',
        name: 'expiresAt_',
        type: 'uint256'
      }
    ],
    stateMutability: 'nonpayable',
    type: 'constructor'
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'usedAt',
        type: 'uint256'
      }
    ],
    name: 'EmergencyPauseSealAlreadyUsed',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'expiredAt',
        type: 'uint256'
      }
    ],
    name: 'EmergencyPauseSealExpired',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'maxPauseDuration',
        type: 'uint256'
      },
      {
        internalType: 'uint256',
        name: 'expiresAt',
        type: 'uint256'
      }
    ],
    name: 'EmergencyPauseSealInvalidConfiguration',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'requested',
        type: 'uint256'
      },
      {
        internalType: 'uint256',
        name: 'maximum',
        type: 'uint256'
      }
    ],
    name: 'EmergencyPauseSealInvalidDuration',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'target',
        type: 'address'
      }
    ],
    name: 'EmergencyPauseSealInvalidTarget',
    type: 'error'
  },
  {
    inputs: [],
    name: 'EmergencyPauseSealNoTargets',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'caller',
        type: 'address'
      }
    ],
    name: 'EmergencyPauseSealUnauthorized',
    type: 'error'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'address',
        name: 'committee',
        type: 'address'
      },
      {
        indexed: false,
        internalType: 'address[]',
        name: 'targets',
        type: 'address[]'
      },
      {
        indexed: false,
        internalType: 'uint256',
        name: 'duration',
        type: 'uint256'
      },
      {
        indexed: false,
        internalType: 'uint256',
        name: 'pausedUntil',
        type: 'uint256'
      }
    ],
    name: 'EmergencyPauseSealUsed',
    type: 'event'
  },
  {
    inputs: [],
    name: 'committee',
    outputs: [
      {
        internalType: 'address',
        name: '',
        type: 'address'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  },
  {
    inputs: [],
    name: 'expiresAt',
    outputs: [
      {
        internalType: 'uint256',
        name: '',
        type: 'uint256'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  },
  {
    inputs: [],
    name: 'isUsable',
    outputs: [
      {
        internalType: 'bool',
        name: '',
        type: 'bool'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  },
  {
    inputs: [],
    name: 'maxPauseDuration',
    outputs: [
      {
        internalType: 'uint256',
        name: '',
        type: 'uint256'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'address[]',
        name: 'sealTargets',
        type: 'address[]'
      },
      {
        internalType: 'uint256',
        name: 'duration',
        type: 'uint256'
      }
    ],
    name: 'seal',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function'
  },
  {
    inputs: [],
    name: 'targets',
    outputs: [
      {
        internalType: 'address[]',
        name: '',
        type: 'address[]'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  },
  {
    inputs: [],
    name: 'usedAt',
    outputs: [
      {
        internalType: 'uint256',
        name: '',
        type: 'uint256'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  }
] as const
