/**
 * ABI of `contracts/ReleaseGate.sol:ReleaseGate`, typed `as const` for viem.
 * Written out from the compile output; `onchainAbis.test.ts` keeps it equal to it.
 */
export const releaseGateAbi = [
  {
    inputs: [
      {
        internalType: 'address',
        name: 'admin',
        type: 'address'
      },
      {
        internalType: 'address[]',
        name: 'releasers',
        type: 'address[]'
      },
      {
        internalType: 'address[]',
        name: 'initialAuditors',
        type: 'address[]'
      },
      {
        internalType: 'uint256',
        name: 'initialThreshold',
        type: 'uint256'
      }
    ],
    stateMutability: 'nonpayable',
    type: 'constructor'
  },
  {
    inputs: [],
    name: 'AccessControlBadConfirmation',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'account',
        type: 'address'
      },
      {
        internalType: 'bytes32',
        name: 'neededRole',
        type: 'bytes32'
      }
    ],
    name: 'AccessControlUnauthorizedAccount',
    type: 'error'
  },
  {
    inputs: [],
    name: 'InvalidShortString',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'beacon',
        type: 'address'
      }
    ],
    name: 'ReleaseGateBeaconCallUnsupported',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'account',
        type: 'address'
      },
      {
        internalType: 'bytes32',
        name: 'codehash',
        type: 'bytes32'
      }
    ],
    name: 'ReleaseGateCodeNotApproved',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'proxy',
        type: 'address'
      },
      {
        internalType: 'bytes32',
        name: 'expected',
        type: 'bytes32'
      },
      {
        internalType: 'bytes32',
        name: 'actual',
        type: 'bytes32'
      }
    ],
    name: 'ReleaseGateCodehashMismatch',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'patchId',
        type: 'bytes32'
      },
      {
        internalType: 'bytes32',
        name: 'expected',
        type: 'bytes32'
      },
      {
        internalType: 'bytes32',
        name: 'actual',
        type: 'bytes32'
      }
    ],
    name: 'ReleaseGateDiamondCutMismatch',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'auditor',
        type: 'address'
      }
    ],
    name: 'ReleaseGateDuplicateAttestation',
    type: 'error'
  },
  {
    inputs: [],
    name: 'ReleaseGateEmptyPatch',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'count',
        type: 'uint256'
      },
      {
        internalType: 'uint256',
        name: 'threshold',
        type: 'uint256'
      }
    ],
    name: 'ReleaseGateInsufficientAttestations',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'auditor',
        type: 'address'
      }
    ],
    name: 'ReleaseGateInvalidAuditor',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'index',
        type: 'uint256'
      }
    ],
    name: 'ReleaseGateInvalidSignature',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'threshold',
        type: 'uint256'
      },
      {
        internalType: 'uint256',
        name: 'auditorCount',
        type: 'uint256'
      }
    ],
    name: 'ReleaseGateInvalidThreshold',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'patchId',
        type: 'bytes32'
      }
    ],
    name: 'ReleaseGatePatchReplayed',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'signer',
        type: 'address'
      }
    ],
    name: 'ReleaseGateUnknownAuditor',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'patchId',
        type: 'bytes32'
      }
    ],
    name: 'ReleaseGateUnknownPatch',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'patchId',
        type: 'bytes32'
      },
      {
        internalType: 'uint256',
        name: 'expected',
        type: 'uint256'
      },
      {
        internalType: 'uint256',
        name: 'actual',
        type: 'uint256'
      }
    ],
    name: 'ReleaseGateUpgradeCountMismatch',
    type: 'error'
  },
  {
    inputs: [
      {
        internalType: 'string',
        name: 'str',
        type: 'string'
      }
    ],
    name: 'StringTooLong',
    type: 'error'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'address',
        name: 'auditor',
        type: 'address'
      }
    ],
    name: 'AuditorAdded',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'address',
        name: 'auditor',
        type: 'address'
      }
    ],
    name: 'AuditorRemoved',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'address',
        name: 'ownable',
        type: 'address'
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'newOwner',
        type: 'address'
      }
    ],
    name: 'AuthorityHandedOver',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'patchId',
        type: 'bytes32'
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'diamond',
        type: 'address'
      },
      {
        indexed: false,
        internalType: 'bytes32',
        name: 'cutHash',
        type: 'bytes32'
      },
      {
        indexed: false,
        internalType: 'address',
        name: 'init',
        type: 'address'
      },
      {
        indexed: false,
        internalType: 'bytes32',
        name: 'initDataHash',
        type: 'bytes32'
      }
    ],
    name: 'DiamondCutReleased',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [],
    name: 'EIP712DomainChanged',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'patchId',
        type: 'bytes32'
      },
      {
        indexed: false,
        internalType: 'bytes32',
        name: 'reportHash',
        type: 'bytes32'
      },
      {
        indexed: false,
        internalType: 'bytes32[]',
        name: 'codehashes',
        type: 'bytes32[]'
      },
      {
        indexed: false,
        internalType: 'address[]',
        name: 'auditors',
        type: 'address[]'
      },
      {
        indexed: false,
        internalType: 'bytes[]',
        name: 'signatures',
        type: 'bytes[]'
      }
    ],
    name: 'PatchApproved',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'patchId',
        type: 'bytes32'
      },
      {
        indexed: false,
        internalType: 'bytes32',
        name: 'reportHash',
        type: 'bytes32'
      },
      {
        indexed: false,
        internalType: 'uint256',
        name: 'upgradeCount',
        type: 'uint256'
      }
    ],
    name: 'PatchReleased',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32'
      },
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'previousAdminRole',
        type: 'bytes32'
      },
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'newAdminRole',
        type: 'bytes32'
      }
    ],
    name: 'RoleAdminChanged',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32'
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'account',
        type: 'address'
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'sender',
        type: 'address'
      }
    ],
    name: 'RoleGranted',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32'
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'account',
        type: 'address'
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'sender',
        type: 'address'
      }
    ],
    name: 'RoleRevoked',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        internalType: 'uint256',
        name: 'previousThreshold',
        type: 'uint256'
      },
      {
        indexed: false,
        internalType: 'uint256',
        name: 'newThreshold',
        type: 'uint256'
      }
    ],
    name: 'ThresholdChanged',
    type: 'event'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'patchId',
        type: 'bytes32'
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'proxy',
        type: 'address'
      },
      {
        indexed: false,
        internalType: 'enum IReleaseGate.UpgradeKind',
        name: 'kind',
        type: 'uint8'
      },
      {
        indexed: false,
        internalType: 'address',
        name: 'implementation',
        type: 'address'
      },
      {
        indexed: false,
        internalType: 'bytes32',
        name: 'codehash',
        type: 'bytes32'
      },
      {
        indexed: false,
        internalType: 'bytes32',
        name: 'dataHash',
        type: 'bytes32'
      }
    ],
    name: 'UpgradeReleased',
    type: 'event'
  },
  {
    inputs: [],
    name: 'ATTESTATION_TYPEHASH',
    outputs: [
      {
        internalType: 'bytes32',
        name: '',
        type: 'bytes32'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  },
  {
    inputs: [],
    name: 'DEFAULT_ADMIN_ROLE',
    outputs: [
      {
        internalType: 'bytes32',
        name: '',
        type: 'bytes32'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  },
  {
    inputs: [],
    name: 'DIAMOND_CUT_TYPEHASH',
    outputs: [
      {
        internalType: 'bytes32',
        name: '',
        type: 'bytes32'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  },
  {
    inputs: [],
    name: 'MAX_AUDITORS',
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
    name: 'RELEASER_ROLE',
    outputs: [
      {
        internalType: 'bytes32',
        name: '',
        type: 'bytes32'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'auditor',
        type: 'address'
      }
    ],
    name: 'addAuditor',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'patchId',
        type: 'bytes32'
      },
      {
        internalType: 'bytes32',
        name: 'reportHash',
        type: 'bytes32'
      },
      {
        internalType: 'bytes32[]',
        name: 'codehashes',
        type: 'bytes32[]'
      },
      {
        internalType: 'bytes[]',
        name: 'signatures',
        type: 'bytes[]'
      }
    ],
    name: 'approvePatch',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'patchId',
        type: 'bytes32'
      },
      {
        internalType: 'bytes32',
        name: 'reportHash',
        type: 'bytes32'
      },
      {
        internalType: 'bytes32[]',
        name: 'codehashes',
        type: 'bytes32[]'
      }
    ],
    name: 'attestationDigest',
    outputs: [
      {
        internalType: 'bytes32',
        name: 'digest',
        type: 'bytes32'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  },
  {
    inputs: [],
    name: 'auditors',
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
    inputs: [
      {
        internalType: 'address',
        name: 'diamond',
        type: 'address'
      },
      {
        components: [
          {
            internalType: 'address',
            name: 'facetAddress',
            type: 'address'
          },
          {
            internalType: 'enum IDiamondCut.FacetCutAction',
            name: 'action',
            type: 'uint8'
          },
          {
            internalType: 'bytes4[]',
            name: 'functionSelectors',
            type: 'bytes4[]'
          }
        ],
        internalType: 'struct IDiamondCut.FacetCut[]',
        name: 'cuts',
        type: 'tuple[]'
      },
      {
        internalType: 'address',
        name: 'init',
        type: 'address'
      },
      {
        internalType: 'bytes',
        name: 'initData',
        type: 'bytes'
      }
    ],
    name: 'diamondCutHash',
    outputs: [
      {
        internalType: 'bytes32',
        name: 'cutHash',
        type: 'bytes32'
      }
    ],
    stateMutability: 'pure',
    type: 'function'
  },
  {
    inputs: [],
    name: 'eip712Domain',
    outputs: [
      {
        internalType: 'bytes1',
        name: 'fields',
        type: 'bytes1'
      },
      {
        internalType: 'string',
        name: 'name',
        type: 'string'
      },
      {
        internalType: 'string',
        name: 'version',
        type: 'string'
      },
      {
        internalType: 'uint256',
        name: 'chainId',
        type: 'uint256'
      },
      {
        internalType: 'address',
        name: 'verifyingContract',
        type: 'address'
      },
      {
        internalType: 'bytes32',
        name: 'salt',
        type: 'bytes32'
      },
      {
        internalType: 'uint256[]',
        name: 'extensions',
        type: 'uint256[]'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32'
      }
    ],
    name: 'getRoleAdmin',
    outputs: [
      {
        internalType: 'bytes32',
        name: '',
        type: 'bytes32'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32'
      },
      {
        internalType: 'address',
        name: 'account',
        type: 'address'
      }
    ],
    name: 'grantRole',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'ownable',
        type: 'address'
      },
      {
        internalType: 'address',
        name: 'newOwner',
        type: 'address'
      }
    ],
    name: 'handOver',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32'
      },
      {
        internalType: 'address',
        name: 'account',
        type: 'address'
      }
    ],
    name: 'hasRole',
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
    inputs: [
      {
        internalType: 'address',
        name: 'account',
        type: 'address'
      }
    ],
    name: 'isAuditor',
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
    inputs: [
      {
        internalType: 'bytes32',
        name: 'patchId',
        type: 'bytes32'
      }
    ],
    name: 'patchOf',
    outputs: [
      {
        components: [
          {
            internalType: 'bytes32',
            name: 'reportHash',
            type: 'bytes32'
          },
          {
            internalType: 'uint64',
            name: 'approvedAt',
            type: 'uint64'
          },
          {
            internalType: 'uint64',
            name: 'releasedAt',
            type: 'uint64'
          },
          {
            internalType: 'bytes32[]',
            name: 'codehashes',
            type: 'bytes32[]'
          },
          {
            internalType: 'address[]',
            name: 'auditors',
            type: 'address[]'
          }
        ],
        internalType: 'struct ReleaseGate.Patch',
        name: 'patch',
        type: 'tuple'
      }
    ],
    stateMutability: 'view',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'patchId',
        type: 'bytes32'
      },
      {
        components: [
          {
            internalType: 'enum IReleaseGate.UpgradeKind',
            name: 'kind',
            type: 'uint8'
          },
          {
            internalType: 'address',
            name: 'proxy',
            type: 'address'
          },
          {
            internalType: 'address',
            name: 'admin',
            type: 'address'
          },
          {
            internalType: 'address',
            name: 'implementation',
            type: 'address'
          },
          {
            internalType: 'bytes',
            name: 'data',
            type: 'bytes'
          }
        ],
        internalType: 'struct IReleaseGate.Upgrade[]',
        name: 'upgrades',
        type: 'tuple[]'
      }
    ],
    name: 'release',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'patchId',
        type: 'bytes32'
      },
      {
        internalType: 'address',
        name: 'diamond',
        type: 'address'
      },
      {
        components: [
          {
            internalType: 'address',
            name: 'facetAddress',
            type: 'address'
          },
          {
            internalType: 'enum IDiamondCut.FacetCutAction',
            name: 'action',
            type: 'uint8'
          },
          {
            internalType: 'bytes4[]',
            name: 'functionSelectors',
            type: 'bytes4[]'
          }
        ],
        internalType: 'struct IDiamondCut.FacetCut[]',
        name: 'cuts',
        type: 'tuple[]'
      },
      {
        internalType: 'address',
        name: 'init',
        type: 'address'
      },
      {
        internalType: 'bytes',
        name: 'initData',
        type: 'bytes'
      }
    ],
    name: 'releaseDiamondCut',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'auditor',
        type: 'address'
      }
    ],
    name: 'removeAuditor',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32'
      },
      {
        internalType: 'address',
        name: 'callerConfirmation',
        type: 'address'
      }
    ],
    name: 'renounceRole',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32'
      },
      {
        internalType: 'address',
        name: 'account',
        type: 'address'
      }
    ],
    name: 'revokeRole',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'newThreshold',
        type: 'uint256'
      }
    ],
    name: 'setThreshold',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'bytes4',
        name: 'interfaceId',
        type: 'bytes4'
      }
    ],
    name: 'supportsInterface',
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
    name: 'threshold',
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
