import { spawn, type ChildProcess } from 'node:child_process'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeFunctionData, parseEther, toHex, type Abi, type Address, type Hash } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDevClient, createReadClient, type DevClient, type ReadClient } from '../src/chain/clients.js'
import { deployContract } from '../src/chain/deployContract.js'
import { devAccount, devRoles } from '../src/chain/devAccounts.js'
import { startAnvil, type Anvil } from '../src/chain/startAnvil.js'
import type { Artifact } from '../src/compile/artifacts.js'
import { compileProject } from '../src/compile/compileProject.js'
import { getArtifact } from '../src/compile/getArtifact.js'
import { openLifecycle } from '../src/lifecycle/context.js'
import { listAlerts } from '../src/monitor/alertStore.js'
import { listResponses } from '../src/monitor/responders/responseLedger.js'
import { createApiToken } from '../src/server/auth.js'
import { openStore, type Store } from '../src/store/openStore.js'
import { testDatabaseUrl } from '../src/store/testDatabaseUrl.js'

// The scale-out topology of docs/deployment.md on one machine: one PostgreSQL (a fresh schema on the
// test server), two `bulwark serve` processes and two `bulwark monitor` processes for one anvil chain.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const children = new Set<ChildProcess>()
let anvil: Anvil
let build: { artifacts: Artifact[] }
let reader: ReadClient
let dir: string
let env: NodeJS.ProcessEnv
let store: Store

type Bulwark = { child: ChildProcess; output: () => string; waitFor(pattern: RegExp, what: string): Promise<RegExpMatchArray>; kill(): Promise<NodeJS.Signals | number | null> }

/** `bulwark <args>` in its own process, as an operator runs it (like src/jobs/worker.test.ts). */
function bulwark(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Bulwark {
  const script = "const { main } = await import('./src/cli/main.ts'); process.exitCode = await main(process.argv.slice(1))"
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, ...args], { cwd: root, env: { ...process.env, ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let out = ''
  child.stdout!.on('data', (chunk: Buffer) => void (out += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => void (out += chunk.toString()))
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)))
  return {
    child,
    output: () => out,
    async waitFor(pattern, what) {
      const deadline = Date.now() + 90_000
      for (;;) {
        const match = pattern.exec(out)
        if (match) return match
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${args[0]} never got to: ${what}; output:\n${out.slice(-3000)}`)
        await sleep(100)
      }
    },
    async kill() {
      child.kill('SIGKILL')
      const how = await exited
      children.delete(child)
      return how
    },
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `read` until it returns something defined (fails after `timeoutMs` naming `what`). */
async function until<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 60_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(everyMs)
  }
}

/** An open `GET /events` stream whose text accumulates in the background. */
async function openEvents(base: string, token: string): Promise<{ text: () => string; close: () => void }> {
  const controller = new AbortController()
  const response = await fetch(`${base}/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal })
  expect(response.status).toBe(200)
  let text = ''
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      text += decoder.decode(value)
    }
  })().catch(() => undefined)
  return { text: () => text, close: () => controller.abort() }
}

const eventsOf = (text: string, kind: string) =>
  text
    .split('\n\n')
    .filter((block) => block.includes(`event: ${kind}\n`))
    .map((block) => JSON.parse(block.split('\n').find((line) => line.startsWith('data: '))!.slice(6)) as Record<string, unknown>)

