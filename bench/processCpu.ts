import { existsSync, readFileSync } from 'node:fs'

/**
 * CPU seconds a process has used so far, with its reaped children (the fork anvils a validation
 * starts and stops), from /proc (Linux; undefined elsewhere or once the process is gone). A figure
 * a busy shared machine does not change, unlike wall time.
 */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return undefined
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    // After "pid (comm) ": state is field 3, utime/stime/cutime/cstime are fields 14-17.
    const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0)
    return ticks / 100
  } catch {
    return undefined
  }
}
