import { encodeFunctionData, getContractAddress, keccak256, type Address, type Hex } from 'viem'
import { privateTimelockAbi } from './privateTimelockAbi.js'
import type { TimelockCall } from './scheduleAndExecuteViaSafe.js'

/**
 * A PrivateTimelock call that deploys `initCode` with CREATE2 from the timelock, and the address it
 * will get. Put it first in an operation and point later calls (the release) at `address`: the
 * bytecode then first appears on chain in the transaction that activates it.
 */
export function encodePrivateDeploy({ timelock, salt, initCode }: { timelock: Address; salt: Hex; initCode: Hex }): { call: TimelockCall; address: Address } {
  return {
    call: { target: timelock, data: encodeFunctionData({ abi: privateTimelockAbi, functionName: 'deploy', args: [salt, initCode] }) },
    address: getContractAddress({ opcode: 'CREATE2', from: timelock, salt, bytecodeHash: keccak256(initCode) }),
  }
}
