import { fileURLToPath } from 'node:url'
import { getAddress, keccak256, toHex, zeroAddress, zeroHash, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'
import { createDevClient, createReadClient, type DevClient, type ReadClient } from './clients.js'
import { deployTimelock } from './deployTimelock.js'
import { devAccount } from './devAccounts.js'
import { getTimelockInfo } from './getTimelockInfo.js'
import { startAnvil, type Anvil } from './startAnvil.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const deployer = devAccount(0).address
const proposer = devAccount(1).address
const executor = devAccount(2).address
let anvil: Anvil
let dev: DevClient
let client: ReadClient
let timelockArtifact: ReturnType<typeof getArtifact>

beforeAll(async () => {
  anvil = await startAnvil()
  dev = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(0) })
  client = createReadClient({ rpcUrl: anvil.rpcUrl })
  timelockArtifact = getArtifact(await compileProject({ root }), 'TimelockController')
})
afterAll(async () => anvil?.stop())

describe('getTimelockInfo', () => {
  test('min delay and every role holder, named', async () => {
    const timelock = getAddress(await deployTimelock(dev, { artifact: timelockArtifact, minDelay: 3_600n, proposers: [proposer], executors: [executor, zeroAddress], admin: deployer }))
    expect(await getTimelockInfo(client, { address: timelock })).toEqual({
      minDelay: 3_600n,
      roles: [
        { role: zeroHash, name: 'DEFAULT_ADMIN_ROLE', holders: [timelock, deployer] },
        { role: keccak256(toHex('PROPOSER_ROLE')), name: 'PROPOSER_ROLE', holders: [proposer] },
        { role: keccak256(toHex('CANCELLER_ROLE')), name: 'CANCELLER_ROLE', holders: [proposer] },
        // address(0) as executor: anyone may execute a ready operation.
        { role: keccak256(toHex('EXECUTOR_ROLE')), name: 'EXECUTOR_ROLE', holders: [executor, zeroAddress] },
      ],
    })
  })

  test('a renounced admin role disappears from the holders', async () => {
    const timelock = getAddress(await deployTimelock(dev, { artifact: timelockArtifact, minDelay: 0n, proposers: [proposer], executors: [executor], admin: deployer }))
    const hash = await dev.writeContract({ address: timelock, abi: timelockArtifact.abi, functionName: 'renounceRole', args: [zeroHash, deployer] })
    await dev.waitForTransactionReceipt({ hash, pollingInterval: 50 })
    const info = await getTimelockInfo(client, { address: timelock })
    expect(info?.minDelay).toBe(0n)
    expect(info?.roles.find((role) => role.name === 'DEFAULT_ADMIN_ROLE')?.holders).toEqual([timelock])
  })

  test('a contract without getMinDelay() → undefined', async () => {
    const timelock: Address = await deployTimelock(dev, { artifact: timelockArtifact, minDelay: 1n, proposers: [], executors: [], admin: zeroAddress })
    expect(await getTimelockInfo(client, { address: timelock })).toBeDefined()
    expect(await getTimelockInfo(client, { address: deployer })).toBeUndefined()
  })
})
