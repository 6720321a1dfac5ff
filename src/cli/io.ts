/** Where a command writes: injected so tests run `main()` in-process and read what it printed. */
export type CliIo = {
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: NodeJS.ProcessEnv
  cwd: string
  /** Resolves when the user asks a long-running command (devnet) to stop. */
  waitForStop: () => Promise<void>
}

export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    stderr: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    env: process.env,
    cwd: process.cwd(),
    waitForStop: () =>
      new Promise((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop)
          process.off('SIGTERM', stop)
          resolve()
        }
        process.on('SIGINT', stop)
        process.on('SIGTERM', stop)
      }),
  }
}

/** Progress lines go to stderr so that `--json` output on stdout stays machine-readable. */
export function progress(io: CliIo, quiet: boolean) {
  const started = Date.now()
  return (message: string) => {
    if (!quiet) io.stderr(`› ${message} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  }
}
