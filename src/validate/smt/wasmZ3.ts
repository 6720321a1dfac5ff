import { createRequire } from 'node:module'
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads'

const require = createRequire(import.meta.url)

/** The `z3-solver` package (z3 compiled to WebAssembly) when it is installed, else undefined. */
export function wasmZ3Package(): { version: string } | undefined {
  try {
    const manifest = require('z3-solver/package.json') as { version: string }
    return { version: manifest.version }
  } catch {
    return undefined
  }
}

/** One answered script: z3's text output, or why there is none. */
export type WasmZ3Output = { output: string; timedOut: false } | { output?: undefined; timedOut: boolean; error: string }

// The worker is plain CommonJS passed as source text: it then runs the same way under tsx, vitest
// and the compiled dist, none of which can load a `.ts` worker file. It keeps one z3 instance for
// its lifetime (the WebAssembly module takes ~0.1–1 s to instantiate) and a fresh z3 context per
// script, so no query sees another's declarations or options.
const workerSource = `
const { workerData, parentPort } = require('node:worker_threads')
const { control, port, z3Path, params } = workerData
let ready
parentPort.on('message', async ({ script }) => {
  let reply
  try {
    ready ??= require(z3Path).init()
    const { Z3 } = await ready
    // A script's set-option :timeout lands in z3's global parameters: start each one from the defaults.
    Z3.global_param_reset_all()
    for (const [name, value] of params) Z3.global_param_set(name, value)
    const config = Z3.mk_config()
    const context = Z3.mk_context(config)
    Z3.del_config(config)
    try {
      reply = { output: await Z3.eval_smtlib2_string(context, script) }
    } finally {
      Z3.del_context(context)
    }
  } catch (error) {
    reply = { error: String(error && error.message || error) }
  }
  port.postMessage(reply)
  Atomics.store(control, 0, 1)
  Atomics.notify(control, 0)
})
`

type Session = { worker: Worker; port: MessagePort; control: Int32Array; warm: boolean }
let session: Session | undefined

/**
 * Runs one SMT-LIB2 script on the WebAssembly z3 and returns its output, synchronously: solc-js
 * calls the SMT callback synchronously, so the main thread sends the script to a persistent
 * worker and blocks in `Atomics.wait` until the worker flags the answer, then takes it off a
 * message port with `receiveMessageOnPort`. A script still running `hardLimitMs` after it was sent
 * is abandoned (the worker is terminated and the next script starts a new one).
 */
export function runWasmZ3(script: string, hardLimitMs: number, params: readonly (readonly [string, string])[]): WasmZ3Output {
  const current = (session ??= startSession(params))
  Atomics.store(current.control, 0, 0)
  current.worker.postMessage({ script })
  // The first script also waits for the WebAssembly module to compile and instantiate.
  const waited = Atomics.wait(current.control, 0, 0, hardLimitMs + (current.warm ? 0 : 60_000))
  const reply = receiveMessageOnPort(current.port)?.message as { output?: string; error?: string } | undefined
  if (waited === 'timed-out' || reply === undefined) {
    stopWasmZ3()
    return { timedOut: true, error: `no answer within ${hardLimitMs} ms` }
  }
  current.warm = true
  if (reply.output !== undefined) return { output: reply.output, timedOut: false }
  return { timedOut: false, error: reply.error ?? 'no output' }
}

/** Ends the worker (it is unref'd, so a process that never calls this still exits). */
export function stopWasmZ3(): void {
  const current = session
  session = undefined
  if (!current) return
  current.port.close()
  void current.worker.terminate()
}

function startSession(params: readonly (readonly [string, string])[]): Session {
  const control = new Int32Array(new SharedArrayBuffer(4))
  const { port1, port2 } = new MessageChannel()
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: { control, port: port2, z3Path: require.resolve('z3-solver'), params },
    transferList: [port2],
  })
  worker.unref()
  worker.on('error', () => {
    // The pending wait times out and reports it; the next script starts a new worker.
    if (session?.worker === worker) session = undefined
  })
  return { worker, port: port1, control, warm: false }
}
