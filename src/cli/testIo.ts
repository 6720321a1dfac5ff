import type { CliIo } from './io.js'

/** An in-memory CliIo for tests: what the command printed, split by stream. */
export function captureIo(cwd: string, env: NodeJS.ProcessEnv = {}, stop: Promise<void> = Promise.resolve()) {
  const out: string[] = []
  const err: string[] = []
  const io: CliIo = {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    env,
    cwd,
    waitForStop: () => stop,
  }
  return {
    io,
    stdout: () => out.join('\n'),
    stderr: () => err.join('\n'),
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index into the printed JSON freely
    json: <T = any>() => JSON.parse(out.join('\n')) as T,
  }
}
