import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * What bin/bulwark.js runs. `bulwark monitor` runs in a worker thread whose V8 heap is capped
 * (`monitorResourceLimits`: the block JSON's garbage otherwise grows the heap to several times
 * the live set); every other command runs in this thread. Both go through `main`.
 */
export async function launch(argv: readonly string[]): Promise<number> {
  if (argv[0] !== 'monitor' || argv.includes('--help') || argv.includes('-h')) {
    const { main } = await import('./main.js')
    return main(argv)
  }
  const { monitorResourceLimits, startMonitorThread } = await import('../monitor/heapLimits.js')
  // the worker's file beside this one (.js when built, .ts under the tsx loader)
  const entry = new URL(`./monitorWorker${extname(fileURLToPath(import.meta.url))}`, import.meta.url)
  const resourceLimits = monitorResourceLimits(process.env)
  const worker = startMonitorThread(entry, { argv: [...argv] })
  const stop = () => {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    worker.postMessage('stop')
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  let exitCode: number | undefined
  let failure: Error | undefined
  worker.on('message', (message: { exitCode?: number }) => (exitCode = message.exitCode))
  worker.on('error', (error) => (failure = error))
  await new Promise((resolve) => worker.once('exit', resolve))
  process.off('SIGINT', stop)
  process.off('SIGTERM', stop)
  if (exitCode !== undefined) return exitCode
  const outOfMemory = (failure as NodeJS.ErrnoException | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY'
  process.stderr.write(
    outOfMemory
      ? `error: the monitor ran out of its ${resourceLimits?.maxOldGenerationSizeMb ?? 'configured'} MB heap; give it more with NODE_OPTIONS="--max-old-space-size=<MB>".\n`
      : `error: the monitor stopped unexpectedly: ${failure ? (failure.stack ?? failure.message) : 'its thread exited without a result'}\n`,
  )
  return 70
}
