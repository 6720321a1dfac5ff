/**
 * ABI of `contracts/release/Create2Deployer.sol:Create2Deployer`, typed `as const` for viem.
 * Written out from the compile output; `onchainAbis.test.ts` keeps it equal to it.
 */
export const create2DeployerAbi = [
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'salt',
        type: 'bytes32'
      }
    ],
    name: 'Create2DeployFailed',
    type: 'error'
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'address',
        name: 'deployed',
        type: 'address'
      },
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'salt',
        type: 'bytes32'
      },
      {
        indexed: false,
        internalType: 'bytes32',
        name: 'codehash',
        type: 'bytes32'
      }
    ],
    name: 'Create2Deployed',
    type: 'event'
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'salt',
        type: 'bytes32'
      },
      {
        internalType: 'bytes32',
        name: 'initCodeHash',
        type: 'bytes32'
      }
    ],
    name: 'computeAddress',
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
        internalType: 'bytes32',
        name: 'salt',
        type: 'bytes32'
      },
      {
        internalType: 'bytes',
        name: 'initCode',
        type: 'bytes'
      }
    ],
    name: 'deploy',
    outputs: [
      {
        internalType: 'address',
        name: 'deployed',
        type: 'address'
      }
    ],
    stateMutability: 'payable',
    type: 'function'
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'salt',
        type: 'bytes32'
      },
      {
        internalType: 'bytes',
        name: 'initCode',
        type: 'bytes'
      }
    ],
    name: 'probe',
    outputs: [
      {
        internalType: 'address',
        name: 'deployed',
        type: 'address'
      },
      {
        internalType: 'bytes',
        name: 'code',
        type: 'bytes'
      }
    ],
    stateMutability: 'payable',
    type: 'function'
  }
] as const
