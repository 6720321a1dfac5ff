import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeFunctionData, parseEther, type Abi, type Address, type Hash } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Artifact } from '../compile/artifacts.js'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'
import { createDevClient, createReadClient, type DevClient, type ReadClient } from '../chain/clients.js'
import { deployContract } from '../chain/deployContract.js'
import { devAccount, devRoles } from '../chain/devAccounts.js'
import { startAnvil, type Anvil } from '../chain/startAnvil.js'
import { openStore } from '../store/openStore.js'
import { listAlerts } from './alertStore.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const script = path.join(root, 'src/monitor/sources/followerProcess.ts')
let anvil: Anvil
let build: { artifacts: Artifact[] }
let reader: ReadClient
let dataDir: string
const children = new Set<ChildProcess>()

beforeAll(async () => {
  build = await compileProject({ root })
  anvil = await startAnvil()
  reader = createReadClient({ rpcUrl: anvil.rpcUrl })
  dataDir = await mkdtemp(path.join(tmpdir(), 'bulwark-monitor-crash-'))
}, 120_000)
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL')
  await anvil?.stop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

/** Starts the follower as a child process; resolves with it and a way to wait for a checkpoint. */
function startFollower(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let output = ''
  let errors = ''
  let waiters: (() => void)[] = []
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString()
    for (const wake of waiters) wake()
    waiters = []
  })
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()))
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)))
  /** Resolves once the follower printed a line matching `pattern` (fails after 60 s, with its stderr). */
  const waitFor = async (pattern: (text: string) => boolean) => {
    const deadline = Date.now() + 60_000
    while (!pattern(output)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`follower did not get there; stdout: ${output.slice(-500)}; stderr: ${errors.slice(-2000)}`)
      await new Promise<void>((resolve) => {
        waiters.push(resolve)
        setTimeout(resolve, 200)
      })
    }
  }
  const kill = async () => {
    child.kill('SIGKILL')
    const how = await exited
    children.delete(child)
    return how
  }
  return { waitFor, kill }
}

const upTo = (block: bigint) => (text: string) => [...text.matchAll(/up to (\d+)/g)].some((m) => BigInt(m[1]!) >= block)

describe('monitor restart', () => {
  test('a follower process killed with SIGKILL mid-run and restarted misses no block and stores no alert twice', async () => {
    const abiOf = (name: string): Abi => getArtifact(build, name).abi
    const owner = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.deployer) })
    const guardian: DevClient = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.guardian) })
    const deploy = async (name: string, args: readonly unknown[]) => (await deployContract(owner, { name, abi: abiOf(name), bytecode: getArtifact(build, name).bytecode, args })).address
    const token = await deploy('AttackToken', ['KIL'])
    const vault = await deploy('OwnedVault', [token, guardian.account.address, guardian.account.address])
    const mint = await owner.writeContract({ address: token, abi: abiOf('AttackToken'), functionName: 'mint', args: [vault, parseEther('1000000')] } as never)
    await owner.waitForTransactionReceipt({ hash: mint, pollingInterval: 20 })
    const startBlock = (await reader.getBlockNumber({ cacheTime: 0 })) + 1n
    const env = {
      BULWARK_RPC_URL: anvil.rpcUrl,
      BULWARK_DATA_DIR: dataDir,
      BULWARK_START_BLOCK: startBlock.toString(),
      BULWARK_SCOPE: JSON.stringify({ contracts: [vault], releaseGates: [], authorities: [] }),
    }
    // Each sweep by the (compromised) owner is a privileged call outside governance: one alert per block.
    const sweeps: { hash: Hash; block: bigint }[] = []
    const sweep = async () => {
      const data = encodeFunctionData({ abi: abiOf('OwnedVault'), functionName: 'sweep', args: [devAccount(devRoles.attacker).address as Address, parseEther('10')] } as never)
      const hash = await guardian.sendTransaction({ to: vault, data, gas: 200_000n } as never)
      const receipt = await guardian.waitForTransactionReceipt({ hash, pollingInterval: 10 })
      expect(receipt.status).toBe('success')
      sweeps.push({ hash, block: receipt.blockNumber })
    }

    const first = startFollower(env)
    await first.waitFor((text) => text.includes('ready'))
    for (let i = 0; i < 10; i++) await sweep()
    await first.waitFor(upTo(sweeps[4]!.block))
    // Killed while blocks keep coming (mid-pass, between or inside block commits).
    const sending = (async () => {
      for (let i = 0; i < 20; i++) await sweep()
    })()
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(await first.kill()).toBe('SIGKILL')
    await sending
    // Blocks mined while it was down are caught up by the restarted process.
    const second = startFollower(env)
    for (let i = 0; i < 5; i++) await sweep()
    const head = await reader.getBlockNumber({ cacheTime: 0 })
    await second.waitFor(upTo(head))
    expect(await second.kill()).toBe('SIGKILL')

    const store = await openStore({ dataDir })
    try {
      const alerts = await listAlerts(store, { chainId: anvil.chainId })
      // Every sweep raised its alert, exactly once.
      const perTx = new Map<string, number>()
      for (const alert of alerts) if (alert.detector === 'privileged-change') perTx.set(alert.tx!, (perTx.get(alert.tx!) ?? 0) + 1)
      expect(sweeps.map((s) => perTx.get(s.hash) ?? 0)).toEqual(sweeps.map(() => 1))
      const ids = alerts.map((alert) => alert.id)
      expect(new Set(ids).size).toBe(ids.length)
      const rows = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM monitor_alerts WHERE chain_id = $1', [anvil.chainId])
      expect(rows[0]!.n).toBe(alerts.length)
      // Every block from the start to the head was committed, once.
      const blocks = await store.query<{ block_number: string }>('SELECT block_number::text AS block_number FROM monitor_blocks WHERE chain_id = $1', [anvil.chainId])
      const expected = Array.from({ length: Number(head - startBlock) + 1 }, (_, i) => (startBlock + BigInt(i)).toString())
      expect(blocks.map((row) => BigInt(row.block_number)).sort((a, b) => (a < b ? -1 : 1)).map(String)).toEqual(expected)
    } finally {
      await store.close()
    }
  }, 120_000)
})
