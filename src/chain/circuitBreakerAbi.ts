/**
 * ABI of `contracts/CircuitBreaker.sol:CircuitBreaker`, typed `as const` for viem.
 * Written out from the compile output; `onchainAbis.test.ts` keeps it equal to it.
 */
export const circuitBreakerAbi = [
  {
    inputs: [
      {
        internalType: 'address',
        name: 'initialOwner',
        type: 'address'
      }
    ],
    stateMutability: 'nonpayable',
    type: 'constructor'
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'limit',
        type: 'uint256'
      },
      {
        internalType: 'uint256',
        name: 'window',
        type: 'uint256'
      }
    ],
    name: 'CircuitBreakerInvalidRule',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'protectedContract',
        type: 'address'
      },
      {
        internalType: 'address',
        name: 'asset',
        type: 'address'
      }
    ],
    name: 'CircuitBreakerIsTripped',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'protectedContract',
        type: 'address'
      },
      {
        internalType: 'address',
        name: 'asset',
        type: 'address'
      }
    ],
    name: 'CircuitBreakerNoRule',
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
    name: 'CircuitBreakerUnauthorizedGuardian',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'owner',
        type: 'address'
      }
    ],
    name: 'OwnableInvalidOwner',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'account',
        type: 'address'
      }
    ],
    name: 'OwnableUnauthorizedAccount',
    type: 'error'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'address',
        name: 'guardian',
        type: 'address'
      },
      {
        indexed: false,
        internalType: 'bool',
        name: 'allowed',
        type: 'bool'
      }
    ],
    name: 'CircuitBreakerGuardianSet',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'address',
        name: 'protectedContract',
        type: 'address'
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'asset',
        type: 'address'
      },
      {
        indexed: false,
        internalType: 'bool',
        name: 'wasTripped',
        type: 'bool'
      }
    ],
    name: 'CircuitBreakerReset',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'address',
        name: 'protectedContract',
        type: 'address'
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'asset',
        type: 'address'
      }
    ],
    name: 'CircuitBreakerRuleRemoved',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'address',
        name: 'protectedContract',
        type: 'address'
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'asset',
        type: 'address'
      },
      {
        indexed: false,
        internalType: 'uint256',
        name: 'limit',
        type: 'uint256'
      },
      {
        indexed: false,
        internalType: 'uint256',
        name: 'window',
        type: 'uint256'
      }
    ],
    name: 'CircuitBreakerRuleSet',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'address',
        name: 'protectedContract',
        type: 'address'
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'asset',
        type: 'address'
      },
      {
        indexed: false,
        internalType: 'uint256',
        name: 'usage',
        type: 'uint256'
      },
      {
        indexed: false,
        internalType: 'uint256',
        name: 'amount',
        type: 'uint256'
      },
      {
        indexed: false,
        internalType: 'uint256',
        name: 'limit',
        type: 'uint256'
      }
    ],
    name: 'CircuitBreakerTripped',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'address',
        name: 'protectedContract',
        type: 'address'
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'asset',
        type: 'address'
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'by',
        type: 'address'
      }
    ],
    name: 'CircuitBreakerTrippedBy',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'address',
        name: 'previousOwner',
        type: 'address'
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'newOwner',
        type: 'address'
      }
    ],
    name: 'OwnershipTransferred',
    type: 'event'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'protectedContract',
        type: 'address'
      },
      {
        internalType: 'address',
        name: 'asset',
        type: 'address'
      }
    ],
    name: 'availableOutflow',
    outputs: [
      {
        internalType: 'uint256',
        name: 'available',
        type: 'uint256'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'account',
        type: 'address'
      }
    ],
    name: 'isGuardian',
    outputs: [
      {
        internalType: 'bool',
        name: 'allowed',
        type: 'bool'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'asset',
        type: 'address'
      },
      {
        internalType: 'uint256',
        name: 'amount',
        type: 'uint256'
      }
    ],
    name: 'onOutflow',
    outputs: [
      {
        internalType: 'bool',
        name: 'allowed',
        type: 'bool'
      }
    ],
    stateMutability: 'nonpayable',
    type: 'function'
  },
  {
    inputs: [],
    name: 'owner',
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
    inputs: [
      {
        internalType: 'address',
        name: 'protectedContract',
        type: 'address'
      },
      {
        internalType: 'address',
        name: 'asset',
        type: 'address'
      }
    ],
    name: 'removeRule',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function'
  },
  {
    inputs: [],
    name: 'renounceOwnership',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'protectedContract',
        type: 'address'
      },
      {
        internalType: 'address',
        name: 'asset',
        type: 'address'
      }
    ],
    name: 'reset',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'protectedContract',
        type: 'address'
      },
      {
        internalType: 'address',
        name: 'asset',
        type: 'address'
      }
    ],
    name: 'ruleOf',
    outputs: [
      {
        internalType: 'uint256',
        name: 'limit',
        type: 'uint256'
      },
      {
        internalType: 'uint256',
        name: 'window',
        type: 'uint256'
      },
      {
        internalType: 'uint256',
        name: 'usage',
        type: 'uint256'
      },
      {
        internalType: 'bool',
        name: 'tripped',
        type: 'bool'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'guardian',
        type: 'address'
      },
      {
        internalType: 'bool',
        name: 'allowed',
        type: 'bool'
      }
    ],
    name: 'setGuardian',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'protectedContract',
        type: 'address'
      },
      {
        internalType: 'address',
        name: 'asset',
        type: 'address'
      },
      {
        internalType: 'uint256',
        name: 'limit',
        type: 'uint256'
      },
      {
        internalType: 'uint256',
        name: 'window',
        type: 'uint256'
      }
    ],
    name: 'setRule',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'newOwner',
        type: 'address'
      }
    ],
    name: 'transferOwnership',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'protectedContract',
        type: 'address'
      },
      {
        internalType: 'address',
        name: 'asset',
        type: 'address'
      }
    ],
    name: 'trip',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function'
  }
] as const
