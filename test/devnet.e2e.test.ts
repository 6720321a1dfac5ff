/**
 * The README's flow, end to end on a real anvil: `bulwark devnet` brings up the demo protocol,
 * `bulwark init` writes the project file, `bulwark inventory` records a snapshot, `bulwark demo`
 * plays the incident on the server `bulwark devnet` runs (the monitor pauses, the release module
 * releases), governance
 * upgrades the pool (Safe → timelock → proxy) and swaps a Safe owner, and `inventory --diff`
 * reports both changes.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { decodeFunctionData, encodeFunctionData, getAddress, keccak256, parseAbi, toHex, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDevClient, createReadClient } from '../src/chain/clients.js'
import { deployContract } from '../src/chain/deployContract.js'
import { demoAuditorAccountIndices } from '../src/chain/deployDemoProtocol.js'
import { devAccount, devRoles } from '../src/chain/devAccounts.js'
import { encodeReleaseCalls } from '../src/chain/encodeReleaseCalls.js'
import { signReleaseAttestation } from '../src/chain/signReleaseAttestation.js'
import { execSafeTransaction } from '../src/chain/execSafeTransaction.js'
import { scheduleAndExecuteViaSafe } from '../src/chain/scheduleAndExecuteViaSafe.js'
import { devnetStateFile, type DevnetState } from '../src/cli/commands/devnet.js'
import { dashboardStateFile } from '../src/cli/commands/startDashboard.js'
import { main } from '../src/cli/main.js'
import { captureIo } from '../src/cli/testIo.js'
import { bulwarkRoot } from '../src/compile/bulwarkRoot.js'
import { compileProject } from '../src/compile/compileProject.js'
import { getArtifact } from '../src/compile/getArtifact.js'
import type { DemoRun } from '../src/operations/playDemo.js'

let cwd: string
let stopDevnet: () => void
let devnetExit: Promise<number>
let devnetOutput: ReturnType<typeof captureIo>
let state: DevnetState

beforeAll(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'bulwark-e2e-'))
  const stopped = new Promise<void>((resolve) => (stopDevnet = resolve))
  devnetOutput = captureIo(cwd, {}, stopped)
  devnetExit = main(['devnet', '--port', '0', '--api-port', '0'], devnetOutput.io)
  const stateFile = path.join(cwd, devnetStateFile)
  for (let waited = 0; !existsSync(stateFile); waited += 100) {
    if (waited > 120_000) throw new Error(`devnet did not come up:\n${devnetOutput.stderr()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  state = JSON.parse(await readFile(stateFile, 'utf8')) as DevnetState
})

afterAll(async () => {
  stopDevnet?.()
  await devnetExit
  await rm(cwd, { recursive: true, force: true })
})

async function bulwark(...argv: string[]) {
  const capture = captureIo(cwd)
  const exitCode = await main(argv, capture.io)
  return { exitCode, ...capture }
}

describe('devnet → init → inventory → governance change → inventory --diff', () => {
  test('devnet prints the demo addresses and its inventory', () => {
    const out = devnetOutput.stdout()
    expect(out).toContain(`LendingPool         ${state.protocol.lendingPool.proxy}  uups`)
    expect(out).toContain(`LendingPool (UUPS proxy) ${state.protocol.lendingPool.proxy} [unpaused]\n├─ implementation ${state.protocol.lendingPool.implementation} (initializers disabled)`)
    expect(out).toContain(`GovernanceSafe (Safe) ${state.protocol.safe} 2-of-3, nonce 0`)
  })

  test('init writes a project file the inventory reads', async () => {
    const init = await bulwark('init', '--json')
    expect(init.exitCode).toBe(0)
    const written = JSON.parse(await readFile(path.join(cwd, 'bulwark.json'), 'utf8'))
    expect(written.chains.devnet).toEqual({ chainId: 31337, rpcUrl: state.rpcUrl })
    expect(written.contracts).toContainEqual({ name: 'LendingPool', chain: 'devnet', address: state.protocol.lendingPool.proxy, proxy: 'uups' })
    expect((await bulwark('init')).stderr()).toContain('error BW_PROJECT_EXISTS')

    const inventory = await bulwark('inventory', '--json')
    expect(inventory.exitCode).toBe(0)
    const nodes = inventory.json().inventory.nodes
    expect(nodes[state.protocol.lendingPool.proxy].kind).toBe('uups')
    expect(nodes[state.protocol.interestRateModel.proxy].kind).toBe('transparent')
    expect(nodes[state.protocol.safe].safe.threshold).toBe(2)
  })

  test('`bulwark demo` plays the incident on the devnet\'s server: the monitor\'s responder (guardian key) sends the pause, the release module the release', async () => {
    const demo = await bulwark('demo', '--json')
    expect(demo.exitCode, `${demo.stderr()}\n${demo.stdout()}`).toBe(0)
    const { run } = demo.json<{ ok: boolean; run: DemoRun }>()
    expect(run.steps.map((step) => [step.id, step.status])).toEqual(['exploit', 'pause', 'advisory', 'validate', 'approve', 'release', 'verify', 'unpause'].map((id) => [id, 'done']))
    const reader = createReadClient({ rpcUrl: state.rpcUrl })
    // The pause: the transaction the monitor's response ledger recorded, sent from the guardian key to the pool.
    const pause = await reader.getTransaction({ hash: run.pause!.txHash })
    expect(getAddress(pause.from)).toBe(getAddress(state.protocol.guardian))
    expect(getAddress(run.pause!.from)).toBe(getAddress(state.protocol.guardian))
    expect(pause.to?.toLowerCase()).toBe(state.protocol.lendingPool.proxy.toLowerCase())
    expect(decodeFunctionData({ abi: parseAbi(['function pauseFor(uint256)']), data: pause.input }).functionName).toBe('pauseFor')
    // The release: the executions the release module recorded with the plan (read back through the API), each the plan Safe's execTransaction.
    const { url, token } = JSON.parse(await readFile(dashboardStateFile(cwd), 'utf8')) as { url: string; token: string }
    const { releases } = (await (await fetch(`${url}/releases`, { headers: { authorization: `Bearer ${token}` } })).json()) as { releases: { patch: { id: string; status: string }; release: { executions: { purpose: string; transactionHash: Hex }[] } }[] }
    const release = releases.find((row) => row.patch.id === run.patchId)!
    expect(release.patch.status).toBe('verified')
    expect(release.release.executions.map((execution) => execution.purpose)).toEqual(['schedule', 'execute'])
    for (const execution of release.release.executions) {
      const transaction = await reader.getTransaction({ hash: execution.transactionHash })
      expect(transaction.to?.toLowerCase()).toBe(state.protocol.safe.toLowerCase())
      expect(decodeFunctionData({ abi: parseAbi(['function execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)']), data: transaction.input }).functionName).toBe('execTransaction')
    }
  }, 300_000)

  test('--diff reports an upgrade and an owner change made through governance', async () => {
    const build = await compileProject({ root: bulwarkRoot() })
    const signers = devRoles.safeOwners.slice(0, 2).map((index) => devAccount(index))
    const client = createDevClient({ rpcUrl: state.rpcUrl, chainId: state.chainId, account: devAccount(devRoles.deployer) })
    const v2 = getArtifact(build, 'contracts/examples/LendingPoolV2.sol:LendingPoolV2')
    const { address: v2Implementation } = await deployContract(client, { name: 'LendingPoolV2', abi: v2.abi, bytecode: v2.bytecode })
    // The pool's upgrade authority is the release gate: the timelock batch approves the patch (two auditors attest) and releases it.
    const attestation = {
      gate: state.protocol.releaseGate,
      chainId: state.chainId,
      patchId: keccak256(toHex('e2e patch')),
      reportHash: keccak256(toHex('e2e report')),
      codehashes: [keccak256((await client.getCode({ address: v2Implementation }))!)],
    }
    const auditorSignatures = await Promise.all(demoAuditorAccountIndices.slice(0, 2).map((index) => signReleaseAttestation(devAccount(index), attestation)))
    await scheduleAndExecuteViaSafe({
      rpcUrl: state.rpcUrl,
      chainId: state.chainId,
      safe: state.protocol.safe,
      timelock: state.protocol.timelock,
      signers,
      calls: encodeReleaseCalls({ ...attestation, upgrades: [{ kind: 'uups', proxy: state.protocol.lendingPool.proxy, implementation: v2Implementation }], signatures: auditorSignatures }),
    })
    const replaced = state.protocol.safeOwners[0]!
    const newcomer = devAccount(8).address
    const swap = await execSafeTransaction(client, {
      safe: state.protocol.safe,
      to: state.protocol.safe,
      // The first owner's predecessor in the Safe's owner list is the sentinel 0x…01.
      data: encodeFunctionData({
        abi: parseAbi(['function swapOwner(address prevOwner, address oldOwner, address newOwner)']),
        functionName: 'swapOwner',
        args: ['0x0000000000000000000000000000000000000001', replaced, newcomer],
      }),
      signers,
    })
    expect(swap.status).toBe('success')

    const diff = await bulwark('inventory', '--diff', '--json')
    expect(diff.exitCode).toBe(0)
    const changes = diff.json().diff.changes as { address: string; field: string; before: string | null; after: string | null }[]
    expect(changes).toContainEqual(
      expect.objectContaining({ address: state.protocol.lendingPool.proxy, field: 'implementation', before: state.protocol.lendingPool.implementation, after: v2Implementation }),
    )
    expect(changes.filter((change) => change.address === state.protocol.safe && change.field === 'safe.owners')).toEqual(
      expect.arrayContaining([expect.objectContaining({ before: replaced, after: null }), expect.objectContaining({ before: null, after: newcomer })]),
    )

    // Nothing changed since the snapshot the previous command saved.
    const again = await bulwark('inventory', '--diff')
    expect(again.stdout()).toMatch(/Changes since block \d+:\n {2}no changes$/)
  })

  test('stopping the devnet removes its state file and exits 0', async () => {
    stopDevnet()
    expect(await devnetExit).toBe(0)
    expect(existsSync(path.join(cwd, devnetStateFile))).toBe(false)
  })
})
