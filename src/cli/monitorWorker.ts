/**
 * `bulwark monitor` inside the worker thread src/cli/launch.ts starts: the CLI as usual, except that
 * a stop (Ctrl-C, SIGTERM: signals reach only the main thread) arrives as a message from it.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { processIo } from './io.js'
import { main } from './main.js'

const port = parentPort!
const io = { ...processIo(), waitForStop: () => new Promise<void>((resolve) => port.once('message', () => resolve())) }
const exitCode = await main((workerData as { argv: string[] }).argv, io)
// a stop that never came must not keep the thread alive
port.removeAllListeners('message')
port.postMessage({ exitCode })