beforeAll(async () => {
  build = await compileProject({ root })
  anvil = await startAnvil()
  reader = createReadClient({ rpcUrl: anvil.rpcUrl })
  dir = await mkdtemp(path.join(tmpdir(), 'bulwark-scale-out-'))
  const schema = `bulwark_scale_${randomBytes(5).toString('hex')}`
  const admin = await openStore({ databaseUrl: testDatabaseUrl() })
  await admin.query(`CREATE SCHEMA ${schema}`)
  await admin.close()
  env = {
    DATABASE_URL: `${testDatabaseUrl()}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    BULWARK_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    RESPONDER_KEY: toHex(devAccount(devRoles.guardian).getHdKey().privateKey!),
  }
  store = await openStore({ databaseUrl: env['DATABASE_URL'] })
}, 300_000)

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL')
  await store?.close()
  await anvil?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('scale-out on PostgreSQL: two API processes, an active and a standby monitor', () => {
  test('an advisory written through one API is read through the other and streamed by both; kill -9 of the active monitor: the standby carries on from the checkpoint, missing no block and repeating no response', async () => {
    // --- two API processes; /events re-reads the store only every 60 s, so what arrives sooner came through NOTIFY
    const apis = [0, 1].map(() => bulwark(['serve', '--port', '0', '--json', '--log-level', 'silent', '--events-poll-ms', '60000', '--token-cache-ms', '60000']))
    const bases = await Promise.all(apis.map(async (api) => (await api.waitFor(/"url":"(http:[^"]+)"/, 'listening'))[1]!))
    const lifecycle = await openLifecycle({ cwd: dir, env })
    const setup = { id: 'test-setup', roles: ['admin'] } as never
    const responderToken = (await createApiToken(lifecycle, { roles: ['responder'], label: 'responder' }, setup)).token
    const viewerToken = (await createApiToken(lifecycle, { roles: ['viewer'], label: 'viewer' }, setup)).token
    const adminToken = (await createApiToken(lifecycle, { roles: ['admin'], label: 'admin' }, setup)).token
    const leaving = await createApiToken(lifecycle, { roles: ['viewer'], label: 'leaving' }, setup)
    await lifecycle.store.close()
    const streams = await Promise.all(bases.map((base) => openEvents(base, viewerToken)))

    const posted = await fetch(`${bases[0]}/advisories`, {
      method: 'POST',
      headers: { authorization: `Bearer ${responderToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'vault sweep by a stolen owner key', severity: 'critical', reporter: 'scale-out test' }),
    })
    expect(posted.status).toBe(201)
    const { advisory } = (await posted.json()) as { advisory: { id: string } }
    // At once through the other process: no cache there can hold an answer from before the write.
    const read = await fetch(`${bases[1]}/advisories/${advisory.id}`, { headers: { authorization: `Bearer ${viewerToken}` } })
    expect(read.status).toBe(200)
    expect(await read.json()).toMatchObject({ advisory: { id: advisory.id, title: 'vault sweep by a stolen owner key', status: 'reported' } })
    // A token revoked through A is refused by B although B trusted it a moment ago (60 s token cache): NOTIFY evicted it.
    const advisories = (base: string) => fetch(`${base}/advisories`, { headers: { authorization: `Bearer ${leaving.token}` } })
    expect((await advisories(bases[1]!)).status).toBe(200)
    const revoked = await fetch(`${bases[0]}/tokens/${leaving.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } })
    expect(revoked.status).toBe(200)
    await until(async () => ((await advisories(bases[1]!)).status === 401 ? true : undefined), 'B to refuse the revoked token', 30_000)
    for (const stream of streams) {
      await until(async () => (eventsOf(stream.text(), 'transition').some((event) => event['advisoryId'] === advisory.id) ? true : undefined), 'the advisory on both SSE streams', 30_000)
    }

    // --- the chain: a vault the responder may pause (the attack's target) and one whose sweeps are only alerted
    const abiOf = (name: string): Abi => getArtifact(build, name).abi
    const owner: DevClient = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: devAccount(devRoles.deployer) })
    const guardian = devAccount(devRoles.guardian).address
    const deploy = async (name: string, args: readonly unknown[]) => (await deployContract(owner, { name, abi: abiOf(name), bytecode: getArtifact(build, name).bytecode, args })).address
    const token = await deploy('AttackToken', ['SCL'])
    const target = await deploy('OwnedVault', [token, owner.account.address, guardian])
    const watched = await deploy('OwnedVault', [token, owner.account.address, guardian])
    for (const [vault, amount] of [[target, '1000'], [watched, '1000000']] as const) {
      const mint = await owner.writeContract({ address: token, abi: abiOf('AttackToken'), functionName: 'mint', args: [vault, parseEther(amount)] } as never)
      await owner.waitForTransactionReceipt({ hash: mint, pollingInterval: 20 })
    }
    const sweep = async (vault: Address, amount: string): Promise<{ hash: Hash; block: bigint }> => {
      const data = encodeFunctionData({ abi: abiOf('OwnedVault'), functionName: 'sweep', args: [devAccount(devRoles.attacker).address, parseEther(amount)] } as never)
      const hash = await owner.sendTransaction({ to: vault, data, gas: 200_000n } as never)
      const receipt = await owner.waitForTransactionReceipt({ hash, pollingInterval: 10 })
      expect(receipt.status).toBe('success')
      return { hash, block: receipt.blockNumber }
    }
    // Only a large outflow is answered (by pausing the target); small sweeps of the other vault are alerts only.
    const policy = path.join(dir, 'policy.json')
    await writeFile(policy, JSON.stringify({ rules: [{ name: 'drain', minScore: 0, detectors: ['large-outflow'], respond: [{ kind: 'pause', via: 'pauser', targets: [target], duration: 3600 }] }] }))
    const startBlock = (await reader.getBlockNumber({ cacheTime: 0 })) + 1n
    const nonceBefore = await reader.getTransactionCount({ address: guardian, blockTag: 'latest' })
    const monitorArgs = ['monitor', '--rpc', anvil.rpcUrl, '--address', target, '--address', watched, '--key', 'env:RESPONDER_KEY', '--policy', policy]
    const monitorFlags = ['--no-chain-governance', '--no-pending', '--from-block', startBlock.toString(), '--interval-ms', '100', '--json']
    const first = bulwark([...monitorArgs, ...monitorFlags])
    await first.waitFor(/lease on chain:\d+ held by/, 'the lease')
    const second = bulwark([...monitorArgs, ...monitorFlags])
    await second.waitFor(/standby: chain:\d+ is monitored by/, 'standing by')
    const [lease] = await store.query<{ holder: string }>('SELECT holder FROM monitor_leases')
    expect(first.output()).toContain(`held by ${lease!.holder}`)

    const checkpoint = async () => {
      const [row] = await store.query<{ block_number: string }>('SELECT block_number::text AS block_number FROM monitor_checkpoints WHERE chain_id = $1', [anvil.chainId])
      return row ? BigInt(row.block_number) : undefined
    }
    // Small sweeps: the active monitor follows them.
    const sweeps: { hash: Hash; block: bigint }[] = []
    for (let i = 0; i < 3; i++) sweeps.push(await sweep(watched, '1'))
    await until(async () => ((await checkpoint()) ?? 0n) >= sweeps[2]!.block || undefined, 'the active monitor to follow the sweeps')
    // The attack. The active monitor is killed the moment its pause is claimed in the store (before or
    // just after the block's commit, signed or not yet): the standby then judges the block again or
    // resumes the claim, and must answer once in all.
    const drain = await sweep(target, '600')
    const claimed = await until(async () => (await listResponses(store, { chainId: anvil.chainId }))[0], 'the pause to be claimed', 60_000, 5)
    expect(await first.kill()).toBe('SIGKILL')
    const killedAt = performance.now()
    console.log(`active monitor killed with the pause ${claimed.status}; its checkpoint at block ${await checkpoint()}, the attack in block ${drain.block}`)
    const after = await sweep(watched, '1')
    sweeps.push(after)
    // The standby holds the lease and has recorded a block mined after the kill.
    await until(async () => ((await checkpoint()) ?? 0n) >= after.block || undefined, 'the standby to take over', 30_000)
    const takeoverMs = performance.now() - killedAt
    console.log(`monitor takeover after kill -9: ${Math.round(takeoverMs)} ms to a committed block mined after the kill`)
    expect(takeoverMs).toBeLessThan(5_000)
    const response = await until(async () => (await listResponses(store, { chainId: anvil.chainId })).find((row) => row.status === 'mined'), 'the pause to be mined')
    expect(response.txHashes).toHaveLength(1)
    expect(second.output()).toMatch(/lease on chain:\d+ held by .*resuming after block \d+/)
    const [taken] = await store.query<{ holder: string }>('SELECT holder FROM monitor_leases')
    expect(taken!.holder).not.toBe(lease!.holder)
    for (let i = 0; i < 3; i++) sweeps.push(await sweep(watched, '1'))
    const head = await reader.getBlockNumber({ cacheTime: 0 })
    await until(async () => ((await checkpoint()) ?? 0n) >= head || undefined, 'the standby to reach the head')

    // No block missed: every block from the start to the head was recorded, once.
    const blocks = await store.query<{ block_number: string }>('SELECT block_number::text AS block_number FROM monitor_blocks WHERE chain_id = $1 ORDER BY monitor_blocks.block_number', [anvil.chainId])
    expect(blocks.map((row) => BigInt(row.block_number))).toEqual(Array.from({ length: Number(head - startBlock) + 1 }, (_, i) => startBlock + BigInt(i)))
    // Every sweep raised its alert, once, whichever monitor saw it.
    const alerts = await listAlerts(store, { chainId: anvil.chainId })
    const perTx = (hash: Hash) => alerts.filter((alert) => alert.detector === 'privileged-change' && alert.tx === hash).length
    expect([drain, ...sweeps].map((s) => perTx(s.hash))).toEqual([drain, ...sweeps].map(() => 1))
    // No response repeated: one row, one transaction sent by the responder in the whole run.
    const responses = await listResponses(store, { chainId: anvil.chainId })
    expect(responses.map((row) => [row.kind, row.status, row.txHashes])).toEqual([['pause', 'mined', response.txHashes]])
    expect(await reader.getTransactionCount({ address: guardian, blockTag: 'latest' })).toBe(nonceBefore + 1)

    // The monitors' alerts reached both API processes' streams (NOTIFY from the alert stream table).
    for (const stream of streams) {
      await until(async () => (eventsOf(stream.text(), 'alert').some((event) => event['tx'] === after.hash) ? true : undefined), 'the alert on both SSE streams', 30_000)
      stream.close()
    }
    await second.kill()
    for (const api of apis) await api.kill()
  }, 300_000)
})
