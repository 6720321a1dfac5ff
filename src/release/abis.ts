import { parseAbi } from 'viem'

/** `contracts/release/Create2Deployer.sol`. */
export const create2DeployerAbi = parseAbi([
  'function deploy(bytes32 salt, bytes initCode) payable returns (address deployed)',
  'function probe(bytes32 salt, bytes initCode) payable returns (address deployed, bytes code)',
  'function computeAddress(bytes32 salt, bytes32 initCodeHash) view returns (address)',
  'event Create2Deployed(address indexed deployed, bytes32 indexed salt, bytes32 codehash)',
  'error Create2DeployFailed(bytes32 salt)',
])

/** The OpenZeppelin 5 TimelockController functions and errors a release uses. */
export const timelockControllerAbi = parseAbi([
  'function getMinDelay() view returns (uint256)',
  'function scheduleBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt, uint256 delay)',
  'function executeBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt) payable',
  'function getTimestamp(bytes32 id) view returns (uint256)',
  'function isOperationDone(bytes32 id) view returns (bool)',
  'error TimelockUnexpectedOperationState(bytes32 operationId, bytes32 expectedStates)',
  'error TimelockInsufficientDelay(uint256 delay, uint256 minDelay)',
  'error TimelockUnauthorizedCaller(address caller)',
  'error TimelockUnexecutedPredecessor(bytes32 predecessorId)',
  'error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)',
])

/** Safe 1.4.1: what execution reads and calls. */
export const safeAbi = parseAbi([
  'function nonce() view returns (uint256)',
  'function getThreshold() view returns (uint256)',
  'function getOwners() view returns (address[])',
  'function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures) payable returns (bool success)',
])

export const multiSendAbi = parseAbi(['function multiSend(bytes transactions) payable'])
